package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/policy"
)

// Bypassing row security (IGNORE RLS, sys:secadmin, superusers) lifts
// every policy of the session, restrictive ones included. PostgreSQL has no
// way to exempt a role from a restrictive policy its other roles bring
// (BYPASSRLS is not inherited), so a restrictive policy must itself admit
// a session that holds a bypassing role: "pred OR <session bypasses>".
// That test is one InitPlan per statement but one more step on every row
// the predicate rejects, a few percent of a scan. It is needed only where
// some role holds both the policy's grantee and a bypassing grantee; the
// compiler works that out from the membership graph (the catalog's and
// the session roles tokens brought) and writes the OR only there. A change
// of memberships that creates or removes such an overlap rebuilds the
// table, in the same transaction.

// roleGraph maps a PostgreSQL role to the roles granted to it directly.
type roleGraph map[string][]string

// membershipEdges are the catalog's memberships as PostgreSQL role names.
func (c *compiler) membershipEdges(cat *policy.Catalog) []edge {
	var out []edge
	for _, m := range cat.Memberships {
		if m.Grantee.Kind == policy.KindPublic {
			continue
		}
		out = append(out, edge{c.role(m.Role), c.role(m.Grantee.Name)})
	}
	return out
}

// sessionEdges reads the session roles tokens brought (tipgate.session_roles).
func sessionEdges(ctx context.Context, tx pgx.Tx) ([]edge, error) {
	rows, err := tx.Query(ctx, "SELECT pg_role, pg_user FROM tipgate.session_roles")
	if err != nil {
		return nil, fmt.Errorf("postgres: read session roles: %w", err)
	}
	var out []edge
	for rows.Next() {
		var e edge
		if err := rows.Scan(&e.role, &e.member); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func newRoleGraph(edges ...[]edge) roleGraph {
	g := roleGraph{}
	for _, es := range edges {
		for _, e := range es {
			if !slices.Contains(g[e.member], e.role) {
				g[e.member] = append(g[e.member], e.role)
			}
		}
	}
	return g
}

// held is n and every role n holds through inherited membership.
func (g roleGraph) held(n string) map[string]bool {
	out := map[string]bool{n: true}
	queue := []string{n}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, up := range g[r] {
			if !out[up] {
				out[up] = true
				queue = append(queue, up)
			}
		}
	}
	return out
}

// bypassOverlap returns, for each grantee with RLS policies on an AND
// table (by PostgreSQL role name, "PUBLIC" for PUBLIC), the bypassing
// grantees that some role holds together with it, sorted. Grantees with
// none are absent.
func (c *compiler) bypassOverlap(g roleGraph, p policy.TablePlan) map[string][]string {
	if p.Conjunction == "or" {
		return nil
	}
	byp := bypassers(p)
	if len(byp) == 0 {
		return nil
	}
	nodes := map[string]bool{}
	for m, rs := range g {
		nodes[m] = true
		for _, r := range rs {
			nodes[r] = true
		}
	}
	for _, gp := range p.Grantees {
		if gp.Grantee.Kind != policy.KindPublic {
			nodes[c.role(gp.Grantee.Name)] = true
		}
	}
	out := map[string][]string{}
	for n := range nodes {
		h := g.held(n)
		for _, gp := range p.Grantees {
			if len(gp.RLS) == 0 {
				continue
			}
			key := "PUBLIC"
			if gp.Grantee.Kind != policy.KindPublic {
				key = c.role(gp.Grantee.Name)
				if !h[key] {
					continue
				}
			}
			for _, b := range byp {
				if r := c.role(b.Grantee.Name); h[r] && !slices.Contains(out[key], r) {
					out[key] = append(out[key], r)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// overlapKey renders bypassOverlap for comparison.
func overlapKey(m map[string][]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%q:%q;", k, m[k])
	}
	return b.String()
}
