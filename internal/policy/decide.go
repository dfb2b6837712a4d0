package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/identity"
)

// Subject is a principal resolved against one catalog version: its user,
// every role it holds (directly, through nesting and as session roles) and
// the bypasses those give.
type Subject struct {
	User           string
	Roles          []string // sorted, transitive
	Superuser      bool
	SecAdmin       bool
	IgnoreRLS      bool
	ExplainRLS     bool
	ExplainMasking bool
}

// Key identifies the subject's policy context within one catalog version:
// two principals with equal keys see exactly the same data.
func (s Subject) Key() string {
	return fmt.Sprintf("%q|%q|%t", s.User, strings.Join(s.Roles, "\x00"), s.Superuser)
}

// Subject resolves p against the catalog. Session roles (from the
// principal's IdP groups) count only if a role of that name exists.
func (c *Catalog) Subject(p identity.Principal) Subject {
	s := Subject{User: p.User, Superuser: p.Superuser}
	if u, ok := c.Users[p.User]; ok && u.Superuser {
		s.Superuser = true
	}
	held := map[string]bool{}
	var queue []string
	add := func(r string) {
		if !held[r] {
			held[r] = true
			queue = append(queue, r)
		}
	}
	for _, m := range c.Memberships {
		if m.Grantee.Kind == KindUser && m.Grantee.Name == p.User {
			add(m.Role)
		}
	}
	for _, r := range p.SessionRoles() {
		if _, ok := c.Roles[r]; ok {
			add(r)
		}
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, m := range c.Memberships {
			if m.Grantee.Kind == KindRole && m.Grantee.Name == r {
				add(m.Role)
			}
		}
	}
	for r := range held {
		s.Roles = append(s.Roles, r)
	}
	slices.Sort(s.Roles)
	if held[RoleSuperuser] {
		s.Superuser = true
	}
	if held[RoleSecAdmin] {
		s.SecAdmin = true
	}
	s.IgnoreRLS = s.Superuser || s.SecAdmin || c.holdsSystem(s, PrivIgnoreRLS)
	s.ExplainRLS = s.Superuser || s.SecAdmin || c.holdsSystem(s, PrivExplainRLS)
	s.ExplainMasking = s.Superuser || s.SecAdmin || c.holdsSystem(s, PrivExplainMasking)
	return s
}

// applies reports whether a grant to g reaches the subject.
func (s Subject) applies(g Grantee) bool {
	switch g.Kind {
	case KindPublic:
		return true
	case KindUser:
		return g.Name == s.User
	case KindRole:
		_, ok := slices.BinarySearch(s.Roles, g.Name)
		return ok
	}
	return false
}

func (c *Catalog) holdsSystem(s Subject, priv string) bool {
	for _, g := range c.SystemGrants {
		if g.Privilege == priv && g.Grantee.Kind != KindPublic && s.applies(g.Grantee) {
			return true
		}
	}
	return false
}

// CanAdminSecurity reports whether the subject may run security DDL.
func (s Subject) CanAdminSecurity() bool { return s.Superuser || s.SecAdmin }

// Access is the decision for one subject on one table.
type Access struct {
	Table string
	// Visible is true when the subject holds SELECT on the table or on at least one column.
	Visible bool
	Columns []ColumnAccess
	Rows    RowFilter
	Reasons Reasons
}

// ColumnAccess says whether a column may be read and how it is masked.
type ColumnAccess struct {
	Column
	Granted bool
	Mask    *AppliedMask
}

// AppliedMask is the masking policy that wins on a column.
type AppliedMask struct {
	Policy   string
	Priority int
	Expr     string
	// Params are the policy's input names; Args the table columns bound to them.
	Params []Column
	Args   []string
	Via    Grantee
}

// AppliedRLS is one RLS policy that filters the subject's rows.
type AppliedRLS struct {
	Policy    string
	Alias     string
	Predicate string
	// Lookups are the tables the predicate reads; UngrantedLookups those
	// of them the policy holds no GRANT SELECT ... TO RLS POLICY on (a
	// read through the policy is then refused).
	Lookups          []string
	UngrantedLookups []string
	// Via are the grantees the policy is attached to that reach the
	// subject, sorted.
	Via []Grantee
}

// RowFilter is the row-level decision.
type RowFilter struct {
	// Enforced is true when RLS is on and the subject does not bypass it.
	Enforced    bool
	Conjunction string // "and" or "or"
	// Policies are sorted by name.
	Policies []AppliedRLS
}

// DenyAll reports whether RLS is enforced with no applicable policy.
func (f RowFilter) DenyAll() bool { return f.Enforced && len(f.Policies) == 0 }

// Decide computes what the subject may read of the table. It is pure, and
// depends only on the catalog's content, not on the order in which its
// grants and attachments were made.
func (c *Catalog) Decide(s Subject, table string) (Access, bool) {
	t, ok := c.Table(table)
	if !ok {
		return Access{}, false
	}
	a := Access{Table: t.Name}
	if s.Superuser {
		a.Visible = true
		for _, col := range t.Columns {
			a.Columns = append(a.Columns, ColumnAccess{Column: col, Granted: true})
		}
		a.Reasons = append(a.Reasons, Reason{Kind: ReasonSuperuser, Table: t.Name})
		a.Rows = RowFilter{Conjunction: conjunction(t)}
		return a, true
	}
	tableLevel := false
	cols := map[string]bool{}
	var grants []TableGrant
	for _, g := range c.TableGrants {
		if g.Table == t.Name && g.Privilege == "select" && s.applies(g.Grantee) {
			grants = append(grants, g)
		}
	}
	slices.SortStableFunc(grants, func(x, y TableGrant) int { return compareGrantees(x.Grantee, y.Grantee) })
	for _, g := range grants {
		if g.Columns == nil {
			tableLevel = true
			a.Reasons = append(a.Reasons, Reason{Kind: ReasonTableGrant, Table: t.Name, Via: []Grantee{g.Grantee}})
			continue
		}
		for _, col := range g.Columns {
			cols[strings.ToLower(col)] = true
		}
		a.Reasons = append(a.Reasons, Reason{Kind: ReasonColumnGrant, Table: t.Name, Via: []Grantee{g.Grantee}, Columns: slices.Clone(g.Columns)})
	}
	for _, col := range t.Columns {
		ca := ColumnAccess{Column: col, Granted: tableLevel || cols[strings.ToLower(col.Name)]}
		if ca.Granted {
			a.Visible = true
			ca.Mask = c.maskFor(s, t.Name, col.Name)
			if ca.Mask != nil {
				a.Reasons = append(a.Reasons, maskReason(t.Name, col.Name, ca.Mask))
			}
		}
		a.Columns = append(a.Columns, ca)
	}
	if !a.Visible {
		a.Reasons = append(a.Reasons, Reason{Kind: ReasonNoGrant, Table: t.Name})
	}
	a.Rows = c.rowFilter(s, t)
	a.Reasons = append(a.Reasons, rowReasons(t, a.Rows, c.bypass(s))...)
	return a, true
}

func maskReason(table, column string, m *AppliedMask) Reason {
	return Reason{Kind: ReasonMask, Table: table, Column: column, Policy: m.Policy, Priority: m.Priority, Via: []Grantee{m.Via}}
}

// rowReasons explains a row filter; bypass is how the subject bypasses
// RLS and who holds that bypass (see Catalog.bypass).
func rowReasons(t *Table, f RowFilter, bypass Reason) []Reason {
	switch {
	case !t.RLS:
		return []Reason{{Kind: ReasonRLSOff, Table: t.Name}}
	case !f.Enforced:
		bypass.Kind, bypass.Table = ReasonIgnoreRLS, t.Name
		return []Reason{bypass}
	case f.DenyAll():
		return []Reason{{Kind: ReasonDenyAll, Table: t.Name}}
	}
	out := make([]Reason, 0, len(f.Policies))
	for _, p := range f.Policies {
		out = append(out, Reason{Kind: ReasonFilter, Table: t.Name, Policy: p.Policy, Via: slices.Clone(p.Via), Conjunction: f.Conjunction})
	}
	return out
}

// bypass says how the subject bypasses row level security, strongest
// first, and through which grantees: superuser; sys:secadmin; IGNORE RLS
// held by the user or a role (never PUBLIC).
func (c *Catalog) bypass(s Subject) Reason {
	switch {
	case s.Superuser:
		return Reason{Bypass: BypassSuperuser}
	case s.SecAdmin:
		return Reason{Bypass: BypassSecAdmin, Via: []Grantee{{Kind: KindRole, Name: RoleSecAdmin}}}
	}
	r := Reason{Bypass: BypassIgnoreRLS}
	for _, g := range c.SystemGrants {
		if g.Privilege == PrivIgnoreRLS && g.Grantee.Kind != KindPublic && s.applies(g.Grantee) && !slices.Contains(r.Via, g.Grantee) {
			r.Via = append(r.Via, g.Grantee)
		}
	}
	slices.SortFunc(r.Via, compareGrantees)
	return r
}

func conjunction(t *Table) string {
	if t.Conjunction == "" {
		return "and"
	}
	return t.Conjunction
}

func (c *Catalog) rowFilter(s Subject, t *Table) RowFilter {
	f := RowFilter{Conjunction: conjunction(t)}
	if !t.RLS || s.IgnoreRLS {
		return f
	}
	f.Enforced = true
	idx := map[string]int{}
	for _, att := range c.RLSAttachments {
		if att.Table != t.Name || !s.applies(att.Grantee) {
			continue
		}
		p, ok := c.RLSPolicies[att.Policy]
		if !ok {
			continue
		}
		if i, seen := idx[p.Name]; seen {
			f.Policies[i].Via = append(f.Policies[i].Via, att.Grantee)
			continue
		}
		idx[p.Name] = len(f.Policies)
		f.Policies = append(f.Policies, c.appliedRLS(p, att.Grantee))
	}
	for i := range f.Policies {
		slices.SortFunc(f.Policies[i].Via, compareGrantees)
	}
	slices.SortFunc(f.Policies, func(a, b AppliedRLS) int { return strings.Compare(a.Policy, b.Policy) })
	return f
}

func (c *Catalog) appliedRLS(p *RLSPolicy, via ...Grantee) AppliedRLS {
	a := AppliedRLS{Policy: p.Name, Alias: p.Alias, Predicate: p.Using, Lookups: slices.Clone(p.Lookups), Via: via}
	for _, lk := range p.Lookups {
		if !c.HasLookupGrant(p.Name, lk) {
			a.UngrantedLookups = append(a.UngrantedLookups, lk)
		}
	}
	return a
}

// maskFor picks the highest-priority masking policy on the column among
// those attached to the subject, its roles or PUBLIC. Only attachments of
// one policy can share a priority on a column; among them the grantee that
// sorts first (compareGrantees) wins, which decides Via and, when the
// attachments bind different input columns, Args.
func (c *Catalog) maskFor(s Subject, table, column string) *AppliedMask {
	var best *AppliedMask
	for _, att := range c.MaskAttachments {
		if att.Table != table || !s.applies(att.Grantee) {
			continue
		}
		i := slices.IndexFunc(att.Outputs, func(o string) bool { return strings.EqualFold(o, column) })
		if i < 0 {
			continue
		}
		if best != nil && (best.Priority > att.Priority || best.Priority == att.Priority && compareGrantees(best.Via, att.Grantee) <= 0) {
			continue
		}
		p, ok := c.MaskingPolicies[att.Policy]
		if !ok {
			continue
		}
		best = appliedMask(p, att, i)
	}
	return best
}

// appliedMask is output i of the attachment of p.
func appliedMask(p *MaskingPolicy, att MaskAttachment, i int) *AppliedMask {
	m := &AppliedMask{Policy: p.Name, Priority: att.Priority, Params: p.Inputs, Via: att.Grantee}
	m.Expr, m.Args = bindMask(p, att, i)
	return m
}

// bindMask returns the expression masking output i of the attachment and the
// table columns bound to the policy's inputs. A single-expression policy
// attached to several outputs masks each of them on its own when it takes one
// input, so ATTACH ... (a, b) with WITH (x type) masks a and b alike.
func bindMask(p *MaskingPolicy, att MaskAttachment, i int) (string, []string) {
	expr := p.Using[0]
	if len(p.Using) > 1 && i < len(p.Using) {
		expr = p.Using[i]
	}
	switch {
	case len(att.Inputs) > 0:
		return expr, att.Inputs
	case len(p.Using) == 1 && len(p.Inputs) == 1:
		return expr, []string{att.Outputs[i]}
	default:
		return expr, att.Outputs
	}
}
