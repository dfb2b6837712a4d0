package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/policy"
)

// compiler writes a catalog's compiled form inside the commit's
// transaction. Each table's objects are rebuilt only when its plan
// changed; roles and memberships are brought to the catalog's by a diff.
type compiler struct {
	e      *Engine
	tx     pgx.Tx
	prefix string
	// graph is the membership graph being compiled (see bypass.go).
	graph roleGraph
}

func (c *compiler) role(name string) string { return pgName(c.prefix, name) }

func (c *compiler) exec(ctx context.Context, sql string, args ...any) error {
	if _, err := c.tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("postgres: compile (%s): %w", firstWords(sql, 6), err)
	}
	return nil
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = append(f[:n], "…")
	}
	return strings.Join(f, " ")
}

// compile brings the database's roles, memberships and per-table objects
// from prev's compiled form (nil: unknown, rebuild all) to next's.
func (c *compiler) compile(ctx context.Context, prev, next *policy.Catalog) error {
	if err := c.roles(ctx, next); err != nil {
		return err
	}
	if err := c.memberships(ctx, next); err != nil {
		return err
	}
	session, err := sessionEdges(ctx, c.tx)
	if err != nil {
		return err
	}
	c.graph = newRoleGraph(c.membershipEdges(next), session)
	var prevGraph roleGraph
	if prev != nil {
		prevGraph = newRoleGraph(c.membershipEdges(prev), session)
	}
	views, err := c.views(ctx)
	if err != nil {
		return err
	}
	for _, plan := range next.Plans() {
		// A table statement of this commit may have dropped the view (the
		// view reads every column) and left the plan as it was. A change of
		// memberships may change where a bypass overlaps a restrictive
		// policy (bypass.go).
		if prev != nil && views[plan.Table] {
			if old, ok := prev.Plan(plan.Table); ok && samePlan(old, plan) &&
				overlapKey(c.bypassOverlap(prevGraph, old)) == overlapKey(c.bypassOverlap(c.graph, plan)) {
				continue
			}
		}
		if err := c.table(ctx, next, plan); err != nil {
			return err
		}
	}
	return nil
}

// views lists the views of the public schema.
func (c *compiler) views(ctx context.Context) (map[string]bool, error) {
	rows, err := c.tx.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind = 'v'`, schemaViews)
	if err != nil {
		return nil, fmt.Errorf("postgres: list views: %w", err)
	}
	out := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

func samePlan(a, b policy.TablePlan) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// managedRoles lists the PostgreSQL roles the engine created, by name.
func (c *compiler) managedRoles(ctx context.Context) (map[string]string, error) {
	rows, err := c.tx.Query(ctx, "SELECT pg_name, name FROM tipgate.role_map")
	if err != nil {
		return nil, fmt.Errorf("postgres: read role map: %w", err)
	}
	out := map[string]string{}
	for rows.Next() {
		var p, n string
		if err := rows.Scan(&p, &n); err != nil {
			return nil, err
		}
		out[n] = p
	}
	return out, rows.Err()
}

// roles creates a NOLOGIN INHERIT role per catalog user and role (INHERIT:
// a user's groups' policies must apply to it) and drops those the catalog
// no longer has.
func (c *compiler) roles(ctx context.Context, next *policy.Catalog) error {
	have, err := c.managedRoles(ctx)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for n := range next.Users {
		want[n] = true
	}
	for n := range next.Roles {
		want[n] = true
	}
	for _, n := range []string{policy.RoleSuperuser, policy.RoleSecAdmin} {
		want[n] = true
	}
	for _, name := range sortedKeys(want) {
		if _, ok := have[name]; ok {
			continue
		}
		r := c.role(name)
		var exists bool
		if err := c.tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", r).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if err := c.exec(ctx, "CREATE ROLE "+qi(r)+" NOLOGIN INHERIT"); err != nil {
				return err
			}
		}
		if err := c.exec(ctx, "INSERT INTO tipgate.role_map (pg_name, name) VALUES ($1, $2)", r, name); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(have) {
		if want[name] {
			continue
		}
		r := have[name]
		// The role's privileges in this database go with it; a role that
		// still holds privileges elsewhere on the cluster stays, unmapped.
		if err := c.exec(ctx, "DROP OWNED BY "+qi(r)); err != nil {
			return err
		}
		if err := c.exec(ctx, "DELETE FROM tipgate.session_roles WHERE pg_user = $1 OR pg_role = $1", r); err != nil {
			return err
		}
		if err := c.exec(ctx, "DELETE FROM tipgate.role_map WHERE pg_name = $1", r); err != nil {
			return err
		}
		if _, err := c.tx.Exec(ctx, "SAVEPOINT drop_role"); err != nil {
			return err
		}
		if _, err := c.tx.Exec(ctx, "DROP ROLE IF EXISTS "+qi(r)); err != nil {
			if _, rerr := c.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT drop_role"); rerr != nil {
				return rerr
			}
			c.e.log.WarnContext(ctx, "role kept: it holds privileges outside this database", "role", r, "err", err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

type edge struct{ role, member string }

// memberships grants each catalog membership (and each session role a
// principal's token brought, tipgate.session_roles) as PostgreSQL role
// membership, and revokes the rest between managed roles.
func (c *compiler) memberships(ctx context.Context, next *policy.Catalog) error {
	managed, err := c.managedRoles(ctx)
	if err != nil {
		return err
	}
	want := map[edge]bool{}
	for _, e := range c.membershipEdges(next) {
		want[e] = true
	}
	session, err := sessionEdges(ctx, c.tx)
	if err != nil {
		return err
	}
	for _, e := range session {
		want[e] = true
	}
	names := make([]string, 0, len(managed))
	for _, p := range managed {
		names = append(names, p)
	}
	rows, err := c.tx.Query(ctx, `SELECT r.rolname, m.rolname FROM pg_auth_members am
		JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
		WHERE r.rolname = ANY($1) AND m.rolname = ANY($1)`, names)
	if err != nil {
		return err
	}
	have := map[edge]bool{}
	for rows.Next() {
		var e edge
		if err := rows.Scan(&e.role, &e.member); err != nil {
			return err
		}
		have[e] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for e := range have {
		if !want[e] {
			if err := c.exec(ctx, "REVOKE "+qi(e.role)+" FROM "+qi(e.member)); err != nil {
				return err
			}
		}
	}
	for e := range want {
		if !have[e] {
			if err := c.exec(ctx, "GRANT "+qi(e.role)+" TO "+qi(e.member)); err != nil {
				return err
			}
		}
	}
	return nil
}

// grantee returns the PostgreSQL grantee for a catalog grantee.
func (c *compiler) grantee(g policy.Grantee) string {
	if g.Kind == policy.KindPublic {
		return "PUBLIC"
	}
	return qi(c.role(g.Name))
}

// holds is the SQL condition that the session holds g (through inherited
// membership), as seen from inside a policy or view expression. It is an
// uncorrelated scalar subquery, which PostgreSQL evaluates once per
// statement (an InitPlan), not once per row.
func (c *compiler) holds(g policy.Grantee) string {
	if g.Kind == policy.KindPublic {
		return "true"
	}
	return "(SELECT pg_has_role(current_user, " + qs(c.role(g.Name)) + ", 'USAGE'))"
}

// table rebuilds one table's compiled objects: row security, the policies,
// the masking view in public and the grants on both.
func (c *compiler) table(ctx context.Context, cat *policy.Catalog, p policy.TablePlan) error {
	base := dataTable(p.Table)
	if err := c.exec(ctx, "DROP VIEW IF EXISTS "+viewName(p.Table)); err != nil {
		return err
	}
	// Old policies, lookup functions and grants.
	rows, err := c.tx.Query(ctx, "SELECT policyname FROM pg_policies WHERE schemaname = $1 AND tablename = $2", schemaData, p.Table)
	if err != nil {
		return err
	}
	var old []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		old = append(old, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, n := range old {
		if err := c.exec(ctx, "DROP POLICY "+qi(n)+" ON "+base); err != nil {
			return err
		}
	}
	rows, err = c.tx.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = $1 AND p.proname LIKE $2`, schemaRLS, p.Table+"|%")
	if err != nil {
		return err
	}
	var fns []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		fns = append(fns, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fns {
		if err := c.exec(ctx, "DROP FUNCTION "+f); err != nil {
			return err
		}
	}
	rows, err = c.tx.Query(ctx, `SELECT DISTINCT a.grantee FROM pg_class t, aclexplode(t.relacl) a
		WHERE t.oid = $1::regclass AND a.grantee <> t.relowner`, schemaData+"."+qi(p.Table))
	if err != nil {
		return err
	}
	var grantees []uint32
	for rows.Next() {
		var g uint32
		if err := rows.Scan(&g); err != nil {
			return err
		}
		grantees = append(grantees, g)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range grantees {
		var name string
		if g == 0 {
			name = "PUBLIC"
		} else if err := c.tx.QueryRow(ctx, "SELECT quote_ident(rolname) FROM pg_roles WHERE oid = $1", g).Scan(&name); err != nil {
			return err
		}
		if err := c.exec(ctx, "REVOKE ALL ON "+base+" FROM "+name); err != nil {
			return err
		}
	}

	// Row security: on, and forced, whenever the catalog has it on; then
	// default deny until a policy admits rows.
	if p.RLS {
		if err := c.exec(ctx, "ALTER TABLE "+base+" ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY"); err != nil {
			return err
		}
		if err := c.policies(ctx, cat, p); err != nil {
			return err
		}
	} else if err := c.exec(ctx, "ALTER TABLE "+base+" DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY"); err != nil {
		return err
	}

	view, err := c.view(p)
	if err != nil {
		return err
	}
	if err := c.exec(ctx, "CREATE VIEW "+viewName(p.Table)+" WITH (security_invoker = true) AS "+view); err != nil {
		return err
	}
	// Grants: column grants on the view say what a principal may read; the
	// table grant on the raw table is what security_invoker needs to read
	// it through the view, and schemaData's missing USAGE keeps it out of
	// reach otherwise.
	for _, g := range p.Grantees {
		readsAny := g.Superuser
		for _, gr := range g.Grants {
			if gr.Privilege != "select" {
				continue
			}
			readsAny = true
			cols := ""
			if gr.Columns != nil {
				var qc []string
				for _, col := range gr.Columns {
					qc = append(qc, qi(strings.ToLower(col)))
				}
				cols = " (" + strings.Join(qc, ", ") + ")"
			}
			if err := c.exec(ctx, "GRANT SELECT"+cols+" ON "+viewName(p.Table)+" TO "+c.grantee(g.Grantee)); err != nil {
				return err
			}
		}
		if g.Superuser {
			if err := c.exec(ctx, "GRANT SELECT ON "+viewName(p.Table)+" TO "+c.grantee(g.Grantee)); err != nil {
				return err
			}
		}
		if readsAny {
			if err := c.exec(ctx, "GRANT SELECT ON "+base+" TO "+c.grantee(g.Grantee)); err != nil {
				return err
			}
		}
	}
	return nil
}

// bypassers are the grantees that lift row security for a whole session:
// superusers, sys:secadmin and holders of IGNORE RLS (not PUBLIC).
func bypassers(p policy.TablePlan) []policy.GranteePlan {
	var out []policy.GranteePlan
	for _, g := range p.Grantees {
		if g.Superuser || g.SecAdmin || (g.IgnoreRLS && g.Grantee.Kind != policy.KindPublic) {
			out = append(out, g)
		}
	}
	return out
}

// policies compiles the attached RLS policies with Redshift's semantics
// (policy.TablePlan's comment has the argument): on an OR table each
// attachment is a permissive policy to its grantee; on an AND table a
// restrictive one, with a permissive USING (true) to every grantee that has
// one. A bypass held through any role lifts every policy of the session, so
// it is a permissive USING (true) to the bypassing grantee and an OR
// inside each restrictive policy whose grantee some role holds together
// with it (bypass.go).
func (c *compiler) policies(ctx context.Context, cat *policy.Catalog, p policy.TablePlan) error {
	base := dataTable(p.Table)
	n := 0
	name := func(what string) string {
		n++
		s := fmt.Sprintf("%d|%s", n, what)
		if len(s) > maxIdent {
			s = s[:maxIdent]
		}
		return s
	}
	for _, g := range bypassers(p) {
		if err := c.exec(ctx, "CREATE POLICY "+qi(name("bypass"))+" ON "+base+" AS PERMISSIVE FOR SELECT TO "+c.grantee(g.Grantee)+" USING (true)"); err != nil {
			return err
		}
	}
	overlap := c.bypassOverlap(c.graph, p)
	for _, g := range p.Grantees {
		if len(g.RLS) == 0 {
			continue
		}
		to := c.grantee(g.Grantee)
		key := "PUBLIC"
		if g.Grantee.Kind != policy.KindPublic {
			key = c.role(g.Grantee.Name)
		}
		var bypass []string
		for _, b := range overlap[key] {
			bypass = append(bypass, "pg_has_role(current_user, "+qs(b)+", 'USAGE')")
		}
		if p.Conjunction != "or" {
			if err := c.exec(ctx, "CREATE POLICY "+qi(name("any"))+" ON "+base+" AS PERMISSIVE FOR SELECT TO "+to+" USING (true)"); err != nil {
				return err
			}
		}
		for _, r := range g.RLS {
			pred, err := c.predicate(ctx, cat, p, g, r)
			if err != nil {
				return err
			}
			if p.Conjunction == "or" {
				err = c.exec(ctx, "CREATE POLICY "+qi(name(r.Policy))+" ON "+base+" AS PERMISSIVE FOR SELECT TO "+to+" USING ("+pred+")")
			} else {
				using := pred
				if len(bypass) > 0 {
					// One InitPlan for all of them: one test per row.
					using = "(" + pred + ") OR (SELECT " + strings.Join(bypass, " OR ") + ")"
				}
				err = c.exec(ctx, "CREATE POLICY "+qi(name(r.Policy))+" ON "+base+" AS RESTRICTIVE FOR SELECT TO "+to+" USING ("+using+")")
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}
