package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

func runSQL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sql", stderr)
	dataDir := fs.String("data-dir", "./tipgate-data", "warehouse data directory")
	engineKind := fs.String("engine", "duckdb", "warehouse engine: duckdb (embedded), postgres or trino (both need --dsn)")
	dsn := fs.String("dsn", "", "the postgres engine's database (postgres://user@host:5432/database) or the trino engine's cluster (https://user:pw@host:8443/catalog/schema?rules_path=FILE&store=postgres://…, docs/trino.md)")
	command := fs.String("c", "", "SQL to run (one or more statements)")
	file := fs.String("f", "", "file of SQL statements to run ('-' for standard input)")
	format := fs.String("format", "table", "output format: table, csv or json")
	as := fs.String("as", "", "run as this principal (e.g. 'AWSIDC:ming@example.com') instead of the superuser")
	groups := fs.String("groups", "", "comma-separated IdP groups of the --as principal")
	namespace := fs.String("namespace", identity.DefaultNamespace, "identity namespace of the --as principal")
	s3root := fs.String("s3-root", "", "folder that s3://bucket/key COPY sources are read from (DIR/bucket/key)")
	remote := &remoteFlag{}
	fs.Var(remote, "remote", "run through the Data API (REST) of the server you signed in to with 'tipgate login', as that user\n(--remote URL names the server, which must be the session's)")
	create := fs.Bool("create", false, "create a new warehouse in --data-dir if it holds none (without it, a missing warehouse is an error)")
	if err := parseFlags(fs, args, remote); err != nil {
		return err
	}
	if remote.set {
		var local []string
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "as", "groups", "namespace", "data-dir", "s3-root", "create":
				local = append(local, "--"+f.Name)
			}
		})
		if len(local) > 0 {
			return fmt.Errorf("sql: %s cannot be used with --remote: the server holds the data and the identity comes from the session of 'tipgate login'", strings.Join(local, ", "))
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("sql: unexpected argument %q", fs.Arg(0))
	}
	if (*command == "") == (*file == "") {
		return fmt.Errorf("sql: give exactly one of -c SQL or -f FILE")
	}
	w, err := newWriter(*format, stdout)
	if err != nil {
		return err
	}
	script := *command
	if *file != "" {
		b, err := readScript(*file)
		if err != nil {
			return err
		}
		script = string(b)
	}
	if remote.set {
		return runRemoteSQL(ctx, remote.url, script, w, stderr)
	}
	p := identity.LocalSuperuser()
	if *as != "" {
		if p, err = identity.Simulated(*as, *namespace, strings.Split(*groups, ",")); err != nil {
			return err
		}
	} else if *groups != "" {
		return fmt.Errorf("sql: --groups needs --as")
	}
	if (*engineKind == "postgres" || *engineKind == "trino") != (*dsn != "") {
		return fmt.Errorf("sql: --dsn goes with --engine postgres or trino, and they need --dsn")
	}
	eng, err := openWarehouse(ctx, engines.Config{Kind: *engineKind, DSN: *dsn, DataDir: *dataDir, S3Root: *s3root}, *create)
	if err != nil {
		return fmt.Errorf("sql: %w", err)
	}
	defer eng.Close()
	// A group without a role of its name gives the principal nothing; a
	// mistyped one would otherwise go unnoticed.
	for _, g := range p.Groups {
		if _, ok := eng.Catalog().Roles[p.Namespace+":"+g]; !ok {
			fmt.Fprintf(stderr, "tipgate: warning: no role %q exists: --groups %s gives %s nothing\n", p.Namespace+":"+g, g, p.User)
		}
	}
	if err := runScript(ctx, eng, p, script, w); err != nil {
		fmt.Fprintln(stderr, err)
		return exitError{code: 1}
	}
	return nil
}

func readScript(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sql: %w", err)
	}
	return b, nil
}

// runScript runs each statement in order; the first failure stops the
// script, leaving the statements before it committed.
func runScript(ctx context.Context, eng engine.Engine, p identity.Principal, script string, w resultWriter) error {
	stmts, err := sqlscan.Split(script)
	if err != nil {
		return fmt.Errorf("ERROR: %w", err)
	}
	for _, st := range stmts {
		rows, err := eng.Query(ctx, p, st.Text)
		if err == nil {
			err = w.write(rows)
			rows.Close()
		}
		if err != nil {
			return describe(err, st)
		}
	}
	return w.flush()
}

// describe names the failing statement by line and adds the SQLSTATE.
func describe(err error, st sqlscan.Statement) error {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s\nSQLSTATE: %s (%s)\nstatement at line %d: %s", se.Error(), se.SQLState(), se.Code, st.Line, asWritten(st.Text))
	}
	return fmt.Errorf("ERROR: %v\nstatement at line %d: %s", err, st.Line, asWritten(st.Text))
}

// asWritten is the failing statement as the person wrote it, so they can
// find it in their own script: cut only when long, continuation lines
// indented under the first. A string right after a credential keyword
// (PASSWORD 'x', SECRET_ACCESS_KEY 'x', …) is still hidden: a terminal's
// scrollback or a CI log is no place for it.
func asWritten(s string) string {
	s = strings.TrimSpace(s)
	if toks, err := sqlscan.Tokens(s); err == nil {
		var b strings.Builder
		last := 0
		for i, t := range toks {
			if t.Kind != sqlscan.String || i == 0 || !secretKeywords[strings.ToLower(toks[i-1].Text)] {
				continue
			}
			b.WriteString(s[last:t.Pos])
			b.WriteString("'...'")
			last = t.End
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	const max = 400
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strings.ReplaceAll(s, "\n", "\n    ")
}

// secretKeywords precede a string that is a credential.
var secretKeywords = map[string]bool{"password": true, "credentials": true, "access_key_id": true,
	"secret_access_key": true, "session_token": true, "token": true}
