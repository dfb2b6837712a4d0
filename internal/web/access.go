package web

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
)

type accessMask struct {
	Policy     string `json:"policy"`
	Expression string `json:"expression"`
	Via        string `json:"via"`
	Priority   int    `json:"priority"`
}

type accessColumn struct {
	Name    string      `json:"name"`
	Type    string      `json:"type"`
	Granted bool        `json:"granted"`
	Mask    *accessMask `json:"mask"`
}

type accessPolicy struct {
	Policy    string   `json:"policy"`
	Predicate string   `json:"predicate"`
	Via       []string `json:"via"`
}

type accessRows struct {
	Mode        string         `json:"mode"` // all, bypassed, filtered, none
	Conjunction string         `json:"conjunction"`
	Policies    []accessPolicy `json:"policies"`
	Text        string         `json:"text"`
}

type accessTable struct {
	Table   string         `json:"table"`
	Visible bool           `json:"visible"`
	Summary string         `json:"summary"`
	Rows    accessRows     `json:"rows"`
	Columns []accessColumn `json:"columns"`
	Reasons []string       `json:"reasons"`
}

type accessOutput struct {
	person
	Bypasses       []string      `json:"bypasses"`
	SecAdmin       bool          `json:"secadmin"`
	CatalogVersion int64         `json:"catalogVersion"`
	Tables         []accessTable `json:"tables"`
}

// apiAccess explains, from the engine's own decision and its reasons,
// what the person may read of every table and why.
func (h *Handler) apiAccess(w http.ResponseWriter, r *http.Request, c *call) {
	d, err := h.svc.Decision(requestContext(r, c.actor), c.as)
	if err != nil {
		h.fail(w, fromDataAPI(err))
		return
	}
	sub := d.Subject
	out := accessOutput{person: describePerson(c.as, sub), Bypasses: bypasses(sub), SecAdmin: sub.CanAdminSecurity(), CatalogVersion: d.Version,
		Tables: []accessTable{}}
	for _, name := range slices.Sorted(maps.Keys(d.Tables)) {
		out.Tables = append(out.Tables, describeAccess(d.Tables[name], d.RowSecurity[name]))
	}
	writeJSON(w, http.StatusOK, out)
}

func bypasses(s policy.Subject) []string {
	out := []string{}
	if s.Superuser {
		out = append(out, "superuser")
	}
	if s.SecAdmin {
		out = append(out, "sys:secadmin")
	}
	if s.IgnoreRLS {
		out = append(out, "IGNORE RLS")
	}
	if s.ExplainRLS {
		out = append(out, "EXPLAIN RLS")
	}
	if s.ExplainMasking {
		out = append(out, "EXPLAIN MASKING")
	}
	return out
}

// describeAccess turns a decision into plain words, from its typed
// reasons; rlsOn is the table's row-level security switch, which only a
// superuser's decision (one Superuser reason) leaves unsaid.
func describeAccess(a policy.Access, rlsOn bool) accessTable {
	t := accessTable{Table: a.Table, Visible: a.Visible, Reasons: a.Reasons.Strings(), Columns: []accessColumn{}}
	granted, masked := 0, []string{}
	for _, col := range a.Columns {
		ac := accessColumn{Name: col.Name, Type: col.Type, Granted: col.Granted}
		if col.Granted {
			granted++
		}
		if col.Mask != nil {
			ac.Mask = &accessMask{Policy: col.Mask.Policy, Expression: col.Mask.Expr, Via: col.Mask.Via.String(), Priority: col.Mask.Priority}
			masked = append(masked, col.Name)
		}
		t.Columns = append(t.Columns, ac)
	}
	t.Rows = accessRows{Conjunction: strings.ToUpper(a.Rows.Conjunction), Policies: []accessPolicy{}}
	var via []string
	for _, p := range a.Rows.Policies {
		vs := make([]string, 0, len(p.Via))
		for _, g := range p.Via {
			vs = append(vs, viaText(g))
		}
		via = append(via, fmt.Sprintf("%s (policy %s, through %s)", p.Predicate, p.Policy, strings.Join(vs, " and ")))
		t.Rows.Policies = append(t.Rows.Policies, accessPolicy{Policy: p.Policy, Predicate: p.Predicate, Via: vs})
	}
	switch rs := a.Reasons; {
	case rs.Has(policy.ReasonSuperuser) && rlsOn:
		t.Rows.Mode = "bypassed"
		t.Rows.Text = "Row-level security does not apply to you (you hold superuser): you see every row."
	case rs.Has(policy.ReasonRLSOff), rs.Has(policy.ReasonSuperuser):
		t.Rows.Mode = "all"
		t.Rows.Text = "Row-level security is off for this table: every row is visible to whoever may read it."
	case rs.Has(policy.ReasonIgnoreRLS):
		t.Rows.Mode = "bypassed"
		t.Rows.Text = "Row-level security does not apply to you (you hold " + bypassText(rs.Of(policy.ReasonIgnoreRLS)[0]) + "): you see every row."
	case rs.Has(policy.ReasonFilter):
		t.Rows.Mode = "filtered"
		join := " and "
		if t.Rows.Conjunction == "OR" {
			join = " or "
		}
		t.Rows.Text = "You see only rows where " + strings.Join(via, join) + "."
	default: // DenyAll, and fail closed on a decision without a row reason
		t.Rows.Mode = "none"
		t.Rows.Text = "Row-level security is on and no row policy is attached to you or your roles, so you see no rows."
	}
	switch {
	case !a.Visible:
		t.Summary = fmt.Sprintf("You cannot read %s: you have no SELECT privilege on it or any of its columns.", a.Table)
	default:
		s := fmt.Sprintf("You can read %d of %d columns of %s", granted, len(a.Columns), a.Table)
		if len(masked) > 0 {
			s += fmt.Sprintf(" (%s masked)", strings.Join(masked, ", "))
		}
		switch t.Rows.Mode {
		case "filtered":
			s += ", " + strings.TrimSuffix(strings.Replace(t.Rows.Text, "You see only", "only", 1), ".") + "."
		case "none":
			s += ", but no rows: row-level security is on and no policy applies to you."
		default:
			s += ", every row."
		}
		t.Summary = s
	}
	return t
}

// bypassText names the bypass and, for IGNORE RLS, who it is granted to.
func bypassText(r policy.Reason) string {
	if r.Bypass != policy.BypassIgnoreRLS || len(r.Via) == 0 {
		return r.Bypass
	}
	vs := make([]string, 0, len(r.Via))
	for _, g := range r.Via {
		vs = append(vs, viaText(g))
	}
	return r.Bypass + ", granted to " + strings.Join(vs, " and ")
}

func viaText(g policy.Grantee) string {
	switch g.Kind {
	case policy.KindPublic:
		return "PUBLIC"
	case policy.KindRole:
		return "role " + g.Name
	}
	return "user " + g.Name
}
