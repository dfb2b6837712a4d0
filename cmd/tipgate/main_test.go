package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine/engines"
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
	if code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "--create", "-f", script); code != 0 {
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
		{"password not echoed", []string{"-c", "CREATE USER x PASSWORD 'Sup3rSecret!' BOGUS"}, 1, "", "statement at line 1: CREATE USER x PASSWORD '...' BOGUS"},
		{"statement echoed as written", []string{"-c", "SELECT count(*)  FROM t WHERE note = 'x,y' AND nope"}, 1, "", "statement at line 1: SELECT count(*)  FROM t WHERE note = 'x,y' AND nope"},
		{"bad format", []string{"--format", "xml", "-c", "SELECT 1"}, 1, "", "unknown --format"},
		{"nested values as JSON", []string{"--format", "csv", "-c", "SELECT {'a': 1, 'b': [1, 2]} AS s, MAP {'k': 'v'} AS m, '[1, {\"x\": null}]'::JSON AS j"}, 0,
			"s,m,j\n\"{\"\"a\"\":1,\"\"b\"\":[1,2]}\",\"{\"\"k\"\":\"\"v\"\"}\",\"[1,{\"\"x\"\":null}]\"\n", ""},
		{"tables apart", []string{"-c", "SELECT 1 AS a; SELECT 2 AS b"}, 0, " a\n---\n 1\n(1 row)\n\n b\n---\n 2\n(1 row)\n", ""},
		{"both -c and -f", []string{"-c", "SELECT 1", "-f", script}, 1, "", "exactly one of"},
		{"groups without --as", []string{"--groups", "ra", "-c", "SELECT 1"}, 1, "", "--groups needs --as"},
		{"unknown group is named", []string{"--as", "ann@example.com", "--groups", "ra,no-such-group", "-c", "SELECT count(*) AS n FROM t"}, 0,
			" n\n---\n 1\n(1 row)\n", `warning: no role "AWSIDC:no-such-group" exists`},
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
	// The summary counts cities as the dashboard does, by city and country
	// (Hyderabad is in India and in Pakistan).
	m := regexp.MustCompile(`(?m)^ Asia +\| \d+ +\| \d+ +\| [\d.]+ +\| (\d+)$`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no Asia row in the demo output:\n%s", stdout)
	}
	_, want, stderr := runCLI(t, "sql", "--data-dir", filepath.Join(dir, "data"), "--format", "csv", "--as", "ming@example.com", "--groups", "apac-sales",
		"-c", "SELECT count(*) AS n FROM (SELECT DISTINCT city, country FROM sales_data) AS c")
	if got := "n\n" + m[1] + "\n"; got != want {
		t.Errorf("the demo counts %s Asian cities, city+country pairs are %q (%s)", m[1], want, stderr)
	}
	if !strings.Contains(stdout, "(refused, as intended: permission denied for relation sales_data)") {
		t.Errorf("the security admin's refusal is not shown as intended:\n%s", stdout)
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

func TestHelpAndVersion(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.name, "-h")
			out := stdout + stderr
			if code != 0 {
				t.Fatalf("%s -h: exit %d: %s", c.name, code, out)
			}
			for _, want := range []string{"tipgate " + c.name + ": " + c.summary, "usage: tipgate " + c.name, "examples:\n  tipgate "} {
				if c.name == "idp" && strings.HasPrefix(want, "tipgate idp: ") {
					want = "tipgate idp: "
				}
				if !strings.Contains(out, want) {
					t.Errorf("%s -h lacks %q:\n%s", c.name, want, out)
				}
			}
		})
	}
	for _, args := range [][]string{{"--version"}, {"-v"}, {"version"}} {
		code, stdout, stderr := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(stdout, "tipgate ") || stderr != "" {
			t.Errorf("%v: exit %d, %q %q", args, code, stdout, stderr)
		}
	}
}

func TestSQLNeedsAWarehouse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "typo")
	code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "-c", "SELECT 1")
	if code != 1 || !strings.Contains(stderr, "there is no warehouse in "+dir) || !strings.Contains(stderr, "--create") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the refused run created the folder")
	}
	if code, stdout, stderr := runCLI(t, "sql", "--data-dir", dir, "--create", "-c", "SELECT 1 AS one"); code != 0 || !strings.Contains(stdout, "(1 row)") {
		t.Fatalf("--create: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "-c", "SELECT 1"); code != 0 {
		t.Fatalf("the created warehouse: exit %d: %s", code, stderr)
	}
}

// TestWarehouseInUse: another process holds the warehouse (this test
// binary, started again as a helper).
func TestWarehouseInUse(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "--create", "-c", "SELECT 1"); code != 0 {
		t.Fatal(stderr)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWarehouse$")
	cmd.Env = append(os.Environ(), "TIPGATE_TEST_HOLD="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "holding") {
				ready <- sc.Text()
			}
		}
		close(ready)
	}()
	select {
	case line, ok := <-ready:
		if !ok {
			t.Fatal("the helper ended without holding the warehouse")
		}
		_ = line
	case <-time.After(60 * time.Second):
		t.Fatal("the helper did not open the warehouse in time")
	}
	code, _, stderr := runCLI(t, "sql", "--data-dir", dir, "-c", "SELECT 1")
	want := fmt.Sprintf("is in use by %s (PID %d): stop it, or use 'tipgate sql --remote URL'", filepath.Base(os.Args[0]), cmd.Process.Pid)
	if code != 1 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d: %s\nwant it to contain %q", code, stderr, want)
	}
}

func TestHelperHoldWarehouse(t *testing.T) {
	dir := os.Getenv("TIPGATE_TEST_HOLD")
	if dir == "" {
		t.Skip("the helper process of TestWarehouseInUse")
	}
	eng, err := openWarehouse(context.Background(), engines.Config{DataDir: dir}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	fmt.Println("holding", dir)
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

func TestDemoChecksThePortFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	data := filepath.Join(t.TempDir(), "data")
	start := time.Now()
	code, stdout, stderr := runCLI(t, "demo", "--data-dir", data, "--rows", "1000", "--listen", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "cannot listen on "+ln.Addr().String()) || !strings.Contains(stderr, "--listen") || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	if _, err := os.Stat(data); err == nil {
		t.Errorf("the demo generated data before finding the port busy (%s)", time.Since(start))
	}
}

func TestServeWithoutConfigPointsToTheDocs(t *testing.T) {
	code, _, stderr := runCLI(t, "serve", "--config", filepath.Join(t.TempDir(), "tipgate.toml"))
	if code != 1 || !strings.Contains(stderr, "there is no configuration file") || !strings.Contains(stderr, "docs/configuration.md") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
