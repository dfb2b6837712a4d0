package desired_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// randomStatement draws one security statement over a small world of
// tables, users, roles and policies, so that random sequences collide often
// (grants to the same grantee, policies on the same column, nested roles).
func randomStatement(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	role := func() string { return pick("r1", "r2", `"AWSIDC:r3"`, "r4") }
	grantee := func() string {
		return pick("ROLE "+role(), "ROLE "+role(), "u1", "u2", "PUBLIC")
	}
	userOrRole := func() string { return pick("ROLE "+role(), "u1", "u2") }
	cols := func() string { return pick("(a)", "(b)", "(a, c)", "(b, c)", "") }
	switch r.IntN(16) {
	case 0:
		return "CREATE ROLE " + role() + pick("", "", " EXTERNALID 'x'", " EXTERNALID 'y'")
	case 1:
		return "GRANT ROLE " + role() + " TO " + userOrRole() + pick("", "", " WITH ADMIN OPTION")
	case 2:
		return "GRANT ROLE " + pick("sys:secadmin", "sys:dba") + " TO ROLE " + role()
	case 3, 4:
		return "GRANT " + pick("SELECT", "SELECT", "UPDATE", "INSERT", "ALL") + " " + cols() + " ON TABLE " + pick("t1", "t2") + " TO " + grantee()
	case 5:
		return "REVOKE " + pick("SELECT", "UPDATE") + " " + cols() + " ON TABLE " + pick("t1", "t2") + " FROM " + grantee()
	case 6:
		return "GRANT " + pick("IGNORE RLS", "EXPLAIN RLS", "EXPLAIN MASKING") + " TO " + userOrRole()
	case 7:
		return "CREATE RLS POLICY " + pick("p1", "p2", "p3") + pick(
			" WITH (a INT) USING (a > 1)", " WITH (a INT) USING (a < 5)", " WITH (b VARCHAR(10)) USING (b = current_user)",
			" WITH (a INT) AS x USING (x.a = 2)", " WITH (a INT) USING (a IN (SELECT a FROM t3))", " USING (true)")
	case 8:
		return "ALTER RLS POLICY " + pick("p1", "p2", "p3") + pick(" USING (a > 3)", " USING (a IN (SELECT a FROM t3 WHERE a > 1))", " USING (false)")
	case 9, 10:
		return "ATTACH RLS POLICY " + pick("p1", "p2", "p3") + " ON " + pick("t1", "t2", "t1, t2") + " TO " + grantee()
	case 11:
		return "CREATE MASKING POLICY " + pick("m1", "m2", "m3") + pick(
			" WITH (b VARCHAR(10)) USING ('***'::VARCHAR(10))", " WITH (b VARCHAR(10)) USING (upper(b))", " WITH (c INT) USING (0)", " WITH (c INT) USING (c * 2)")
	case 12:
		return "ALTER MASKING POLICY " + pick("m1", "m2", "m3") + pick(" USING ('#'::VARCHAR(10))", " USING (-1)")
	case 13, 14:
		return "ATTACH MASKING POLICY " + pick("m1", "m2", "m3") + " ON " + pick("t1", "t2") + pick(" (b)", " (c)", " (b) USING (b)") +
			" TO " + grantee() + pick("", " PRIORITY 10", " PRIORITY 20")
	default:
		return "ALTER TABLE " + pick("t1", "t2", "t3") + " ROW LEVEL SECURITY " + pick("ON", "OFF") + pick("", " CONJUNCTION TYPE OR", " CONJUNCTION TYPE AND") + pick("", "", " FOR DATASHARES")
	}
}

// randomCatalog applies n random statements to base, keeping those that
// Redshift's rules admit.
func randomCatalog(t *testing.T, base *policy.Catalog, an policy.Analyzer, seed uint64, n int) *policy.Catalog {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	cur := base
	env := policy.Env{Actor: policy.Subject{User: "admin", Superuser: true}, Analyzer: an}
	for range n {
		st, err := ddl.Parse(randomStatement(r))
		if err != nil {
			continue // e.g. INSERT on columns, which Redshift's grammar refuses
		}
		if next, err := cur.Apply(context.Background(), st, env); err == nil {
			cur = next
		}
	}
	return cur
}

// TestDiffRandomCatalogs: between any two valid catalogs over the same
// tables and users, the plan reaches the target exactly (Diff fails
// otherwise), in both directions, and planning the target's export from
// either is the same plan.
func TestDiffRandomCatalogs(t *testing.T) {
	ctx := context.Background()
	eng := duckdbtest.New(t, 1, `
CREATE TABLE t1 (a INT, b VARCHAR(10), c INT);
CREATE TABLE t2 (a INT, b VARCHAR(10), c INT);
CREATE TABLE t3 (a INT);
CREATE USER u1;
CREATE USER u2;`)
	an := eng.PolicyAnalyzer()
	base, err := desired.Base(eng.Catalog())
	if err != nil {
		t.Fatal(err)
	}
	pairs := 150
	if testing.Short() {
		pairs = 30
	}
	steps, nonEmpty := 0, 0
	for i := range pairs {
		a := randomCatalog(t, base, an, uint64(2*i), 40)
		b := randomCatalog(t, base, an, uint64(2*i+1), 40)
		for _, c := range []struct {
			name     string
			from, to *policy.Catalog
		}{{"a→b", a, b}, {"b→a", b, a}, {"a→a", a, a}} {
			plan, err := desired.PlanTo(ctx, c.from, c.to, an)
			if err != nil {
				t.Fatalf("pair %d %s: %v", i, c.name, err)
			}
			if c.name == "a→a" && len(plan.Steps) != 0 {
				t.Fatalf("pair %d: a catalog plans %d changes to itself:\n%s", i, len(plan.Steps), plan.Text())
			}
			steps += len(plan.Steps)
			if len(plan.Steps) > 0 {
				nonEmpty++
			}
		}
		files, err := desired.Export(ctx, b, an)
		if err != nil {
			t.Fatalf("pair %d: export: %v", i, err)
		}
		viaFiles, err := desired.MakePlan(ctx, a, files, an)
		if err != nil {
			t.Fatalf("pair %d: plan of the export: %v", i, err)
		}
		if viaFiles.Fingerprint != desired.Fingerprint(b) {
			t.Fatalf("pair %d: the export of b does not build b", i)
		}
	}
	t.Logf("%d pairs of random catalogs: %d non-empty plans, %d statements, all reaching their target", pairs, nonEmpty, steps)
}
