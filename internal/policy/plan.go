package policy

import (
	"slices"
	"strings"
)

// TablePlan is the decision for one table compiled over all grantees
// instead of for one subject: for each user, role and PUBLIC that holds a
// privilege on the table, has an RLS or masking policy attached to it there,
// or bypasses row level security, what it holds. It is what an engine that
// enforces natively needs (PostgreSQL's per-role policies and column
// grants, Trino's first-match row filters and column masks), without
// calling Decide per subject.
//
// A plan says nothing about who holds which role; that is the catalog's
// Memberships (roles granted to users and to roles, nested), which an engine
// compiles once (GRANT role TO role, groups) or resolves per subject with
// Catalog.Subject.
//
// A subject's Access is recovered from the plan (AccessFor) as the union
// over the subject's grantees: PUBLIC, its user and every role it holds
// (Subject.Roles, transitive). With G those entries of Grantees:
//
//   - Superuser if the subject is one (Subject.Superuser) or any grantee in G
//     is marked Superuser: every column granted, unmasked, every row.
//   - Visible if any grantee in G holds SELECT on the table (every column) or
//     on columns (the union of those columns).
//   - Each granted column is masked by the attachment with the highest
//     Priority among the Masks of G on that column; only attachments of one
//     policy can tie, and the grantee that sorts first (Grantees order) wins.
//     No attachment: unmasked (masking is not default-deny).
//   - Rows: every row if RLS is off, or if any grantee in G is SecAdmin or
//     holds IgnoreRLS. Otherwise the policies attached to grantees in G,
//     each once (Via: the grantees in G it is attached to), combined with
//     Conjunction (AND: a row must pass all; OR: any); none is deny-all.
//
// An engine that compiles per role can therefore give each grantee its
// grants and its policies and let role membership combine them per
// session. In PostgreSQL terms: on an OR table each attached policy is a
// permissive policy TO its grantee (a session sees the union, and nothing
// when none applies); on an AND table each is a restrictive policy TO its
// grantee, plus a permissive USING (true) TO every grantee that has any (so
// a session with no applicable policy still sees nothing). A bypass held
// through any grantee lifts every policy of the session, including those
// of its other roles, which per-role policies cannot express (PostgreSQL's
// BYPASSRLS is not inherited): an engine applies it per session. Masks
// resolve by descending Priority, as Trino's first matching rule does.
type TablePlan struct {
	Table   string
	Columns []Column
	// RLS is the table's row level security switch; Conjunction ("and" or
	// "or") how a subject's applicable policies combine.
	RLS         bool
	Conjunction string
	// Grantees are sorted PUBLIC, roles, users, each by name.
	Grantees []GranteePlan
}

// GranteePlan is what one grantee holds on a table.
type GranteePlan struct {
	Grantee Grantee
	// Grants are the table privileges held ("select", "insert", "update",
	// "delete", "references"); Columns nil means the table level.
	Grants []PlanGrant
	// Superuser marks a superuser user and the role sys:superuser.
	Superuser bool
	// SecAdmin marks the role sys:secadmin, which bypasses row level
	// security (and reads only what it is granted).
	SecAdmin bool
	// IgnoreRLS is true when GRANT IGNORE RLS was made to this grantee.
	IgnoreRLS bool
	// RLS are the RLS policies attached to the table for this grantee, by name.
	RLS []PlanRLS
	// Masks are the masking attachments on the table for this grantee, one
	// per output column, in column order.
	Masks []PlanMask
}

// PlanGrant is one privilege on the table.
type PlanGrant struct {
	Privilege string
	Columns   []string
}

// PlanRLS is an RLS policy as attached to the table.
type PlanRLS struct {
	Policy    string
	Alias     string
	Predicate string
	// With are the target columns the predicate reads.
	With []Column
	// Lookups are the tables the predicate reads; UngrantedLookups those
	// the policy holds no GRANT SELECT ... TO RLS POLICY on.
	Lookups          []string
	UngrantedLookups []string
}

// PlanMask is a masking policy attached to one output column.
type PlanMask struct {
	Column   string
	Policy   string
	Priority int
	// Expr is the expression for this output; Params the policy's inputs
	// and Args the table columns bound to them.
	Expr   string
	Params []Column
	Args   []string
}

// Plans returns the plan of every table, by table name.
func (c *Catalog) Plans() []TablePlan {
	out := make([]TablePlan, 0, len(c.Tables))
	for _, name := range c.TableNames() {
		p, _ := c.Plan(name)
		out = append(out, p)
	}
	return out
}

// Plan compiles the table's decision over all grantees.
func (c *Catalog) Plan(table string) (TablePlan, bool) {
	t, ok := c.Table(table)
	if !ok {
		return TablePlan{}, false
	}
	p := TablePlan{Table: t.Name, Columns: slices.Clone(t.Columns), RLS: t.RLS, Conjunction: conjunction(t)}
	byGrantee := map[Grantee]*GranteePlan{}
	entry := func(g Grantee) *GranteePlan {
		if e, ok := byGrantee[g]; ok {
			return e
		}
		e := &GranteePlan{Grantee: g}
		byGrantee[g] = e
		return e
	}
	entry(Grantee{Kind: KindRole, Name: RoleSuperuser}).Superuser = true
	entry(Grantee{Kind: KindRole, Name: RoleSecAdmin}).SecAdmin = true
	for _, u := range c.Users {
		if u.Superuser {
			entry(Grantee{Kind: KindUser, Name: u.Name}).Superuser = true
		}
	}
	for _, g := range c.SystemGrants {
		if g.Privilege == PrivIgnoreRLS && g.Grantee.Kind != KindPublic {
			entry(g.Grantee).IgnoreRLS = true
		}
	}
	for _, g := range c.TableGrants {
		if g.Table == t.Name {
			e := entry(g.Grantee)
			e.Grants = append(e.Grants, PlanGrant{Privilege: g.Privilege, Columns: slices.Clone(g.Columns)})
		}
	}
	for _, att := range c.RLSAttachments {
		pol, ok := c.RLSPolicies[att.Policy]
		if att.Table != t.Name || !ok {
			continue
		}
		e := entry(att.Grantee)
		if slices.ContainsFunc(e.RLS, func(r PlanRLS) bool { return r.Policy == pol.Name }) {
			continue
		}
		a := c.appliedRLS(pol)
		e.RLS = append(e.RLS, PlanRLS{Policy: a.Policy, Alias: a.Alias, Predicate: a.Predicate, With: slices.Clone(pol.With),
			Lookups: a.Lookups, UngrantedLookups: a.UngrantedLookups})
	}
	colIndex := func(name string) int {
		return slices.IndexFunc(t.Columns, func(col Column) bool { return strings.EqualFold(col.Name, name) })
	}
	for _, att := range c.MaskAttachments {
		pol, ok := c.MaskingPolicies[att.Policy]
		if att.Table != t.Name || !ok {
			continue
		}
		e := entry(att.Grantee)
		for i, out := range att.Outputs {
			ci := colIndex(out)
			if ci < 0 {
				continue
			}
			m := appliedMask(pol, att, i)
			e.Masks = append(e.Masks, PlanMask{Column: t.Columns[ci].Name, Policy: m.Policy, Priority: m.Priority, Expr: m.Expr, Params: m.Params, Args: m.Args})
		}
	}
	for _, e := range byGrantee {
		slices.SortFunc(e.RLS, func(a, b PlanRLS) int { return strings.Compare(a.Policy, b.Policy) })
		slices.SortStableFunc(e.Masks, func(a, b PlanMask) int { return colIndex(a.Column) - colIndex(b.Column) })
		p.Grantees = append(p.Grantees, *e)
	}
	slices.SortFunc(p.Grantees, func(a, b GranteePlan) int { return compareGrantees(a.Grantee, b.Grantee) })
	return p, true
}

// AccessFor recovers the subject's decision from the plan, as the type's
// comment describes; it equals Catalog.Decide for the catalog the plan was
// compiled from. Of the subject it reads User, Roles and Superuser (a
// principal can be a superuser without the catalog saying so); SecAdmin and
// IgnoreRLS come from the plan.
func (p TablePlan) AccessFor(s Subject) Access {
	a := Access{Table: p.Table}
	var mine []GranteePlan
	superuser := s.Superuser
	for _, g := range p.Grantees {
		if s.applies(g.Grantee) {
			mine = append(mine, g)
			superuser = superuser || g.Superuser
		}
	}
	if superuser {
		a.Visible = true
		for _, col := range p.Columns {
			a.Columns = append(a.Columns, ColumnAccess{Column: col, Granted: true})
		}
		a.Reasons = Reasons{{Kind: ReasonSuperuser, Table: p.Table}}
		a.Rows = RowFilter{Conjunction: p.Conjunction}
		return a
	}

	tableLevel, cols := false, map[string]bool{}
	for _, g := range mine {
		for _, gr := range g.Grants {
			switch {
			case gr.Privilege != "select":
			case gr.Columns == nil:
				tableLevel = true
				a.Reasons = append(a.Reasons, Reason{Kind: ReasonTableGrant, Table: p.Table, Via: []Grantee{g.Grantee}})
			default:
				for _, col := range gr.Columns {
					cols[strings.ToLower(col)] = true
				}
				a.Reasons = append(a.Reasons, Reason{Kind: ReasonColumnGrant, Table: p.Table, Via: []Grantee{g.Grantee}, Columns: slices.Clone(gr.Columns)})
			}
		}
	}
	for _, col := range p.Columns {
		ca := ColumnAccess{Column: col, Granted: tableLevel || cols[strings.ToLower(col.Name)]}
		if ca.Granted {
			a.Visible = true
			for _, g := range mine {
				for _, m := range g.Masks {
					if strings.EqualFold(m.Column, col.Name) && (ca.Mask == nil || m.Priority > ca.Mask.Priority) {
						ca.Mask = &AppliedMask{Policy: m.Policy, Priority: m.Priority, Expr: m.Expr, Params: m.Params, Args: m.Args, Via: g.Grantee}
					}
				}
			}
			if ca.Mask != nil {
				a.Reasons = append(a.Reasons, maskReason(p.Table, col.Name, ca.Mask))
			}
		}
		a.Columns = append(a.Columns, ca)
	}
	if !a.Visible {
		a.Reasons = append(a.Reasons, Reason{Kind: ReasonNoGrant, Table: p.Table})
	}

	a.Rows = RowFilter{Conjunction: p.Conjunction}
	bypass := Reason{Bypass: BypassIgnoreRLS}
	for _, g := range mine {
		switch {
		case g.SecAdmin:
			bypass = Reason{Bypass: BypassSecAdmin, Via: []Grantee{g.Grantee}}
		case g.IgnoreRLS && bypass.Bypass == BypassIgnoreRLS && g.Grantee.Kind != KindPublic:
			bypass.Via = append(bypass.Via, g.Grantee)
		}
	}
	bypassed := bypass.Bypass == BypassSecAdmin || len(bypass.Via) > 0
	if p.RLS && !bypassed {
		a.Rows.Enforced = true
		for _, g := range mine {
			for _, r := range g.RLS {
				i := slices.IndexFunc(a.Rows.Policies, func(x AppliedRLS) bool { return x.Policy == r.Policy })
				if i < 0 {
					a.Rows.Policies = append(a.Rows.Policies, AppliedRLS{Policy: r.Policy, Alias: r.Alias, Predicate: r.Predicate,
						Lookups: slices.Clone(r.Lookups), UngrantedLookups: slices.Clone(r.UngrantedLookups)})
					i = len(a.Rows.Policies) - 1
				}
				a.Rows.Policies[i].Via = append(a.Rows.Policies[i].Via, g.Grantee)
			}
		}
		slices.SortFunc(a.Rows.Policies, func(x, y AppliedRLS) int { return strings.Compare(x.Policy, y.Policy) })
	}
	a.Reasons = append(a.Reasons, rowReasons(&Table{Name: p.Table, RLS: p.RLS}, a.Rows, bypass)...)
	return a
}
