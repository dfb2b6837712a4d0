package desired

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Source is one policy file: its name as the user knows it (for errors)
// and its text.
type Source struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// Stmt is one statement of a policy file with where it was written.
type Stmt struct {
	File string
	Line int
	Text string
	Stmt ddl.Stmt
}

// Error is a problem in a policy file, at a line.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	msg := e.Err.Error()
	var se *sqlerr.Error
	if errors.As(e.Err, &se) {
		msg = se.Message
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	}
	return fmt.Sprintf("%s: %s", e.File, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// MaxFileBytes bounds one policy file; a policy set is small, and a file
// larger than this is a mistake (a data dump in the wrong folder).
const MaxFileBytes = 4 << 20

// ReadDir reads every *.sql file under dir, recursively, in the order of
// their slash-separated paths: the order in which they are applied. A
// folder without one is an error, never an empty desired state (which
// would plan to drop every policy); an empty file states that on purpose.
func ReadDir(dir string) ([]Source, error) {
	var out []Source
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// .git and editors' folders hold no policy, and may hold .sql.
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(path), ".sql") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() > MaxFileBytes {
			return fmt.Errorf("%s: larger than %d bytes", path, MaxFileBytes)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, Source{Name: path, Text: string(b)})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policy files: %w", err)
	}
	if len(out) == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameter, "%s holds no .sql policy files; an empty desired state must be an empty .sql file", dir)
	}
	slices.SortFunc(out, func(a, b Source) int { return strings.Compare(filepath.ToSlash(a.Name), filepath.ToSlash(b.Name)) })
	return out, nil
}

// Parse splits and parses every file, reporting every statement that is
// not allowed in a policy file at once (a syntax error, users, table DDL,
// COPY, queries), each naming its file and line.
func Parse(srcs []Source) ([]Stmt, error) {
	var out []Stmt
	var errs []error
	for _, src := range srcs {
		if strings.ContainsRune(src.Name, 0) || strings.ContainsAny(src.Name, "\n\r") {
			return nil, sqlerr.New(sqlerr.InvalidParameter, "a policy file name contains a control character")
		}
		parts, err := sqlscan.Split(src.Text)
		if err != nil {
			line := 0
			var le *sqlscan.Error
			if errors.As(err, &le) {
				line = 1 + strings.Count(src.Text[:min(le.Pos, len(src.Text))], "\n")
			}
			errs = append(errs, &Error{File: src.Name, Line: line, Err: sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", err.Error())})
			continue
		}
		for _, p := range parts {
			st, err := ddl.Parse(p.Text)
			if err != nil {
				errs = append(errs, &Error{File: src.Name, Line: p.Line, Err: sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", err.Error())})
				continue
			}
			if err := allowed(st); err != nil {
				errs = append(errs, &Error{File: src.Name, Line: p.Line, Err: err})
				continue
			}
			out = append(out, Stmt{File: src.Name, Line: p.Line, Text: p.Text, Stmt: st})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// allowed admits the security DDL a desired state is made of. Users are
// the identity provider's or an administrator's, tables and data the
// warehouse's: a policy file that created them would make a plan drop
// them, so they are refused here.
func allowed(st ddl.Stmt) error {
	switch s := st.(type) {
	case *ddl.CreateUser, *ddl.DropUser:
		return sqlerr.New(sqlerr.FeatureUnsupported, "%s is not allowed in policy files: users are created by sign-in or by an administrator, not by policy files", s.Tag())
	case *ddl.CreateTable, *ddl.DropTable, *ddl.AlterTable:
		return sqlerr.New(sqlerr.FeatureUnsupported, "%s is not allowed in policy files: tables belong to the warehouse; policy files hold only roles, grants, policies, attachments and ROW LEVEL SECURITY switches", s.Tag())
	case *ddl.Copy:
		return sqlerr.New(sqlerr.FeatureUnsupported, "COPY is not allowed in policy files: data belongs to the warehouse")
	case *ddl.Other:
		return sqlerr.New(sqlerr.FeatureUnsupported, "%s statements are not allowed in policy files: only security DDL is", s.Tag())
	}
	if !policy.IsSecurityDDL(st) {
		return sqlerr.New(sqlerr.FeatureUnsupported, "%s is not allowed in policy files", st.Tag())
	}
	return nil
}
