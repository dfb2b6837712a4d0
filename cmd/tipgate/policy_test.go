package main

import (
	"context"
	"net/http"
	"net/url"
	"os"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/cliauth"
	"path/filepath"
	"strings"
	"testing"
)

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(from, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no policy files in %s: %v", from, err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q: %v", path, old, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPolicyCommands walks the policy-as-code workflow of
// docs/policy-as-code.md on a local warehouse: apply the demo's policy
// files, export, a change that widens EMEA to Africa planned to a file,
// tested, applied, and the same plan refused once stale.
func TestPolicyCommands(t *testing.T) {
	wh := filepath.Join(t.TempDir(), "wh")
	fixture := filepath.Join("..", "..", "internal", "demo", "fixture.sql")
	demoPolicies := filepath.Join("..", "..", "internal", "demo", "policies")
	expectations := filepath.Join("..", "..", "internal", "demo", "expectations.toml")
	if code, _, stderr := runCLI(t, "sql", "--data-dir", wh, "--create", "-f", fixture); code != 0 {
		t.Fatalf("fixture: %s", stderr)
	}
	policies := filepath.Join(t.TempDir(), "policies")
	copyDir(t, demoPolicies, policies)
	planFile := filepath.Join(t.TempDir(), "plan.json")

	steps := []struct {
		name   string
		args   []string
		code   int
		stdout []string
	}{
		{"apply the demo's files", []string{"policy", "apply", "--data-dir", wh, "--dir", policies}, 0,
			[]string{"Plan against policy version", "CREATE ROLE \"AWSIDC:emea-sales\";", "Applied 20 statements in one transaction"}},
		{"plan again: nothing", []string{"policy", "plan", "--data-dir", wh, "--dir", policies, "--exit-code"}, 0, []string{"No changes: the catalog (policy version"}},
		{"export round-trips", []string{"policy", "export", "--data-dir", wh, "--dir", filepath.Join(t.TempDir(), "exported")}, 0,
			[]string{"Wrote 5 policy files", "Checked: planning", "shows no change"}},
		{"expectations hold", []string{"policy", "test", "--fixture", fixture, "--dir", policies, expectations}, 0, []string{"ok: 7 expectations, 25 checks hold."}},
		{"expectations hold on the warehouse itself", []string{"policy", "test", "--data-dir", wh, expectations}, 0, []string{"ok: 7 expectations"}},
	}
	run := func(name string, args []string, code int, stdout []string) string {
		t.Helper()
		got, out, stderr := runCLI(t, args...)
		if got != code {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, got, code, out, stderr)
		}
		for _, s := range stdout {
			if !strings.Contains(out+stderr, s) {
				t.Fatalf("%s: output has no %q:\n%s%s", name, s, out, stderr)
			}
		}
		return out + stderr
	}
	for _, s := range steps {
		run(s.name, s.args, s.code, s.stdout)
	}

	// The pull request: EMEA sales widens to Africa.
	edit(t, filepath.Join(policies, "20-policies.sql"), "USING (timezone LIKE 'Europe%');", "USING (timezone LIKE 'Europe%' OR timezone LIKE 'Africa%');")
	out := run("plan the change", []string{"policy", "plan", "--data-dir", wh, "--dir", policies, "--plan-file", planFile}, 0, []string{
		"1 statement, applied in one transaction",
		"ALTER RLS POLICY emea_sales_policy\nUSING (timezone LIKE 'Europe%' OR timezone LIKE 'Africa%');",
		"role AWSIDC:emea-sales:\n    sales_data rows: where timezone LIKE 'Europe%' → where timezone LIKE 'Europe%' OR timezone LIKE 'Africa%'",
	})
	run("drift check", []string{"policy", "plan", "--data-dir", wh, "--dir", policies, "--exit-code"}, 2, []string{"1 statement"})
	if strings.Contains(out, "role AWSIDC:amer-sales") {
		t.Fatalf("the summary names a role whose access does not change:\n%s", out)
	}
	run("the old expectations catch it", []string{"policy", "test", "--fixture", fixture, "--dir", policies, expectations}, 1, []string{
		"FAIL ", "AWSIDC:alex@example.com (groups emea-sales) on table sales_data: rows = 2; saw 4 rows",
		"no row satisfies timezone LIKE 'Africa%'; saw 2 rows that do", "3 of 25 checks failed"})
	edited := filepath.Join(t.TempDir(), "expectations.toml")
	b, _ := os.ReadFile(expectations)
	os.WriteFile(edited, []byte(strings.Replace(string(b),
		"rows = 2\nevery_row = \"timezone LIKE 'Europe%'\"\nno_row = \"timezone LIKE 'Africa%'\"",
		"rows = 4\nevery_row = \"timezone LIKE 'Europe%' OR timezone LIKE 'Africa%'\"", 1)), 0o644)
	run("the updated expectations hold", []string{"policy", "test", "--fixture", fixture, "--dir", policies, edited}, 0, []string{"ok: 7 expectations, 24 checks hold."})
	run("apply the plan file", []string{"policy", "apply", "--data-dir", wh, "--plan-file", planFile}, 0, []string{"Applied 1 statements"})
	run("the same plan is stale now", []string{"policy", "apply", "--data-dir", wh, "--plan-file", planFile}, 1, []string{
		"nothing was applied", "the plan was made against policy version", "but the catalog is at policy version"})
	run("alex now sees Africa", []string{"sql", "--data-dir", wh, "--as", "alex@example.com", "--groups", "emea-sales", "-c", "SELECT count(*) FROM sales_data"}, 0, []string{" 4\n"})

	// Bad input names file and line and applies nothing.
	bad := filepath.Join(t.TempDir(), "bad")
	copyDir(t, policies, bad)
	os.WriteFile(filepath.Join(bad, "60-oops.sql"), []byte("-- a mistake\nGRANT ROLE \"AWSIDC:emea-sales\" TO ROLE \"AWSIDC:exec-global\";\nGRANT ROLE \"AWSIDC:exec-global\" TO ROLE \"AWSIDC:emea-sales\";\n"), 0o644)
	run("a cycle in role grants", []string{"policy", "apply", "--data-dir", wh, "--dir", bad}, 1,
		[]string{"60-oops.sql:3: granting role \"AWSIDC:exec-global\" to role \"AWSIDC:emea-sales\" would create a cycle"})
	run("nothing changed", []string{"policy", "plan", "--data-dir", wh, "--dir", policies}, 0, []string{"No changes"})
	run("an empty folder is no desired state", []string{"policy", "plan", "--data-dir", wh, "--dir", t.TempDir()}, 1, []string{"holds no .sql policy files"})
	run("export refuses a folder with other files", []string{"policy", "export", "--data-dir", wh, "--dir", bad}, 1, []string{"60-oops.sql, which is not an exported file"})
	run("a missing warehouse is not an empty one", []string{"policy", "plan", "--data-dir", filepath.Join(t.TempDir(), "nope"), "--dir", policies}, 1, []string{"no warehouse in"})
	run("plan file and dir", []string{"policy", "apply", "--data-dir", wh, "--dir", bad, "--plan-file", planFile}, 1, []string{"exactly one of"})
}

// TestPolicyRemote: export, plan and apply through a server as its
// security admin; anyone else is refused.
func TestPolicyRemote(t *testing.T) {
	srv := startLoginServer(t)
	dir := t.TempDir()
	t.Setenv(cliauth.EnvConfigDir, dir)
	signInForTest(t, srv, dir, "ming@example.com")
	exported := filepath.Join(t.TempDir(), "exported")
	code, _, stderr := runCLI(t, "policy", "export", "--remote", srv.URL, "--dir", exported)
	if code != 1 || !strings.Contains(stderr, "only superusers and sys:secadmin may export policies") {
		t.Fatalf("export as ming: exit %d: %s", code, stderr)
	}
	signInForTest(t, srv, dir, "sam@example.com")
	code, stdout, stderr := runCLI(t, "policy", "export", "--remote", srv.URL, "--dir", exported)
	if code != 0 || !strings.Contains(stdout, "shows no change") {
		t.Fatalf("export as sam: exit %d: %s%s", code, stdout, stderr)
	}
	edit(t, filepath.Join(exported, "20-policies.sql"), "USING (timezone LIKE 'Europe%');", "USING (timezone LIKE 'Europe%' OR timezone LIKE 'Africa%');")
	planFile := filepath.Join(t.TempDir(), "plan.json")
	code, stdout, stderr = runCLI(t, "policy", "plan", "--remote", srv.URL, "--dir", exported, "--plan-file", planFile)
	if code != 0 || !strings.Contains(stdout, "ALTER RLS POLICY emea_sales_policy") {
		t.Fatalf("plan: exit %d: %s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, "policy", "apply", "--remote", srv.URL, "--plan-file", planFile)
	if code != 0 || !strings.Contains(stdout, "Applied 1 statements") {
		t.Fatalf("apply: exit %d: %s%s", code, stdout, stderr)
	}
	if p := srv.Engine().Catalog().RLSPolicies["emea_sales_policy"]; !strings.Contains(p.Using, "Africa") {
		t.Fatalf("not applied: %q", p.Using)
	}
	code, _, stderr = runCLI(t, "policy", "apply", "--remote", srv.URL, "--plan-file", planFile)
	if code != 1 || !strings.Contains(stderr, "the plan was made against policy version") {
		t.Fatalf("stale apply: exit %d: %s", code, stderr)
	}
	expectations := filepath.Join("..", "..", "internal", "demo", "expectations.toml")
	code, stdout, stderr = runCLI(t, "policy", "test", "--remote", srv.URL, expectations)
	if code != 1 || !strings.Contains(stdout, "AWSIDC:alex@example.com (groups emea-sales) on table sales_data: no row satisfies timezone LIKE 'Africa%'") {
		t.Fatalf("remote test after widening: exit %d: %s%s", code, stdout, stderr)
	}
	c, err := openSession(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log struct{ Records []audit.Record }
	if err := c.do(context.Background(), http.MethodGet, "/v1/audit", url.Values{"limit": {"1000"}}, nil, &log); err != nil {
		t.Fatal(err)
	}
	var viewAs, tests int
	for _, r := range log.Records {
		switch {
		case r.Kind == "view_as" && r.Actor == "AWSIDC:sam@example.com":
			viewAs++
		case r.Kind == "policy_test" && r.Status == "FAILED" && strings.HasSuffix(r.Error, " of 25 checks failed"):
			tests++
		}
	}
	if tests != 1 {
		t.Fatalf("%d policy_test records", tests)
	}
	if viewAs != 6 {
		t.Fatalf("%d view_as records for the remote test, want one per principal (6)", viewAs)
	}
	signInForTest(t, srv, dir, "ming@example.com")
	code, _, stderr = runCLI(t, "policy", "test", "--remote", srv.URL, expectations)
	if code != 1 || !strings.Contains(stderr, "only superusers and sys:secadmin may test policies") {
		t.Fatalf("remote test as ming: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "policy", "plan", "--remote", srv.URL, "--data-dir", dir, "--dir", exported)
	if code != 1 || !strings.Contains(stderr, "--data-dir cannot be used with --remote") {
		t.Fatalf("local flag with --remote: exit %d: %s", code, stderr)
	}
}
