package desired_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

const fixture = `
CREATE TABLE sales (id INT, region VARCHAR(20), email VARCHAR(50), amount INT);
CREATE TABLE regions (region VARCHAR(20), owner VARCHAR(100));
INSERT INTO sales VALUES (1, 'EU', 'a@x', 10), (2, 'AF', 'b@x', 20), (3, 'US', 'c@x', 30);
`

const basePolicies = `
CREATE ROLE "AWSIDC:emea-sales";
CREATE ROLE analysts EXTERNALID 'g-1';
GRANT SELECT ON TABLE sales TO ROLE "AWSIDC:emea-sales";
GRANT SELECT (id, region) ON TABLE sales TO ROLE analysts;
CREATE RLS POLICY emea WITH (region VARCHAR(20)) USING (region = 'EU');
ATTACH RLS POLICY emea ON sales TO ROLE "AWSIDC:emea-sales";
CREATE MASKING POLICY hide WITH (email VARCHAR(50)) USING ('***'::VARCHAR(50));
ATTACH MASKING POLICY hide ON sales (email) TO ROLE "AWSIDC:emea-sales";
ALTER TABLE sales ROW LEVEL SECURITY ON;
`

// TestDiff holds plans of single changes to the fewest statements, in the
// safe order, and each plan to applying on the engine.
func TestDiff(t *testing.T) {
	cases := []struct {
		name     string
		live     string // extra setup of the live catalog
		policies string
		want     []string
		summary  []string
	}{
		{"nothing", "", basePolicies, nil, nil},
		{"widen USING", "", strings.Replace(basePolicies, "USING (region = 'EU')", "USING (region IN ('EU', 'AF'))", 1),
			[]string{"ALTER RLS POLICY emea\nUSING (region IN ('EU', 'AF'))"},
			[]string{`sales rows: where region = 'EU' → where region IN ('EU', 'AF')`}},
		{"new WITH recreates the policy", "", strings.Replace(basePolicies, "WITH (region VARCHAR(20)) USING (region = 'EU')", "WITH (region VARCHAR(20), amount INT) USING (region = 'EU' AND amount < 25)", 1),
			[]string{
				`DETACH RLS POLICY emea ON TABLE sales FROM ROLE "AWSIDC:emea-sales"`,
				"DROP RLS POLICY emea",
				"CREATE RLS POLICY emea\nWITH (region VARCHAR(20), amount INT)\nUSING (region = 'EU' AND amount < 25)",
				`ATTACH RLS POLICY emea ON TABLE sales TO ROLE "AWSIDC:emea-sales"`,
			}, nil},
		{"table grant becomes column grant", "", strings.Replace(basePolicies, `GRANT SELECT ON TABLE sales TO ROLE "AWSIDC:emea-sales"`, `GRANT SELECT (id, email) ON TABLE sales TO ROLE "AWSIDC:emea-sales"`, 1),
			[]string{`REVOKE SELECT ON TABLE sales FROM ROLE "AWSIDC:emea-sales"`, `GRANT SELECT (email, id) ON TABLE sales TO ROLE "AWSIDC:emea-sales"`},
			[]string{"sales columns region, amount: granted → denied"}},
		{"column set changes", "", strings.Replace(basePolicies, "(id, region) ON TABLE sales TO ROLE analysts", "(region, amount) ON TABLE sales TO ROLE analysts", 1),
			[]string{"REVOKE SELECT (id) ON TABLE sales FROM ROLE analysts", "GRANT SELECT (amount) ON TABLE sales TO ROLE analysts"},
			[]string{"sales column id: granted → denied", "sales column amount: denied → granted"}},
		{"mask expression changes", "", strings.Replace(basePolicies, "USING ('***'::VARCHAR(50))", "USING ('###'::VARCHAR(50))", 1),
			[]string{"ALTER MASKING POLICY hide\nUSING ('###'::VARCHAR(50))"}, nil},
		{"mask detached: masked → granted", "", strings.Replace(basePolicies, `ATTACH MASKING POLICY hide ON sales (email) TO ROLE "AWSIDC:emea-sales";`, "", 1),
			[]string{`DETACH MASKING POLICY hide ON sales (email) FROM ROLE "AWSIDC:emea-sales"`},
			[]string{"sales column email: masked by hide ('***'::VARCHAR(50)) → granted"}},
		{"mask priority changes", "", strings.Replace(basePolicies, `(email) TO ROLE "AWSIDC:emea-sales"`, `(email) TO ROLE "AWSIDC:emea-sales" PRIORITY 20`, 1),
			[]string{`DETACH MASKING POLICY hide ON sales (email) FROM ROLE "AWSIDC:emea-sales"`, `ATTACH MASKING POLICY hide ON sales (email) TO ROLE "AWSIDC:emea-sales" PRIORITY 20`}, nil},
		{"external id recreates the role and its grants", "", strings.Replace(basePolicies, "EXTERNALID 'g-1'", "EXTERNALID 'g-2'", 1),
			[]string{"REVOKE SELECT ON TABLE sales FROM ROLE analysts", "DROP ROLE analysts", "CREATE ROLE analysts EXTERNALID 'g-2'", "GRANT SELECT (id, region) ON TABLE sales TO ROLE analysts"}, nil},
		{"conjunction", "", basePolicies + "ALTER TABLE sales ROW LEVEL SECURITY ON CONJUNCTION TYPE OR;",
			[]string{"ALTER TABLE sales ROW LEVEL SECURITY ON CONJUNCTION TYPE OR"}, nil},
		{"RLS off", "", strings.Replace(basePolicies, "ALTER TABLE sales ROW LEVEL SECURITY ON;", "", 1),
			[]string{"ALTER TABLE sales ROW LEVEL SECURITY OFF CONJUNCTION TYPE AND"},
			[]string{"sales rows: where region = 'EU' → all", "sales rows: none (row level security on, no policy applies) → all"}},
		{"lookup table with row level security on is switched off first", "ALTER TABLE regions ROW LEVEL SECURITY ON CONJUNCTION TYPE OR", strings.Replace(basePolicies, "USING (region = 'EU')", "USING (region IN (SELECT region FROM regions WHERE owner = current_user))", 1),
			[]string{
				"ALTER TABLE regions ROW LEVEL SECURITY OFF CONJUNCTION TYPE OR",
				"ALTER RLS POLICY emea\nUSING (region IN (SELECT region FROM regions WHERE owner = current_user))",
				"ALTER TABLE regions ROW LEVEL SECURITY OFF CONJUNCTION TYPE AND",
			}, nil},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng := duckdbtest.New(t, 1, fixture, basePolicies, c.live)
			an := eng.PolicyAnalyzer()
			plan, err := desired.MakePlan(ctx, eng.Catalog(), []desired.Source{{Name: "p.sql", Text: c.policies}}, an)
			if err != nil {
				t.Fatal(err)
			}
			got := plan.Statements()
			if c.want != nil && !slices.Equal(got, c.want) {
				t.Errorf("statements:\n%q\nwant\n%q", got, c.want)
			}
			var lines []string
			for _, ch := range plan.Summary {
				lines = append(lines, ch.Changes...)
			}
			for _, s := range c.summary {
				if !slices.Contains(lines, s) {
					t.Errorf("summary has no %q:\n%s", s, plan.Text())
				}
			}
			if _, err := eng.ApplyPolicy(ctx, identity.LocalSuperuser(), plan.PolicyVersion, got, plan.Check); err != nil {
				t.Fatalf("apply: %v\n%s", err, plan.Text())
			}
			again, err := desired.MakePlan(ctx, eng.Catalog(), []desired.Source{{Name: "p.sql", Text: c.policies}}, an)
			if err != nil || len(again.Steps) != 0 {
				t.Fatalf("plan after apply: %v\n%s", err, again.Text())
			}
		})
	}
}

// TestBadInput: policy files that cannot be a desired state name the file
// and line of each problem, and nothing is planned or applied.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name  string
		files []desired.Source
		want  []string
	}{
		{"unknown and forbidden statements, all reported", []desired.Source{
			{Name: "a.sql", Text: "CREATE ROLE r;\nCREATE USER bob PASSWORD 'x';\n"},
			{Name: "b.sql", Text: "\n\nSELECT * FROM sales;\nCOPY sales FROM 's3://b/k' CSV;\nFROB THE WIDGETS;\nCREATE TABLE t (a INT);\nDROP TABLE sales;\n"},
		}, []string{"a.sql:2: CREATE USER is not allowed", "b.sql:3: SELECT statements are not allowed", "b.sql:4: COPY is not allowed", "b.sql:5: ", "b.sql:6: CREATE TABLE is not allowed", "b.sql:7: DROP TABLE is not allowed"}},
		{"cycle in role grants", []desired.Source{{Name: "roles.sql", Text: "CREATE ROLE a;\nCREATE ROLE b;\nGRANT ROLE a TO ROLE b;\nGRANT ROLE b TO ROLE a;\n"}},
			[]string{"roles.sql:4: granting role \"b\" to role \"a\" would create a cycle"}},
		{"policy on a missing column", []desired.Source{{Name: "rls.sql", Text: "CREATE ROLE a;\nCREATE RLS POLICY p WITH (country VARCHAR(10)) USING (country = 'DE');\nATTACH RLS POLICY p ON sales TO ROLE a;\n"}},
			[]string{"rls.sql:3: cannot attach RLS policy \"p\" to sales: column \"country\" does not exist"}},
		{"predicate on a column outside WITH", []desired.Source{{Name: "rls.sql", Text: "CREATE RLS POLICY p WITH (region VARCHAR(20))\n  USING (nation = 'DE');\n"}},
			[]string{"rls.sql:1: RLS policy p: column \"nation\" is not in the policy's WITH clause"}},
		{"unterminated string", []desired.Source{{Name: "s.sql", Text: "CREATE ROLE a;\n\nCREATE RLS POLICY p USING ('x);\n"}},
			[]string{"s.sql:3: unterminated"}},
	}
	ctx := context.Background()
	eng := duckdbtest.New(t, 1, fixture, basePolicies)
	before := eng.Catalog()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := desired.MakePlan(ctx, eng.Catalog(), c.files, eng.PolicyAnalyzer())
			if err == nil {
				t.Fatal("planned")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			var de *desired.Error
			if !errors.As(err, &de) || de.Line == 0 {
				t.Errorf("error is not a *desired.Error with a line: %#v", err)
			}
		})
	}
	if err := desired.Same(eng.Catalog(), before); err != nil || eng.Catalog().PolicyVersion != before.PolicyVersion {
		t.Fatalf("the catalog changed: %v", err)
	}
}

// TestApplyRefuses: a stale plan, a plan whose statement fails half way,
// a tampered plan and a principal who is no security admin change nothing.
func TestApplyRefuses(t *testing.T) {
	ctx := context.Background()
	eng := duckdbtest.New(t, 1, fixture, basePolicies)
	an := eng.PolicyAnalyzer()
	widen := strings.Replace(basePolicies, "USING (region = 'EU')", "USING (region IN ('EU', 'AF'))", 1) + "CREATE ROLE auditors;\n"
	plan, err := desired.MakePlan(ctx, eng.Catalog(), []desired.Source{{Name: "p.sql", Text: widen}}, an)
	if err != nil {
		t.Fatal(err)
	}
	admin := identity.LocalSuperuser()
	alex, err := identity.Simulated("alex@example.com", "", []string{"emea-sales"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T, err error, code sqlerr.Code, msg string) {
		t.Helper()
		before := eng.Catalog()
		if err == nil {
			t.Fatal("applied")
		}
		if sqlerr.CodeOf(err) != code || !strings.Contains(err.Error(), msg) {
			t.Fatalf("error %q (%s), want %s containing %q", err, sqlerr.CodeOf(err), code, msg)
		}
		if eng.Catalog().PolicyVersion != before.PolicyVersion {
			t.Fatal("the catalog changed")
		}
	}
	t.Run("not a security admin", func(t *testing.T) {
		_, err := eng.ApplyPolicy(ctx, alex, plan.PolicyVersion, plan.Statements(), plan.Check)
		check(t, err, sqlerr.PermissionDenied, "only superusers and sys:secadmin may apply policy plans")
	})
	t.Run("failing statement rolls back the whole plan", func(t *testing.T) {
		v := eng.Catalog().PolicyVersion
		stmts := append(plan.Statements(), "GRANT SELECT ON TABLE no_such_table TO ROLE auditors")
		_, err := eng.ApplyPolicy(ctx, admin, plan.PolicyVersion, stmts, nil)
		check(t, err, sqlerr.UndefinedTable, "plan statement 3")
		if p := eng.Catalog().RLSPolicies["emea"]; p.Using != "region = 'EU'" || eng.Catalog().Roles["auditors"] != nil || eng.Catalog().PolicyVersion != v {
			t.Fatalf("a statement before the failing one took effect: %q", p.Using)
		}
		// Rows too: alex still sees only EU.
		rows, err := eng.Query(ctx, alex, "SELECT count(*) FROM sales")
		if err != nil {
			t.Fatal(err)
		}
		rows.Next()
		if n := rows.Values()[0]; n != int64(1) {
			t.Fatalf("alex sees %v rows, want 1", n)
		}
		rows.Close()
	})
	t.Run("tampered plan does not reach its fingerprint", func(t *testing.T) {
		_, err := eng.ApplyPolicy(ctx, admin, plan.PolicyVersion, plan.Statements()[:1], plan.Check)
		check(t, err, sqlerr.InvalidParameter, "would not reach the state it was made for")
	})
	t.Run("stale plan", func(t *testing.T) {
		rows, err := eng.Query(ctx, admin, "CREATE ROLE someone_else")
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		_, err = eng.ApplyPolicy(ctx, admin, plan.PolicyVersion, plan.Statements(), plan.Check)
		check(t, err, sqlerr.ConcurrentChange, "the plan was made against policy version")
		if !strings.Contains(err.Error(), "but the catalog is at policy version") {
			t.Fatalf("error does not name both versions: %v", err)
		}
	})
}

// TestAlterMaskingKeepsTypes: ALTER MASKING POLICY is held to the types of
// the columns the policy masks, as ATTACH is; otherwise a catalog could
// hold an attachment no script can build again (found by
// TestDiffRandomCatalogs).
func TestAlterMaskingKeepsTypes(t *testing.T) {
	eng := duckdbtest.New(t, 1, fixture, basePolicies)
	rows, err := eng.Query(context.Background(), identity.LocalSuperuser(), "ALTER MASKING POLICY hide USING (42)")
	if err == nil {
		rows.Close()
		t.Fatal("ALTER MASKING POLICY to an INTEGER mask of a VARCHAR column succeeded")
	}
	if !strings.Contains(err.Error(), "masking policy hide returns INTEGER but column sales.email is VARCHAR(50)") {
		t.Fatalf("error: %v", err)
	}
}

// TestApplyAsSecAdmin: a sys:secadmin holder (through an identity-provider
// group) applies a plan under Redshift's rules for that role — it may
// alter policies but not grant SELECT on a table it does not own, which
// rolls the whole plan back — and applying records no roles for its
// groups, which the plan would not reach.
func TestApplyAsSecAdmin(t *testing.T) {
	ctx := context.Background()
	eng := duckdbtest.New(t, 1, fixture, basePolicies, `CREATE ROLE "AWSIDC:secadmins"; GRANT ROLE sys:secadmin TO ROLE "AWSIDC:secadmins"`)
	sam, err := identity.Simulated("sam@example.com", "", []string{"secadmins", "brand-new"})
	if err != nil {
		t.Fatal(err)
	}
	sam.AutoCreateRoles = []string{"AWSIDC:secadmins", "AWSIDC:brand-new"}
	files := func(extra string) []desired.Source {
		return []desired.Source{{Name: "p.sql", Text: `CREATE ROLE "AWSIDC:secadmins"; GRANT ROLE sys:secadmin TO ROLE "AWSIDC:secadmins";` +
			strings.Replace(basePolicies, "USING (region = 'EU')", "USING (region IN ('EU', 'AF'))", 1) + extra}}
	}
	refused, err := desired.MakePlan(ctx, eng.Catalog(), files("GRANT SELECT ON TABLE regions TO ROLE analysts;"), eng.PolicyAnalyzer())
	if err != nil {
		t.Fatal(err)
	}
	_, err = eng.ApplyPolicy(ctx, sam, refused.PolicyVersion, refused.Statements(), refused.Check)
	if err == nil || !strings.Contains(err.Error(), "only the owner of regions or a superuser may grant privileges on it") {
		t.Fatalf("secadmin granting on a table it does not own: %v", err)
	}
	if eng.Catalog().RLSPolicies["emea"].Using != "region = 'EU'" {
		t.Fatal("the ALTER before the refused GRANT took effect")
	}
	plan, err := desired.MakePlan(ctx, eng.Catalog(), files(""), eng.PolicyAnalyzer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.ApplyPolicy(ctx, sam, plan.PolicyVersion, plan.Statements(), plan.Check); err != nil {
		t.Fatalf("secadmin applying an ALTER RLS POLICY: %v", err)
	}
	if _, ok := eng.Catalog().Roles["AWSIDC:brand-new"]; ok {
		t.Fatal("applying created a role for the admin's group")
	}
}

// TestConcurrentApplies: of two plans made against the same version and
// applied at once, exactly one takes effect; the check sits inside the
// catalog commit, so no change slips in between check and write.
func TestConcurrentApplies(t *testing.T) {
	ctx := context.Background()
	eng := duckdbtest.New(t, 1, fixture, basePolicies)
	an := eng.PolicyAnalyzer()
	plans := make([]*desired.Plan, 2)
	for i, using := range []string{"region IN ('EU', 'AF')", "region IN ('EU', 'US')"} {
		p, err := desired.MakePlan(ctx, eng.Catalog(), []desired.Source{{Name: "p.sql", Text: strings.Replace(basePolicies, "region = 'EU'", using, 1)}}, an)
		if err != nil {
			t.Fatal(err)
		}
		plans[i] = p
	}
	errs := make(chan error, 2)
	for _, p := range plans {
		go func() {
			_, err := eng.ApplyPolicy(ctx, identity.LocalSuperuser(), p.PolicyVersion, p.Statements(), p.Check)
			errs <- err
		}()
	}
	var ok, stale int
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			ok++
		case sqlerr.CodeOf(err) == sqlerr.ConcurrentChange:
			stale++
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if ok != 1 || stale != 1 {
		t.Fatalf("%d applied, %d refused as stale; want one each", ok, stale)
	}
	using := eng.Catalog().RLSPolicies["emea"].Using
	if using != "region IN ('EU', 'AF')" && using != "region IN ('EU', 'US')" {
		t.Fatalf("policy is %q", using)
	}
}
