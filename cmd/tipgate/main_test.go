package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestSQLCommand(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(t.TempDir(), "setup.sql")
	if err := os.WriteFile(script, []byte(`
-- a comment; with a semicolon
CREATE TABLE t (id INT, region VARCHAR(10), note VARCHAR(20));
INSERT INTO t VALUES (1, 'a', 'x,y'), (2, 'b', NULL); /* block ; comment */
CREATE ROLE "AWSIDC:ra";
GRANT SELECT ON t TO ROLE "AWSIDC:ra";
CREATE RLS POLICY pa WITH (region VARCHAR(10)) USING (region = 'a');
ATTACH RLS POLICY pa ON t TO ROLE "AWSIDC:ra";
ALTER TABLE t ROW LEVEL SECURITY ON;
`), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "-f", script); code != 0 {
		t.Fatalf("setup: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn string
	}{
		{"table as superuser", []string{"-c", "SELECT id, note FROM t ORDER BY id"}, 0,
			" id | note\n----+------\n 1  | x,y\n 2  |\n(2 rows)\n", ""},
		{"csv", []string{"--format", "csv", "-c", "SELECT id, note FROM t ORDER BY id"}, 0, "id,note\n1,\"x,y\"\n2,\n", ""},
		{"json keeps column order", []string{"--format", "json", "-c", "SELECT note, id FROM t ORDER BY id"}, 0,
			`[{"note":"x,y","id":1},{"note":null,"id":2}]` + "\n", ""},
		{"as a principal", []string{"--as", "ann@example.com", "--groups", "ra", "-c", "SELECT id, current_user FROM t"}, 0,
			" id | current_user\n----+------------------------\n 1  | AWSIDC:ann@example.com\n(1 row)\n", ""},
		{"principal without privilege", []string{"--as", "bob@example.com", "-c", "SELECT * FROM t"}, 1, "",
			"permission denied for relation t"},
		{"principal may not change policies", []string{"--as", "ann@example.com", "--groups", "ra", "-c", "ALTER TABLE t ROW LEVEL SECURITY OFF"}, 1, "",
			"SQLSTATE: 42501"},
		{"syntax error has a position", []string{"-c", "CREATE RLS POLICY p USING"}, 1, "", "syntax error at end of input"},
		{"earlier statements stay committed", []string{"-c", "CREATE TABLE u (a INT); SELECT nope FROM u"}, 1, "CREATE TABLE\n", "column \"nope\" does not exist"},
		{"password not echoed", []string{"-c", "CREATE USER x PASSWORD 'Sup3rSecret!' BOGUS"}, 1, "", "'...'"},
		{"bad format", []string{"--format", "xml", "-c", "SELECT 1"}, 1, "", "unknown --format"},
		{"both -c and -f", []string{"-c", "SELECT 1", "-f", script}, 1, "", "exactly one of"},
		{"groups without --as", []string{"--groups", "ra", "-c", "SELECT 1"}, 1, "", "--groups needs --as"},
		{"s3 without root", []string{"-c", "COPY t FROM 's3://b/k' IAM_ROLE default CSV"}, 1, "", "--s3-root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"sql", "--data-dir", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout {
				t.Errorf("stdout:\n%q\nwant\n%q", stdout, tc.stdout)
			}
			if tc.stderrIn != "" && !strings.Contains(stderr, tc.stderrIn) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.stderrIn)
			}
			if strings.Contains(stderr, "Sup3rSecret") || strings.Contains(stdout, "Sup3rSecret") {
				t.Error("a password reached the output")
			}
		})
	}
}

func TestGenDataAndDemo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.csv")
	if code, _, stderr := runCLI(t, "gen-data", "--rows", "100", "--seed", "3", "--out", out); code != 0 {
		t.Fatalf("gen-data: %s", stderr)
	}
	if code, _, stderr := runCLI(t, "gen-data", "--rows", "10", "--out", filepath.Join(dir, "x.txt")); code == 0 || !strings.Contains(stderr, ".txt") {
		t.Fatalf("gen-data with a bad extension: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "demo", "--serve=false", "--data-dir", filepath.Join(dir, "data"), "--rows", "20000")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"AWSIDC:ethan@example.com", "AWSIDC:ming@example.com", " Asia ", " Europe ", " America "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	// The second run reuses the warehouse.
	if code, stdout, _ := runCLI(t, "demo", "--serve=false", "--data-dir", filepath.Join(dir, "data"), "--rows", "20000"); code != 0 || !strings.Contains(stdout, "existing warehouse") {
		t.Fatalf("second demo run: %d\n%s", code, stdout)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := runCLI(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
