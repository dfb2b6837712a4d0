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
	Reasons []string
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
	Via       []Grantee
}

// RowFilter is the row-level decision.
type RowFilter struct {
	// Enforced is true when RLS is on and the subject does not bypass it.
	Enforced    bool
	Conjunction string // "and" or "or"
	Policies    []AppliedRLS
}

// DenyAll reports whether RLS is enforced with no applicable policy.
func (f RowFilter) DenyAll() bool { return f.Enforced && len(f.Policies) == 0 }

// Decide computes what the subject may read of the table. It is pure.
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
		a.Reasons = append(a.Reasons, "superuser: every column, every row, no masks")
		return a, true
	}
	tableLevel := false
	cols := map[string]bool{}
	for _, g := range c.TableGrants {
		if g.Table != t.Name || g.Privilege != "select" || !s.applies(g.Grantee) {
			continue
		}
		if g.Columns == nil {
			tableLevel = true
			a.Reasons = append(a.Reasons, fmt.Sprintf("SELECT on %s granted to %s", t.Name, g.Grantee))
			continue
		}
		for _, col := range g.Columns {
			cols[strings.ToLower(col)] = true
		}
		a.Reasons = append(a.Reasons, fmt.Sprintf("SELECT (%s) on %s granted to %s", strings.Join(g.Columns, ", "), t.Name, g.Grantee))
	}
	for _, col := range t.Columns {
		ca := ColumnAccess{Column: col, Granted: tableLevel || cols[strings.ToLower(col.Name)]}
		if ca.Granted {
			a.Visible = true
			ca.Mask = c.maskFor(s, t.Name, col.Name)
			if ca.Mask != nil {
				a.Reasons = append(a.Reasons, fmt.Sprintf("column %s masked by %s (priority %d, attached to %s)", col.Name, ca.Mask.Policy, ca.Mask.Priority, ca.Mask.Via))
			}
		}
		a.Columns = append(a.Columns, ca)
	}
	if !a.Visible {
		a.Reasons = append(a.Reasons, fmt.Sprintf("no SELECT privilege on %s or any of its columns", t.Name))
	}
	a.Rows = c.rowFilter(s, t)
	switch {
	case !t.RLS:
		a.Reasons = append(a.Reasons, "row level security is off for "+t.Name)
	case !a.Rows.Enforced:
		a.Reasons = append(a.Reasons, "row level security bypassed: "+bypassReason(s))
	case a.Rows.DenyAll():
		a.Reasons = append(a.Reasons, "row level security is on and no policy applies: no rows")
	default:
		names := make([]string, 0, len(a.Rows.Policies))
		for _, p := range a.Rows.Policies {
			names = append(names, p.Policy)
		}
		a.Reasons = append(a.Reasons, fmt.Sprintf("rows filtered by %s (combined with %s)", strings.Join(names, ", "), strings.ToUpper(a.Rows.Conjunction)))
	}
	return a, true
}

func bypassReason(s Subject) string {
	switch {
	case s.Superuser:
		return "superuser"
	case s.SecAdmin:
		return "holds sys:secadmin"
	default:
		return "holds IGNORE RLS"
	}
}

func (c *Catalog) rowFilter(s Subject, t *Table) RowFilter {
	f := RowFilter{Conjunction: t.Conjunction}
	if f.Conjunction == "" {
		f.Conjunction = "and"
	}
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
		f.Policies = append(f.Policies, AppliedRLS{Policy: p.Name, Alias: p.Alias, Predicate: p.Using, Via: []Grantee{att.Grantee}})
	}
	slices.SortFunc(f.Policies, func(a, b AppliedRLS) int { return strings.Compare(a.Policy, b.Policy) })
	return f
}

// maskFor picks the highest-priority masking policy on the column among
// those attached to the subject, its roles or PUBLIC.
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
		if best != nil && best.Priority >= att.Priority {
			continue
		}
		p, ok := c.MaskingPolicies[att.Policy]
		if !ok {
			continue
		}
		best = &AppliedMask{Policy: p.Name, Priority: att.Priority, Params: p.Inputs, Via: att.Grantee}
		best.Expr, best.Args = bindMask(p, att, i)
	}
	return best
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
