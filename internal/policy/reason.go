package policy

import (
	"cmp"
	"fmt"
	"strings"
)

// ReasonKind says which rule of the decision a Reason records.
type ReasonKind string

// Reason kinds. A decision (Access.Reasons) holds, in this order: either
// one ReasonSuperuser, or the grants that reach the subject (TableGrant,
// ColumnGrant; NoGrant when none does), one Mask per masked granted column,
// and the row-level decision (RLSOff, IgnoreRLS, DenyAll, or one Filter per
// applied RLS policy).
const (
	// ReasonSuperuser: a superuser reads every column and row, unmasked.
	ReasonSuperuser ReasonKind = "superuser"
	// ReasonTableGrant: SELECT on the table is granted to Via[0].
	ReasonTableGrant ReasonKind = "table_grant"
	// ReasonColumnGrant: SELECT on Columns is granted to Via[0].
	ReasonColumnGrant ReasonKind = "column_grant"
	// ReasonNoGrant: no SELECT on the table or any column reaches the subject.
	ReasonNoGrant ReasonKind = "no_grant"
	// ReasonMask: Column is masked by Policy at Priority, attached to Via[0].
	ReasonMask ReasonKind = "mask"
	// ReasonRLSOff: row level security is off for the table: every row.
	ReasonRLSOff ReasonKind = "rls_off"
	// ReasonIgnoreRLS: row level security is on but the subject bypasses it
	// (Bypass says how, Via who holds it): every row.
	ReasonIgnoreRLS ReasonKind = "ignore_rls"
	// ReasonDenyAll: row level security is on and no policy is attached to
	// the subject, its roles or PUBLIC: no row.
	ReasonDenyAll ReasonKind = "deny_all"
	// ReasonFilter: RLS policy Policy, attached to Via, filters the rows,
	// combined with the table's other applied policies by Conjunction.
	ReasonFilter ReasonKind = "filter"
)

// How a subject bypasses row level security (Reason.Bypass), strongest first.
const (
	BypassSuperuser = "superuser"
	BypassSecAdmin  = "sys:secadmin"
	BypassIgnoreRLS = "IGNORE RLS"
)

// Reason is one rule that shaped a decision, as data; String renders it.
type Reason struct {
	Kind  ReasonKind
	Table string
	// Via are the grantees the rule reaches the subject through: the
	// grantee of a grant, the grantee of the winning mask attachment, the
	// grantees an RLS policy is attached to, the holders of IGNORE RLS
	// (ROLE sys:secadmin for secadmin). Sorted (see compareGrantees).
	Via []Grantee
	// Policy is the RLS (Filter) or masking (Mask) policy.
	Policy string
	// Column is the masked column (Mask).
	Column string
	// Columns are the granted columns of a ColumnGrant, as granted.
	Columns []string
	// Priority is the winning mask attachment's priority (Mask).
	Priority int
	// Conjunction is "and" or "or" (Filter).
	Conjunction string
	// Bypass is BypassSuperuser, BypassSecAdmin or BypassIgnoreRLS (IgnoreRLS).
	Bypass string
}

// String renders the reason in words.
func (r Reason) String() string {
	switch r.Kind {
	case ReasonSuperuser:
		return "superuser: every column, every row, no masks"
	case ReasonTableGrant:
		return fmt.Sprintf("SELECT on %s granted to %s", r.Table, viaString(r.Via))
	case ReasonColumnGrant:
		return fmt.Sprintf("SELECT (%s) on %s granted to %s", strings.Join(r.Columns, ", "), r.Table, viaString(r.Via))
	case ReasonNoGrant:
		return fmt.Sprintf("no SELECT privilege on %s or any of its columns", r.Table)
	case ReasonMask:
		return fmt.Sprintf("column %s masked by %s (priority %d, attached to %s)", r.Column, r.Policy, r.Priority, viaString(r.Via))
	case ReasonRLSOff:
		return "row level security is off for " + r.Table
	case ReasonIgnoreRLS:
		switch r.Bypass {
		case BypassSuperuser:
			return "row level security bypassed: superuser"
		case BypassSecAdmin:
			return "row level security bypassed: holds sys:secadmin"
		default:
			return "row level security bypassed: holds IGNORE RLS"
		}
	case ReasonDenyAll:
		return "row level security is on and no policy applies: no rows"
	case ReasonFilter:
		return filterString([]string{r.Policy}, r.Conjunction)
	}
	return string(r.Kind)
}

func filterString(policies []string, conj string) string {
	return fmt.Sprintf("rows filtered by %s (combined with %s)", strings.Join(policies, ", "), strings.ToUpper(conj))
}

func viaString(via []Grantee) string {
	parts := make([]string, 0, len(via))
	for _, g := range via {
		parts = append(parts, g.String())
	}
	return strings.Join(parts, ", ")
}

// Reasons are a decision's reasons in order.
type Reasons []Reason

// Strings renders the reasons one line each, except that the Filter
// reasons of one decision (consecutive) share one line naming every
// applied policy: "rows filtered by a, b (combined with AND)".
func (rs Reasons) Strings() []string {
	out := make([]string, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if rs[i].Kind != ReasonFilter {
			out = append(out, rs[i].String())
			continue
		}
		names := []string{rs[i].Policy}
		for i+1 < len(rs) && rs[i+1].Kind == ReasonFilter {
			i++
			names = append(names, rs[i].Policy)
		}
		out = append(out, filterString(names, rs[i].Conjunction))
	}
	return out
}

// Has reports whether any reason is of kind k.
func (rs Reasons) Has(k ReasonKind) bool {
	for _, r := range rs {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// Of returns the reasons of kind k, in order.
func (rs Reasons) Of(k ReasonKind) []Reason {
	var out []Reason
	for _, r := range rs {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

// compareGrantees orders grantees PUBLIC first, then roles, then users,
// each by name. Decisions use it wherever the catalog's own order would
// otherwise show (reasons, Via lists, ties between equal-priority mask
// attachments of one policy), so a decision depends only on the catalog's
// content and a Plan reproduces it.
func compareGrantees(a, b Grantee) int {
	rank := func(g Grantee) int {
		switch g.Kind {
		case KindPublic:
			return 0
		case KindRole:
			return 1
		}
		return 2
	}
	if c := cmp.Compare(rank(a), rank(b)); c != 0 {
		return c
	}
	return strings.Compare(a.Name, b.Name)
}
