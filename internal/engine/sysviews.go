package engine

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/policy"
)

// SystemView is one of Redshift's security system views as one subject may
// see it: engine-neutral rows that a backend materialises in its dialect
// (DuckDB as a constant temp view, PostgreSQL as a VALUES list).
type SystemView struct {
	Name    string
	Columns []Column
	Rows    [][]any
}

// QueryRecord is one statement of the audit log, for SYS_QUERY_HISTORY.
type QueryRecord struct {
	User, StatementID, Binding, Source, Status, Error, SQL string
	Start, End                                             time.Time
	Rows, Bytes                                            int64
	Policies                                               []string
}

// ProvisionedUser is a user an identity provider provisioned over SCIM,
// for SVV_PROVISIONED_USERS.
type ProvisionedUser struct {
	UserName, ExternalID, Client string
	Active                       bool
	Groups                       []string
	Modified                     time.Time
}

// ProvisionedGroup is a provisioned group, for SVV_PROVISIONED_GROUPS.
type ProvisionedGroup struct {
	GroupName, ExternalID, Client string
	Members                       int
	Modified                      time.Time
}

// Directory lists what was provisioned; an error leaves the views empty
// rather than failing the statement that named them.
type Directory func() ([]ProvisionedUser, []ProvisionedGroup, error)

// SystemViews computes the system views for every engine: who may see
// which row is decided here once, from the catalog and the router's
// records, not by each engine.
type SystemViews struct {
	history   func() []QueryRecord
	directory Directory
	applied   appliedLog
}

// SystemViewsOption adds a source to the system views.
type SystemViewsOption func(*SystemViews)

// WithDirectory feeds SVV_PROVISIONED_USERS and SVV_PROVISIONED_GROUPS.
func WithDirectory(d Directory) SystemViewsOption {
	return func(s *SystemViews) { s.directory = d }
}

// NewSystemViews returns the system views; history, when not nil, feeds
// SYS_QUERY_HISTORY.
func NewSystemViews(history func() []QueryRecord, opts ...SystemViewsOption) *SystemViews {
	s := &SystemViews{history: history, applied: appliedLog{max: 10000}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// DynamicSystemViews are the views whose rows change between statements
// without a policy change: applied policies, query history and roles
// created on a principal's first sight (which do not change the policy
// version). A backend rebuilds them when a statement names them.
func DynamicSystemViews() []string {
	return []string{"svv_rls_applied_policy", "svv_roles", "sys_query_history", "svv_provisioned_users", "svv_provisioned_groups"}
}

// Views returns every system view as sub may see it under cat, the
// DynamicSystemViews with their columns but no rows (Dynamic has those,
// for a statement that names one). visible
// reports whether sub may read a table (SVV_RLS_RELATION lists only those
// to anyone but a security administrator).
func (s *SystemViews) Views(cat *policy.Catalog, sub policy.Subject, visible func(table string) bool) []SystemView {
	admin := sub.Superuser || sub.SecAdmin
	var out []SystemView

	var rows [][]any
	for _, name := range slices.Sorted(maps.Keys(cat.RLSPolicies)) {
		p := cat.RLSPolicies[name]
		if !admin && p.ModifiedBy != sub.User {
			continue
		}
		atts, _ := json.Marshal(polatts(p.With))
		rows = append(rows, []any{policy.DatabaseName, p.Name, nullIfEmpty(p.Alias), string(atts), p.Using, true, p.ModifiedBy, time.UnixMicro(p.ModifiedAt)})
	}
	out = append(out, view("svv_rls_policy", "poldb varchar, polname varchar, polalias varchar, polatts varchar, polqual varchar, polenabled bool, "+
		"polmodifiedby varchar, polmodifiedtime timestamp", rows))

	rows = nil
	if admin {
		for _, a := range cat.RLSAttachments {
			t, ok := cat.Table(a.Table)
			if !ok {
				continue
			}
			rows = append(rows, []any{"public", t.Name, "table", a.Policy, a.Grantor, granteeName(a.Grantee), a.Grantee.Kind, true, t.RLS, t.Conjunction})
		}
	}
	out = append(out, view("svv_rls_attached_policy", "relschema varchar, relname varchar, relkind varchar, polname varchar, grantor varchar, "+
		"grantee varchar, granteekind varchar, is_pol_on bool, is_rls_on bool, rls_conjunction_type varchar", rows))

	rows = nil
	for _, name := range cat.TableNames() {
		t := cat.Tables[name]
		if !admin && !visible(name) {
			continue
		}
		rows = append(rows, []any{policy.DatabaseName, "public", t.Name, "table", t.RLS, t.DatashareRLS, t.Conjunction, t.DatashareConj})
	}
	out = append(out, view("svv_rls_relation", "datname varchar, relschema varchar, relname varchar, relkind varchar, is_rls_on bool, "+
		"is_rls_datashare_on bool, rls_conjunction_type varchar, rls_datashare_conjunction_type varchar", rows))

	rows = nil
	if admin {
		for _, name := range slices.Sorted(maps.Keys(cat.MaskingPolicies)) {
			p := cat.MaskingPolicies[name]
			in, _ := json.Marshal(polatts(p.Inputs))
			expr := p.Using[0]
			if len(p.Using) > 1 {
				expr = "(" + strings.Join(p.Using, ", ") + ")"
			}
			rows = append(rows, []any{policy.DatabaseName, p.Name, string(in), expr, p.ModifiedBy, time.UnixMicro(p.ModifiedAt)})
		}
	}
	out = append(out, view("svv_masking_policy", "policy_database varchar, policy_name varchar, input_columns varchar, policy_expression varchar, "+
		"policy_modified_by varchar, policy_modified_time timestamp", rows))

	rows = nil
	if admin {
		for _, a := range cat.MaskAttachments {
			inputs := a.Inputs
			if len(inputs) == 0 {
				inputs = a.Outputs
			}
			in, _ := json.Marshal(inputs)
			outc, _ := json.Marshal(a.Outputs)
			rows = append(rows, []any{a.Policy, "public", a.Table, "table", a.Grantor, granteeName(a.Grantee), a.Grantee.Kind, int64(a.Priority), string(in), string(outc), false})
		}
	}
	out = append(out, view("svv_attached_masking_policy", "policy_name varchar, schema_name varchar, table_name varchar, table_type varchar, "+
		"grantor varchar, grantee varchar, grantee_type varchar, priority int4, input_columns varchar, output_columns varchar, is_masking_datashare_on bool", rows))

	for _, name := range DynamicSystemViews() {
		// Their columns only: a backend fills them when a statement names
		// them (the query history is the whole audit window, too dear to
		// build with every policy context).
		v, _ := s.dynamic(cat, sub, name, false)
		out = append(out, v)
	}
	return out
}

// Dynamic returns one of the DynamicSystemViews as sub may see it now.
func (s *SystemViews) Dynamic(cat *policy.Catalog, sub policy.Subject, name string) (SystemView, bool) {
	return s.dynamic(cat, sub, name, true)
}

func (s *SystemViews) dynamic(cat *policy.Catalog, sub policy.Subject, name string, withRows bool) (SystemView, bool) {
	switch name {
	case "svv_rls_applied_policy":
		// Superusers see every row, everyone else none (as in Redshift,
		// sys:secadmin too).
		var rows [][]any
		if sub.Superuser && withRows {
			rows = s.applied.rows()
		}
		return view(name, "username varchar, query int8, xid int8, pid int8, recordtime timestamp, command varchar, datname varchar, "+
			"relschema varchar, relname varchar, polname varchar, poldefault varchar", rows), true
	case "svv_roles":
		var rows [][]any
		for i, role := range allRoles(cat) {
			if !withRows {
				break
			}
			ext := ""
			if r := cat.Roles[role]; r != nil {
				ext = r.ExternalID
			}
			rows = append(rows, []any{int64(100000 + i), role, "rdsdb", nullIfEmpty(ext)})
		}
		return view(name, "role_id int4, role_name varchar, role_owner varchar, external_id varchar", rows), true
	case "sys_query_history":
		// Superusers and sys:secadmin see every statement, everyone else
		// their own.
		var rows [][]any
		if s.history != nil && withRows {
			for _, r := range s.history() {
				if !sub.Superuser && !sub.SecAdmin && r.User != sub.User {
					continue
				}
				rows = append(rows, []any{r.User, r.StatementID, r.Binding, r.Source, policy.DatabaseName, r.Status,
					r.Start, r.End, r.End.Sub(r.Start).Microseconds(), nullIfEmpty(r.Error), r.Rows, r.Bytes, r.SQL,
					strings.Join(r.Policies, "; ")})
			}
		}
		return view(name, "user_name varchar, query_id varchar, binding varchar, source varchar, database_name varchar, status varchar, "+
			"start_time timestamp, end_time timestamp, elapsed_time int8, error_message varchar, returned_rows int8, returned_bytes int8, "+
			"query_text varchar, policies varchar", rows), true
	case "svv_provisioned_users", "svv_provisioned_groups":
		return s.provisioned(sub, name), true
	}
	return SystemView{}, false
}

// provisioned lists SCIM-provisioned users and groups: every row to
// superusers and security administrators, to anyone else only their own
// user (a directory is personal data).
func (s *SystemViews) provisioned(sub policy.Subject, name string) SystemView {
	var users []ProvisionedUser
	var groups []ProvisionedGroup
	if s.directory != nil {
		var err error
		if users, groups, err = s.directory(); err != nil {
			users, groups = nil, nil
		}
	}
	admin := sub.Superuser || sub.SecAdmin
	_, self, _ := strings.Cut(sub.User, ":")
	var rows [][]any
	if name == "svv_provisioned_users" {
		for _, u := range users {
			if !admin && !strings.EqualFold(u.UserName, self) {
				continue
			}
			rows = append(rows, []any{u.UserName, nullIfEmpty(u.ExternalID), u.Active, strings.Join(u.Groups, ","), u.Client, u.Modified})
		}
		return view(name, "user_name varchar, external_id varchar, active bool, groups varchar, provisioned_by varchar, last_modified timestamp", rows)
	}
	if admin {
		for _, g := range groups {
			rows = append(rows, []any{g.GroupName, nullIfEmpty(g.ExternalID), int64(g.Members), g.Client, g.Modified})
		}
	}
	return view(name, "group_name varchar, external_id varchar, members int4, provisioned_by varchar, last_modified timestamp", rows)
}

// view builds a SystemView from "name type, ..." column declarations.
func view(name, cols string, rows [][]any) SystemView {
	v := SystemView{Name: name, Rows: rows}
	for _, c := range strings.Split(cols, ",") {
		n, t, _ := strings.Cut(strings.TrimSpace(c), " ")
		v.Columns = append(v.Columns, Column{Name: n, Type: ParseType(t)})
	}
	return v
}

func allRoles(cat *policy.Catalog) []string {
	out := []string{policy.RoleDBA, policy.RoleMonitor, policy.RoleOperator, policy.RoleSecAdmin, policy.RoleSuperuser}
	return append(out, slices.Sorted(maps.Keys(cat.Roles))...)
}

func granteeName(g policy.Grantee) string {
	if g.Kind == policy.KindPublic {
		return "public"
	}
	return g.Name
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type polatt struct {
	Colname string `json:"colname"`
	Type    string `json:"type"`
}

func polatts(cols []policy.Column) []polatt {
	out := make([]polatt, 0, len(cols))
	for _, c := range cols {
		name := ParseType(c.Type).Name()
		if name == "unknown" {
			name = strings.ToLower(c.Type)
		}
		out = append(out, polatt{Colname: c.Name, Type: name})
	}
	return out
}

// AppliedPolicy is a policy that shaped a statement's result.
type AppliedPolicy struct {
	// Kind is "rls" or "mask".
	Kind   string
	Policy string
	Table  string
	// Column is the masked column (masks only).
	Column string
	// DenyAll marks a table under row-level security with no policy for
	// the principal: it reads no rows.
	DenyAll bool
}

// String names the policy as the audit log does: "rls:apac_sales on
// sales_data", "rls:deny-all on t", "mask:m on t.c".
func (a AppliedPolicy) String() string {
	switch {
	case a.DenyAll:
		return "rls:deny-all on " + a.Table
	case a.Kind == "mask":
		return "mask:" + a.Policy + " on " + a.Table + "." + a.Column
	}
	return a.Kind + ":" + a.Policy + " on " + a.Table
}

// Applied names the policies of decisions that shape a read of relations.
func Applied(decisions map[string]policy.Access, relations []string) []AppliedPolicy {
	var out []AppliedPolicy
	for _, rel := range relations {
		a, ok := decisions[rel]
		if !ok {
			continue
		}
		if a.Rows.DenyAll() {
			out = append(out, AppliedPolicy{Kind: "rls", Table: rel, DenyAll: true})
		}
		if a.Rows.Enforced {
			for _, p := range a.Rows.Policies {
				out = append(out, AppliedPolicy{Kind: "rls", Policy: p.Policy, Table: rel})
			}
		}
		for _, c := range a.Columns {
			if c.Granted && c.Mask != nil {
				out = append(out, AppliedPolicy{Kind: "mask", Policy: c.Mask.Policy, Table: rel, Column: c.Name})
			}
		}
	}
	return out
}

// appliedLog remembers which RLS policies filtered which statements, for
// SVV_RLS_APPLIED_POLICY. It is bounded and kept in memory.
type appliedLog struct {
	mu      sync.Mutex
	max     int
	nextID  int64
	entries [][]any
}

// record notes the row-level policies applied to one of sub's statements.
func (l *appliedLog) record(sub policy.Subject, applied []AppliedPolicy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	now := time.Now()
	for _, a := range applied {
		switch {
		case a.Kind != "rls":
		case a.DenyAll:
			l.entries = append(l.entries, []any{sub.User, l.nextID, l.nextID, int64(0), now, "s", policy.DatabaseName, "public", a.Table, nil, "f"})
		default:
			l.entries = append(l.entries, []any{sub.User, l.nextID, l.nextID, int64(0), now, "s", policy.DatabaseName, "public", a.Table, a.Policy, nil})
		}
	}
	// Trimmed in halves, so the copy is paid once per max records rather
	// than on every statement once the log is full.
	if len(l.entries) >= 2*l.max {
		l.entries = append(l.entries[:0:0], l.entries[len(l.entries)-l.max:]...)
	}
}

func (l *appliedLog) rows() [][]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries[max(0, len(l.entries)-l.max):])
}
