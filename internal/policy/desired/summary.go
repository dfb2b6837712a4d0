package desired

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
)

// Change is what one grantee's holders see differently after a plan.
type Change struct {
	// Grantee is "role NAME", "user NAME" or "PUBLIC".
	Grantee string   `json:"grantee"`
	Changes []string `json:"changes"`
}

// holderPrefix names the synthetic users that stand for "someone holding
// exactly this role"; NUL cannot occur in a real user name (validName).
const holderPrefix = "\x00holder:"

// holders returns a copy of c with one synthetic user per role holding
// just that role, so Decide can answer for the role's holders.
func holders(c *policy.Catalog, roles []string) *policy.Catalog {
	h, err := copyCatalog(c)
	if err != nil {
		panic(fmt.Sprintf("desired: catalog does not copy: %v", err)) // plain data only
	}
	for _, r := range roles {
		if _, ok := c.Roles[r]; ok || policy.IsSystemRole(r) {
			h.Memberships = append(h.Memberships, policy.Membership{Role: r, Grantee: policy.Grantee{Kind: policy.KindUser, Name: holderPrefix + r}})
		}
	}
	return h
}

// Summarize says, per role, per user named in a grant and for PUBLIC, what
// becomes visible or hidden between before and after, from Decide on both:
// tables gained or lost, row filters and column states (granted, masked by
// which policy, denied). Grantees whose decisions do not move are left out.
func Summarize(before, after *policy.Catalog) []Change {
	roleSet := map[string]bool{}
	userSet := map[string]bool{}
	for _, c := range []*policy.Catalog{before, after} {
		for r := range c.Roles {
			roleSet[r] = true
		}
		for _, m := range c.Memberships {
			if policy.IsSystemRole(m.Role) {
				roleSet[m.Role] = true
			}
		}
		for _, g := range grantees(c) {
			if g.Kind == policy.KindUser {
				userSet[g.Name] = true
			}
		}
	}
	roles := slices.Sorted(maps.Keys(roleSet))
	hb, ha := holders(before, roles), holders(after, roles)
	type who struct {
		label string
		user  string
	}
	list := []who{{label: "PUBLIC", user: holderPrefix}}
	for _, r := range roles {
		list = append(list, who{label: "role " + r, user: holderPrefix + r})
	}
	for _, u := range slices.Sorted(maps.Keys(userSet)) {
		list = append(list, who{label: "user " + u, user: u})
	}
	tables := slices.Sorted(maps.Keys(after.Tables))
	var out []Change
	for _, w := range list {
		p := identity.Principal{User: w.user}
		sb, sa := hb.Subject(p), ha.Subject(p)
		var lines []string
		for _, t := range tables {
			ab, _ := hb.Decide(sb, t)
			aa, _ := ha.Decide(sa, t)
			lines = append(lines, tableChanges(t, ab, aa)...)
		}
		if len(lines) > 0 {
			out = append(out, Change{Grantee: w.label, Changes: lines})
		}
	}
	return out
}

func grantees(c *policy.Catalog) []policy.Grantee {
	var out []policy.Grantee
	for _, m := range c.Memberships {
		out = append(out, m.Grantee)
	}
	for _, g := range c.TableGrants {
		out = append(out, g.Grantee)
	}
	for _, g := range c.SystemGrants {
		out = append(out, g.Grantee)
	}
	for _, a := range c.RLSAttachments {
		out = append(out, a.Grantee)
	}
	for _, a := range c.MaskAttachments {
		out = append(out, a.Grantee)
	}
	return out
}

func tableChanges(table string, before, after policy.Access) []string {
	if !before.Visible && !after.Visible {
		return nil
	}
	var out []string
	if before.Visible != after.Visible {
		out = append(out, fmt.Sprintf("%s: %s → %s", table, visibility(before), visibility(after)))
	}
	if rb, ra := rows(before), rows(after); rb != ra {
		out = append(out, fmt.Sprintf("%s rows: %s → %s", table, rb, ra))
	}
	// Columns are grouped by how they change, in table order.
	type move struct{ from, to string }
	var order []move
	cols := map[move][]string{}
	for i, ca := range after.Columns {
		from := "denied"
		if i < len(before.Columns) {
			from = column(before, before.Columns[i])
		}
		m := move{from, column(after, ca)}
		if m.from == m.to {
			continue
		}
		if _, ok := cols[m]; !ok {
			order = append(order, m)
		}
		cols[m] = append(cols[m], ca.Name)
	}
	for _, m := range order {
		what := "column " + cols[m][0]
		switch {
		case len(cols[m]) == len(after.Columns) && len(cols[m]) > 1:
			what = "all columns"
		case len(cols[m]) > 1:
			what = "columns " + strings.Join(cols[m], ", ")
		}
		out = append(out, fmt.Sprintf("%s %s: %s → %s", table, what, m.from, m.to))
	}
	return out
}

func visibility(a policy.Access) string {
	if a.Visible {
		return "readable"
	}
	return "no access"
}

func rows(a policy.Access) string {
	f := a.Rows
	switch {
	case !a.Visible:
		return "none (no access)"
	case !f.Enforced:
		return "all"
	case f.DenyAll():
		return "none (row level security on, no policy applies)"
	}
	parts := make([]string, len(f.Policies))
	for i, p := range f.Policies {
		parts[i] = p.Predicate
		if len(f.Policies) > 1 {
			parts[i] = "(" + p.Predicate + ")"
		}
	}
	return "where " + strings.Join(parts, " "+strings.ToUpper(f.Conjunction)+" ")
}

func column(a policy.Access, c policy.ColumnAccess) string {
	switch {
	case !a.Visible || !c.Granted:
		return "denied"
	case c.Mask != nil:
		return "masked by " + c.Mask.Policy + " (" + c.Mask.Expr + ")"
	}
	return "granted"
}
