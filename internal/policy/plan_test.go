package policy

import (
	"bufio"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// accessJSON renders a decision for comparison: every field, pointers
// followed.
func accessJSON(a Access) string {
	b, err := json.MarshalIndent(a, "", " ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// planAccess recovers p's decision on the table from the table's Plan.
// AccessFor is given only what a principal brings (user, roles, its own
// superuser flag): it must find sys:superuser, CREATEUSER users,
// sys:secadmin and IGNORE RLS in the plan.
func planAccess(c *Catalog, p identity.Principal, table string) (got, want Access) {
	sub := c.Subject(p)
	want, _ = c.Decide(sub, table)
	plan, _ := c.Plan(table)
	return plan.AccessFor(Subject{User: sub.User, Roles: sub.Roles, Superuser: p.Superuser}), want
}

// checkPlan fails the test when the table's Plan does not give p the
// decision Decide gives it.
func checkPlan(t *testing.T, c *Catalog, p identity.Principal, table string) {
	t.Helper()
	got, want := planAccess(c, p, table)
	if g, w := accessJSON(got), accessJSON(want); g != w {
		t.Errorf("Plan(%s).AccessFor(%s %v) differs from Decide:\nplan   %s\ndecide %s", table, p.User, p.Groups, g, w)
	}
}

// probeRole returns a catalog with a fresh user holding only role, and
// that user, so a role can be checked as a subject of its own.
func probeRole(c *Catalog, role string) (*Catalog, identity.Principal) {
	n := c.clone()
	const probe = "plan-probe"
	n.Users[probe] = &User{Name: probe}
	n.Memberships = append(n.Memberships, Membership{Role: role, Grantee: Grantee{Kind: KindUser, Name: probe}})
	return n, identity.Principal{User: probe}
}

// propertyStats counts what checkAll checked.
type propertyStats struct {
	states, checks int
	// pairs are the distinct (scope, subject, table) checked, the scope
	// being a script or a random catalog (states of one scope count once).
	pairs map[string]bool
}

// checkAll checks the property for every table of c and every subject:
// the given principals, every user of the catalog, every role (through a
// probe user holding only it), the local superuser and an unknown user.
func checkAll(t *testing.T, c *Catalog, principals []identity.Principal, st *propertyStats, where string) {
	t.Helper()
	st.states++
	type subj struct {
		cat *Catalog
		p   identity.Principal
		key string
	}
	subs := []subj{{c, identity.LocalSuperuser(), "superuser"}, {c, identity.Principal{User: "plan-nobody"}, "nobody"}}
	for _, p := range principals {
		subs = append(subs, subj{c, p, "as " + p.User + " " + strings.Join(p.Groups, ",")})
	}
	for _, u := range slices.Sorted(maps.Keys(c.Users)) {
		subs = append(subs, subj{c, identity.Principal{User: u}, "user " + u})
	}
	for _, r := range append(slices.Sorted(maps.Keys(c.Roles)), systemRoles...) {
		pc, p := probeRole(c, r)
		subs = append(subs, subj{pc, p, "role " + r})
	}
	plans := map[*Catalog]map[string]TablePlan{}
	for _, s := range subs {
		if plans[s.cat] == nil {
			plans[s.cat] = map[string]TablePlan{}
			for _, tp := range s.cat.Plans() {
				plans[s.cat][tp.Table] = tp
			}
		}
		sub := s.cat.Subject(s.p)
		for _, name := range s.cat.TableNames() {
			want, _ := s.cat.Decide(sub, name)
			got := plans[s.cat][name].AccessFor(Subject{User: sub.User, Roles: sub.Roles, Superuser: s.p.Superuser})
			st.checks++
			scope, _, _ := strings.Cut(where, ":")
			st.pairs[scope+"|"+s.key+"|"+name] = true
			if g, w := accessJSON(got), accessJSON(want); g != w {
				t.Fatalf("%s: Plan(%s).AccessFor(%s) differs from Decide:\nplan   %s\ndecide %s", where, name, s.key, g, w)
			}
		}
	}
}

// scriptRecord is a statement record of a semantics script, or a query
// record (no SQL kept), with the principal it runs as.
type scriptRecord struct {
	line      int
	as        identity.Principal
	statement bool
	wantError bool
	sql       string
}

// readScript reads the records of a testdata/semantics script (format:
// internal/engine/conformance/script.go). It keeps only what the property
// test needs and ignores lines it does not know, such as engine
// directives.
func readScript(t *testing.T, path string) []scriptRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []scriptRecord
	as := identity.LocalSuperuser()
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return strings.TrimSpace(sc.Text()), true
	}
	for {
		l, ok := next()
		if !ok {
			break
		}
		switch {
		case strings.HasPrefix(l, "as "):
			f := strings.Fields(l[3:])
			if len(f) == 1 && f[0] == "superuser" {
				as = identity.LocalSuperuser()
				continue
			}
			var groups []string
			if len(f) > 1 {
				g, _ := strings.CutPrefix(f[1], "groups=")
				groups = strings.Split(g, ",")
			}
			p, err := identity.Simulated(f[0], identity.DefaultNamespace, groups)
			if err != nil {
				t.Fatalf("%s:%d: %v", path, line, err)
			}
			as = p
		case l == "statement ok" || strings.HasPrefix(l, "statement error") || l == "query" || strings.HasPrefix(l, "query "):
			rec := scriptRecord{line: line, as: as, statement: strings.HasPrefix(l, "statement"), wantError: strings.HasPrefix(l, "statement error")}
			var sql []string
			for {
				l, ok := next()
				if !ok || l == "" || l == "----" {
					if l == "----" {
						for l, ok := next(); ok && l != ""; l, ok = next() {
						}
					}
					break
				}
				sql = append(sql, l)
			}
			rec.sql = strings.Join(sql, "\n")
			out = append(out, rec)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlanAgreesWithDecideOnSemantics replays every semantics script's
// catalog changes through the policy package (security DDL through Apply as
// the record's principal, CREATE/DROP/ALTER TABLE through the catalog's
// table methods; records expected to fail and statements the package
// cannot apply, such as INSERT, are skipped) and, at every catalog state a
// query of the script reads, checks Plan(t).AccessFor(sub) == Decide(sub, t)
// for every table and every subject (checkAll).
func TestPlanAgreesWithDecideOnSemantics(t *testing.T) {
	files, err := filepath.Glob("../../testdata/semantics/*.test")
	if err != nil || len(files) == 0 {
		t.Fatalf("no semantics scripts: %v", err)
	}
	total := propertyStats{pairs: map[string]bool{}}
	applied, skipped, failed := 0, 0, 0
	for _, file := range files {
		recs := readScript(t, file)
		var principals []identity.Principal
		seen := map[string]bool{}
		for _, r := range recs {
			if k := r.as.User + "|" + strings.Join(r.as.Groups, ","); !r.as.Superuser && !seen[k] {
				seen[k] = true
				principals = append(principals, r.as)
			}
		}
		c := New()
		checked := int64(-1)
		for _, r := range recs {
			where := fmt.Sprintf("%s:%d", filepath.Base(file), r.line)
			if !r.as.Superuser {
				if n, err := c.EnsureUser(r.as.User); err == nil {
					c = n
				}
			}
			if !r.statement {
				if c.Version != checked {
					checkAll(t, c, principals, &total, where)
					checked = c.Version
				}
				continue
			}
			if r.wantError {
				continue
			}
			stmts, err := sqlscan.Split(r.sql)
			if err != nil {
				skipped++
				continue
			}
			for _, st := range stmts {
				n, handled, err := loadStmt(c, st.Text, c.Subject(r.as))
				switch {
				case !handled:
					skipped++
					t.Logf("%s: skipped: %s", where, strings.SplitN(st.Text, "\n", 2)[0])
				case err != nil:
					// The engine applied it; the policy package alone
					// could not (for example a table created as a query).
					failed++
					t.Logf("%s: not applied: %s: %v", where, strings.SplitN(st.Text, "\n", 2)[0], err)
				default:
					applied++
					c = n
				}
			}
		}
		checkAll(t, c, principals, &total, filepath.Base(file)+":end")
	}
	t.Logf("%d scripts: %d statements applied, %d skipped (not catalog changes), %d failed; %d catalog states, %d checks, %d distinct (script, subject, table)",
		len(files), applied, skipped, failed, total.states, total.checks, len(total.pairs))
	if applied < 100 || total.checks < 1000 {
		t.Errorf("the semantics scripts exercised too little: %d statements, %d checks", applied, total.checks)
	}
}

// TestPlanAgreesWithDecideOnRandomCatalogs checks the property on seeded
// random catalogs: random security DDL (roles, nesting, grants at table and
// column level, RLS policies with lookups, conjunctions, IGNORE RLS,
// system roles, masks with priorities, revokes and detaches) over a few
// tables, statements that fail skipped.
func TestPlanAgreesWithDecideOnRandomCatalogs(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 50
	}
	total := propertyStats{pairs: map[string]bool{}}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 16))
		c := build(t, `
CREATE TABLE t0 (id INT, region VARCHAR(10), secret VARCHAR(10), flag BOOLEAN);
CREATE TABLE t1 (id INT, region VARCHAR(10));
CREATE TABLE lk (region VARCHAR(10));
CREATE ROLE r0; CREATE ROLE r1; CREATE ROLE r2; CREATE ROLE r3; CREATE ROLE "AWSIDC:g0"; CREATE ROLE "AWSIDC:g1";
CREATE USER u0; CREATE USER u1; CREATE USER u2; CREATE USER u3 CREATEUSER;
CREATE RLS POLICY p0 WITH (region VARCHAR(10)) USING (region = 'a');
CREATE RLS POLICY p1 WITH (region VARCHAR(10)) USING (region IN (SELECT region FROM lk));
CREATE RLS POLICY p2 WITH (id INT) AS x USING (x.id > 1);
CREATE RLS POLICY p3 USING (current_user = 'u0');
CREATE MASKING POLICY m0 WITH (v VARCHAR(10)) USING ('*'::VARCHAR(10));
CREATE MASKING POLICY m1 WITH (v VARCHAR(10)) USING (upper(v));
CREATE MASKING POLICY m2 WITH (f BOOLEAN, v VARCHAR(10)) USING (CASE WHEN f THEN v END);
CREATE MASKING POLICY m3 WITH (n INT) USING (0);
`)
		var principals []identity.Principal
		for range 4 {
			p := identity.Principal{User: pick(rng, "u0", "u1", "u2", "u3", "AWSIDC:x@example.com"), Namespace: "AWSIDC"}
			for _, g := range []string{"g0", "g1", "g2"} {
				if rng.IntN(2) == 0 {
					p.Groups = append(p.Groups, g)
				}
			}
			principals = append(principals, p)
		}
		admin := Subject{User: "admin", Superuser: true}
		for range 40 {
			sql := randomStatement(rng)
			if n, handled, err := loadStmt(c, sql, admin); err == nil && handled {
				c = n
			}
		}
		checkAll(t, c, principals, &total, fmt.Sprintf("seed %d", seed))
	}
	t.Logf("%d random catalogs: %d checks, %d distinct (catalog, subject, table)", seeds, total.checks, len(total.pairs))
}

func pick(rng *rand.Rand, xs ...string) string { return xs[rng.IntN(len(xs))] }

func randomGrantee(rng *rand.Rand, public bool) string {
	opts := []string{"ROLE r0", "ROLE r1", "ROLE r2", "ROLE r3", `ROLE "AWSIDC:g0"`, `ROLE "AWSIDC:g1"`, "u0", "u1", "u2"}
	if public {
		opts = append(opts, "PUBLIC", "PUBLIC")
	}
	return pick(rng, opts...)
}

func randomStatement(rng *rand.Rand) string {
	tbl := pick(rng, "t0", "t0", "t1")
	role := pick(rng, "r0", "r1", "r2", "r3", `"AWSIDC:g0"`, `"AWSIDC:g1"`)
	switch rng.IntN(12) {
	case 0:
		return fmt.Sprintf("GRANT ROLE %s TO %s", role, randomGrantee(rng, false))
	case 1:
		return fmt.Sprintf("REVOKE ROLE %s FROM %s", role, randomGrantee(rng, false))
	case 2:
		return fmt.Sprintf("GRANT %s ON %s TO %s", pick(rng, "SELECT", "SELECT", "INSERT", "UPDATE (id)"), tbl, randomGrantee(rng, true))
	case 3:
		return fmt.Sprintf("GRANT SELECT (%s) ON %s TO %s", pick(rng, "id", "region", "id, region"), tbl, randomGrantee(rng, true))
	case 4:
		return fmt.Sprintf("REVOKE SELECT ON %s FROM %s", tbl, randomGrantee(rng, true))
	case 5:
		return fmt.Sprintf("ATTACH RLS POLICY %s ON %s TO %s", pick(rng, "p0", "p1", "p2", "p3"), tbl, randomGrantee(rng, true))
	case 6:
		return fmt.Sprintf("DETACH RLS POLICY %s ON %s FROM %s", pick(rng, "p0", "p1", "p2", "p3"), tbl, randomGrantee(rng, true))
	case 7:
		return fmt.Sprintf("ALTER TABLE %s ROW LEVEL SECURITY %s CONJUNCTION TYPE %s", tbl, pick(rng, "ON", "ON", "OFF"), pick(rng, "AND", "OR"))
	case 8:
		switch rng.IntN(4) {
		case 0:
			return "GRANT IGNORE RLS TO " + randomGrantee(rng, false)
		case 1:
			return "REVOKE IGNORE RLS FROM " + randomGrantee(rng, false)
		case 2:
			return fmt.Sprintf("GRANT ROLE %s TO %s", pick(rng, "sys:secadmin", "sys:superuser"), randomGrantee(rng, false))
		}
		return pick(rng, "REVOKE SELECT ON lk FROM RLS POLICY p1", "GRANT SELECT ON lk TO RLS POLICY p1")
	case 9, 10:
		prio := rng.IntN(4) * 10
		switch rng.IntN(4) {
		case 0:
			return fmt.Sprintf("ATTACH MASKING POLICY %s ON t0(%s) TO %s PRIORITY %d", pick(rng, "m0", "m1"), pick(rng, "region", "secret", "region, secret"), randomGrantee(rng, true), prio)
		case 1:
			return fmt.Sprintf("ATTACH MASKING POLICY m2 ON t0(secret) USING (flag, %s) TO %s PRIORITY %d", pick(rng, "secret", "region"), randomGrantee(rng, true), prio)
		case 2:
			return fmt.Sprintf("ATTACH MASKING POLICY m3 ON %s(id) TO %s PRIORITY %d", tbl, randomGrantee(rng, true), prio)
		}
		return fmt.Sprintf("ATTACH MASKING POLICY %s ON %s(region) TO %s PRIORITY %d", pick(rng, "m0", "m1"), tbl, randomGrantee(rng, true), prio)
	}
	return fmt.Sprintf("DETACH MASKING POLICY %s ON t0(%s) FROM %s", pick(rng, "m0", "m1"), pick(rng, "region", "secret"), randomGrantee(rng, true))
}

// The plan lists what each grantee holds, sorted, with the table's switch.
func TestPlanShape(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT ON t TO ROLE reader;
GRANT SELECT (id) ON t TO alice;
GRANT INSERT ON t TO PUBLIC;
CREATE RLS POLICY east WITH (region VARCHAR(10)) AS s USING (s.region IN (SELECT region FROM other));
ATTACH RLS POLICY east ON t TO ROLE reader;
ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE OR;
CREATE MASKING POLICY hide WITH (v VARCHAR(20)) USING ('x'::VARCHAR(20));
ATTACH MASKING POLICY hide ON t(secret) TO ROLE reader PRIORITY 7;
GRANT IGNORE RLS TO bob;
CREATE USER root CREATEUSER;
REVOKE SELECT ON other FROM RLS POLICY east;
`)
	p, ok := c.Plan("T")
	if !ok || p.Table != "t" || !p.RLS || p.Conjunction != "or" || len(p.Columns) != 3 {
		t.Fatalf("plan = %+v", p)
	}
	var got []string
	for _, g := range p.Grantees {
		s := g.Grantee.String() + ":"
		for _, gr := range g.Grants {
			s += " " + gr.Privilege
			if gr.Columns != nil {
				s += "(" + strings.Join(gr.Columns, ",") + ")"
			}
		}
		for _, r := range g.RLS {
			s += fmt.Sprintf(" rls %s %s alias=%s lookups=%v ungranted=%v", r.Policy, r.Predicate, r.Alias, r.Lookups, r.UngrantedLookups)
		}
		for _, m := range g.Masks {
			s += fmt.Sprintf(" mask %s=%s@%d", m.Column, m.Policy, m.Priority)
		}
		if g.Superuser {
			s += " superuser"
		}
		if g.SecAdmin {
			s += " secadmin"
		}
		if g.IgnoreRLS {
			s += " ignore-rls"
		}
		got = append(got, s)
	}
	want := []string{
		"PUBLIC: insert",
		"ROLE reader: select rls east s.region IN (SELECT region FROM other) alias=s lookups=[other] ungranted=[other] mask secret=hide@7",
		"ROLE sys:secadmin: secadmin",
		"ROLE sys:superuser: superuser",
		"alice: select(id)",
		"bob: ignore-rls",
		"root: superuser",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan grantees:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := c.Plan("nosuch"); ok {
		t.Error("plan of a missing table")
	}
	if n := len(c.Plans()); n != 2 {
		t.Errorf("%d plans", n)
	}
}
