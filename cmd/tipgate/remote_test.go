package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/cliauth"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/server"
)

// signInForTest stores a session for email without the interactive flows
// (they have their own test): a password grant at the embedded IdP, then
// the real token exchange.
func signInForTest(t *testing.T, srv *server.Server, dir, email string) cliauth.Session {
	t.Helper()
	resp, err := http.PostForm(srv.URL+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"test-setup"},
		"username": {email}, "password": {loginTestPassword}, "scope": {"openid email profile groups"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.IDToken == "" {
		t.Fatalf("password grant for %s: %s", email, resp.Status)
	}
	sess, err := cliauth.Exchange(context.Background(), cliauth.NewHTTPClient(), srv.URL, cliauth.Secret(tok.IDToken), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := (cliauth.Store{Dir: dir}).Save(sess); err != nil {
		t.Fatal(err)
	}
	return sess
}

// TestSQLRemote runs statements through the REST binding and checks that
// they print exactly what the same statements print locally for the same
// principal, in every format, across result pages (page_rows = 7).
func TestSQLRemote(t *testing.T) {
	srv := startLoginServer(t)
	dir := t.TempDir()
	t.Setenv(cliauth.EnvConfigDir, dir)
	sess := signInForTest(t, srv, dir, "ming@example.com")
	ming, err := identity.Simulated("ming@example.com", identity.DefaultNamespace, []string{"apac-sales"})
	if err != nil {
		t.Fatal(err)
	}
	local := func(format, script string) string {
		var out bytes.Buffer
		w, err := newWriter(format, &out)
		if err != nil {
			t.Fatal(err)
		}
		if err := runScript(context.Background(), srv.Engine(), ming, script, w); err != nil {
			t.Fatalf("local run: %v", err)
		}
		return out.String()
	}
	const typed = `SELECT city, quantity, sales_price, latitude, timestamp, quantity > 5 AS big, CAST(NULL AS VARCHAR) AS nothing,
	quantity / 3.0::DOUBLE AS third, current_user AS who, '\x00ff'::BLOB AS raw
FROM sales_data ORDER BY timestamp, sku LIMIT 20`
	const script = "SELECT count(*) AS n FROM sales_data;\n" + typed + ";\nSELECT DISTINCT split_part(timezone,'/',1) AS region FROM sales_data"
	for _, format := range []string{"table", "csv", "json"} {
		t.Run("same as local, "+format, func(t *testing.T) {
			want := local(format, script)
			code, stdout, stderr := runCLI(t, "sql", "--remote", srv.URL, "--format", format, "-c", script)
			if code != 0 || stdout != want {
				t.Fatalf("exit %d\nremote:\n%s\nlocal:\n%s\nstderr: %s", code, stdout, want, stderr)
			}
			if !strings.Contains(want, "Asia") || strings.Contains(want, "Europe") || strings.Count(want, "AWSIDC:ming@example.com") < 20 {
				t.Fatalf("the reference output is not what the test means to compare:\n%s", want)
			}
		})
	}

	scriptFile := filepath.Join(t.TempDir(), "q.sql")
	os.WriteFile(scriptFile, []byte("-- regions\nSELECT 1 AS one;\n\nSELECT nope FROM sales_data;\nSELECT 2"), 0o600)
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn []string
	}{
		{"failing statement stops the script", []string{"-f", scriptFile}, 1, " one\n-----\n 1\n(1 row)\n",
			[]string{`column "nope" does not exist`, "statement at line 4: SELECT nope FROM sales_data"}},
		{"permission denied", []string{"-c", "CREATE TABLE mine (a INT)"}, 1, "", []string{"ERROR: permission denied", "statement at line 1: CREATE TABLE mine"}},
		{"the statement is echoed as written", []string{"-c", "SELECT  'a literal', count(*) FROM nowhere"}, 1, "", []string{"statement at line 1: SELECT  'a literal', count(*) FROM nowhere"}},
		{"passwords are not echoed", []string{"-c", "ALTER USER x PASSWORD 'Sup3rSecret'"}, 1, "", []string{"PASSWORD '...'"}},
		{"trailing slash is the same server", []string{"--format", "csv", "-c", "SELECT 1 AS one"}, 0, "one\n1\n", nil},
		{"--as is refused", []string{"--as", "ethan@example.com", "-c", "SELECT 1"}, 1, "", []string{"--as cannot be used with --remote"}},
		{"--groups and --data-dir are refused", []string{"--groups", "exec-global", "--data-dir", "x", "-c", "SELECT 1"}, 1, "",
			[]string{"--data-dir, --groups cannot be used with --remote"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			remote := srv.URL
			if strings.Contains(tc.name, "trailing slash") {
				remote += "/"
			}
			code, stdout, stderr := runCLI(t, append([]string{"sql", "--remote", remote}, tc.args...)...)
			if code != tc.code || stdout != tc.stdout {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %s", code, tc.code, stdout, tc.stdout, stderr)
			}
			for _, want := range tc.stderrIn {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if strings.Contains(stdout+stderr, sess.Token.Reveal()) || strings.Contains(stderr, "Sup3rSecret") {
				t.Fatal("a secret reached the output")
			}
		})
	}
}

func TestFieldValue(t *testing.T) {
	tr, f, i, d, s := true, false, int64(-42), 2.5, "12.30"
	for _, tc := range []struct {
		name     string
		field    dataapi.Field
		typeName string
		want     any
		err      bool
	}{
		{"null", dataapi.Field{IsNull: &tr}, "int4", nil, false},
		{"bool", dataapi.Field{BooleanValue: &f}, "bool", false, false},
		{"long", dataapi.Field{LongValue: &i}, "int8", int64(-42), false},
		{"double", dataapi.Field{DoubleValue: &d}, "float8", 2.5, false},
		{"decimal stays a string", dataapi.Field{StringValue: &s}, "numeric", "12.30", false},
		{"blob", dataapi.Field{BlobValue: []byte{0, 255}}, "varbyte", []byte{0, 255}, false},
		{"empty blob", dataapi.Field{}, "varbyte", []byte{}, false},
		{"no member", dataapi.Field{}, "int4", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fieldValue(tc.field, dataapi.ColumnMetadata{TypeName: tc.typeName}.ColumnType().Kind)
			if (err != nil) != tc.err {
				t.Fatalf("err %v", err)
			}
			gs, _ := json.Marshal(got)
			ws, _ := json.Marshal(tc.want)
			if string(gs) != string(ws) || (got == nil) != (tc.want == nil) {
				t.Fatalf("got %#v (%T), want %#v (%T)", got, got, tc.want, tc.want)
			}
			if _, isStr := got.(string); tc.name == "decimal stays a string" && !isStr {
				t.Fatalf("DECIMAL decoded as %T", got)
			}
		})
	}
}

func TestCommandTag(t *testing.T) {
	for sql, want := range map[string]string{
		"insert into t values (1)":                          "INSERT",
		"CREATE TABLE t (a int)":                            "CREATE TABLE",
		"create rls policy p with (r varchar) using (true)": "CREATE RLS POLICY",
		"ATTACH RLS POLICY p ON t TO ROLE r":                "ATTACH RLS POLICY",
		"alter table t row level security on":               "ALTER TABLE",
		"GRANT SELECT ON t TO ROLE r":                       "GRANT",
		"(SELECT 1)":                                        "OK",
	} {
		if got := commandTag(sql); got != want {
			t.Errorf("commandTag(%q) = %q, want %q", sql, got, want)
		}
	}
}

// TestSQLErrorsReadTheSame: a failing statement prints the same lines —
// Redshift's message, the SQLSTATE line and the statement — run locally
// (as the same principal, and for a typo also as the superuser) and
// through a server with 'sql --remote', which finds the server from the
// stored session.
func TestSQLErrorsReadTheSame(t *testing.T) {
	srv := startLoginServer(t)
	dir := t.TempDir()
	t.Setenv(cliauth.EnvConfigDir, dir)
	signInForTest(t, srv, dir, "alex@example.com")
	alex, err := identity.Simulated("alex@example.com", identity.DefaultNamespace, []string{"emea-sales"})
	if err != nil {
		t.Fatal(err)
	}
	local := func(p identity.Principal, script string) string {
		var out bytes.Buffer
		w, _ := newWriter("table", &out)
		err := runScript(context.Background(), srv.Engine(), p, script, w)
		if err == nil {
			t.Fatalf("%q ran locally", script)
		}
		return err.Error() + "\n"
	}
	for _, tc := range []struct {
		name, sql, sqlstate string
	}{
		{"syntax error", "SELEC 1", "42601 (syntax_error)"},
		{"syntax error inside", "SELECT 1 FROM", "42601 (syntax_error)"},
		{"unknown table", "SELECT * FROM nosuch", "42P01 (undefined_table)"},
		{"unknown column", "SELECT nope FROM sales_data", "42703 (undefined_column)"},
		{"ungranted column", "SELECT population FROM sales_data", "42501 (permission_denied)"},
		{"division by zero", "SELECT count(*) / 0 FROM sales_data", "22012 (division_by_zero)"},
		{"table DDL", "CREATE TABLE mine (a INT)", "42501 (permission_denied)"},
		{"bad cast", "SELECT CAST(city AS INT) FROM sales_data", "22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := local(alex, tc.sql)
			if !strings.Contains(want, "\nSQLSTATE: "+tc.sqlstate) {
				t.Fatalf("the local error is not the one the test means:\n%s", want)
			}
			code, stdout, stderr := runCLI(t, "sql", "--remote", "-c", tc.sql)
			if code != 1 || stdout != "" || stderr != want {
				t.Fatalf("exit %d, stdout %q\nremote:\n%s\nlocal:\n%s", code, stdout, stderr, want)
			}
		})
	}
	t.Run("a superuser's typo is the principal's syntax error", func(t *testing.T) {
		su, as := local(identity.LocalSuperuser(), "SELEC 1"), local(alex, "SELEC 1")
		if su != as || !strings.HasPrefix(su, `ERROR: syntax error at or near "SELEC"`) {
			t.Fatalf("superuser:\n%s\nprincipal:\n%s", su, as)
		}
	})
	t.Run("--remote URL and --remote=URL still name the server", func(t *testing.T) {
		for _, args := range [][]string{{"--remote", srv.URL, "-c", "SELEC 1"}, {"--remote=" + srv.URL, "-c", "SELEC 1"}, {"-c", "SELEC 1", "--remote"}} {
			code, _, stderr := runCLI(t, append([]string{"sql"}, args...)...)
			if code != 1 || stderr != local(alex, "SELEC 1") {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
		}
		code, _, stderr := runCLI(t, "sql", "--remote", "http://127.0.0.1:1", "-c", "SELECT 1")
		if code == 0 || !strings.Contains(stderr, "the stored session is for "+srv.URL) {
			t.Fatalf("another server: exit %d\n%s", code, stderr)
		}
	})
}
