package duckdb

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// databaseName is the name tipgate's single database answers to.
const databaseName = policy.DatabaseName

type svvCol struct{ name, typ string }

// valuesView renders rows as a typed constant view; an empty view still has
// the right columns and types.
func valuesView(cols []svvCol, rows [][]any) string {
	var sel []string
	for i, c := range cols {
		sel = append(sel, fmt.Sprintf("CAST(col%d AS %s) AS %s", i, c.typ, c.name))
	}
	var vals []string
	for _, r := range rows {
		var lits []string
		for _, v := range r {
			lits = append(lits, literal(v))
		}
		vals = append(vals, "("+strings.Join(lits, ", ")+")")
	}
	if len(vals) == 0 {
		var nulls []string
		for range cols {
			nulls = append(nulls, "NULL")
		}
		return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES (" + strings.Join(nulls, ", ") + ")) AS v(" + colAliases(len(cols)) + ") WHERE false"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES " + strings.Join(vals, ", ") + ") AS v(" + colAliases(len(cols)) + ")"
}

func colAliases(n int) string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "col"+strconv.Itoa(i))
	}
	return strings.Join(out, ", ")
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return sqlscan.QuoteString(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return "TIMESTAMP " + sqlscan.QuoteString(x.UTC().Format("2006-01-02 15:04:05.999999"))
	default:
		return sqlscan.QuoteString(fmt.Sprint(x))
	}
}

// svvViews returns Redshift's security system views as the subject may see
// them, computed from the same catalog snapshot as its data views.
func svvViews(cat *policy.Catalog, sub policy.Subject, pc *policyContext) map[string]string {
	admin := sub.Superuser || sub.SecAdmin
	out := map[string]string{}

	var rows [][]any
	for _, name := range slices.Sorted(maps.Keys(cat.RLSPolicies)) {
		p := cat.RLSPolicies[name]
		if !admin && p.ModifiedBy != sub.User {
			continue
		}
		atts, _ := json.Marshal(polatts(p.With))
		rows = append(rows, []any{databaseName, p.Name, nullIfEmpty(p.Alias), string(atts), p.Using, true, p.ModifiedBy, time.UnixMicro(p.ModifiedAt)})
	}
	out["svv_rls_policy"] = valuesView([]svvCol{{"poldb", "VARCHAR"}, {"polname", "VARCHAR"}, {"polalias", "VARCHAR"}, {"polatts", "VARCHAR"},
		{"polqual", "VARCHAR"}, {"polenabled", "BOOLEAN"}, {"polmodifiedby", "VARCHAR"}, {"polmodifiedtime", "TIMESTAMP"}}, rows)

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
	out["svv_rls_attached_policy"] = valuesView([]svvCol{{"relschema", "VARCHAR"}, {"relname", "VARCHAR"}, {"relkind", "VARCHAR"}, {"polname", "VARCHAR"},
		{"grantor", "VARCHAR"}, {"grantee", "VARCHAR"}, {"granteekind", "VARCHAR"}, {"is_pol_on", "BOOLEAN"}, {"is_rls_on", "BOOLEAN"}, {"rls_conjunction_type", "VARCHAR"}}, rows)

	rows = nil
	for _, name := range cat.TableNames() {
		t := cat.Tables[name]
		if !admin && !pc.views[name] {
			continue
		}
		rows = append(rows, []any{databaseName, "public", t.Name, "table", t.RLS, t.DatashareRLS, t.Conjunction, t.DatashareConj})
	}
	out["svv_rls_relation"] = valuesView([]svvCol{{"datname", "VARCHAR"}, {"relschema", "VARCHAR"}, {"relname", "VARCHAR"}, {"relkind", "VARCHAR"},
		{"is_rls_on", "BOOLEAN"}, {"is_rls_datashare_on", "BOOLEAN"}, {"rls_conjunction_type", "VARCHAR"}, {"rls_datashare_conjunction_type", "VARCHAR"}}, rows)

	rows = nil
	if admin {
		for _, name := range slices.Sorted(maps.Keys(cat.MaskingPolicies)) {
			p := cat.MaskingPolicies[name]
			in, _ := json.Marshal(polatts(p.Inputs))
			expr := p.Using[0]
			if len(p.Using) > 1 {
				expr = "(" + strings.Join(p.Using, ", ") + ")"
			}
			rows = append(rows, []any{databaseName, p.Name, string(in), expr, p.ModifiedBy, time.UnixMicro(p.ModifiedAt)})
		}
	}
	out["svv_masking_policy"] = valuesView([]svvCol{{"policy_database", "VARCHAR"}, {"policy_name", "VARCHAR"}, {"input_columns", "VARCHAR"},
		{"policy_expression", "VARCHAR"}, {"policy_modified_by", "VARCHAR"}, {"policy_modified_time", "TIMESTAMP"}}, rows)

	rows = nil
	if admin {
		for _, a := range cat.MaskAttachments {
			inputs := a.Inputs
			if len(inputs) == 0 {
				inputs = a.Outputs
			}
			in, _ := json.Marshal(inputs)
			outc, _ := json.Marshal(a.Outputs)
			rows = append(rows, []any{a.Policy, "public", a.Table, "table", a.Grantor, granteeName(a.Grantee), a.Grantee.Kind, a.Priority, string(in), string(outc), false})
		}
	}
	out["svv_attached_masking_policy"] = valuesView([]svvCol{{"policy_name", "VARCHAR"}, {"schema_name", "VARCHAR"}, {"table_name", "VARCHAR"},
		{"table_type", "VARCHAR"}, {"grantor", "VARCHAR"}, {"grantee", "VARCHAR"}, {"grantee_type", "VARCHAR"}, {"priority", "INTEGER"},
		{"input_columns", "VARCHAR"}, {"output_columns", "VARCHAR"}, {"is_masking_datashare_on", "BOOLEAN"}}, rows)

	out["sys_query_history"] = queryHistoryView(sub, nil)
	out["svv_roles"] = rolesView(cat)
	return out
}

// rolesView is SVV_ROLES. Roles created on a principal's first sight do not
// change the policy version, so a statement that names the view rebuilds it
// from the current catalog (refreshDynamicViews).
func rolesView(cat *policy.Catalog) string {
	var rows [][]any
	for i, name := range allRoles(cat) {
		ext := ""
		if r := cat.Roles[name]; r != nil {
			ext = r.ExternalID
		}
		rows = append(rows, []any{int64(100000 + i), name, "rdsdb", nullIfEmpty(ext)})
	}
	return valuesView([]svvCol{{"role_id", "INTEGER"}, {"role_name", "VARCHAR"}, {"role_owner", "VARCHAR"}, {"external_id", "VARCHAR"}}, rows)
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
		out = append(out, polatt{Colname: c.Name, Type: redshiftTypeName(c.Type)})
	}
	return out
}

// redshiftTypeName spells a type as Redshift's catalog does.
func redshiftTypeName(t string) string {
	u := strings.ToLower(strings.Join(strings.Fields(t), " "))
	base, args, _ := strings.Cut(u, "(")
	if args != "" {
		args = "(" + args
	}
	switch strings.TrimSpace(base) {
	case "varchar", "character varying", "nvarchar", "text":
		return "character varying" + args
	case "char", "character", "nchar", "bpchar":
		return "character" + args
	case "int", "int4", "integer":
		return "integer"
	case "bigint", "int8":
		return "bigint"
	case "smallint", "int2":
		return "smallint"
	case "decimal", "numeric":
		return "numeric" + args
	case "float", "float8", "double precision", "double":
		return "double precision"
	case "real", "float4":
		return "real"
	case "bool", "boolean":
		return "boolean"
	case "timestamp", "timestamp without time zone":
		return "timestamp without time zone"
	case "timestamptz", "timestamp with time zone":
		return "timestamp with time zone"
	}
	return u
}

// queryHistoryView renders the audit log as SYS_QUERY_HISTORY: superusers
// and sys:secadmin see every statement, everyone else their own.
func queryHistoryView(sub policy.Subject, history func() []audit.Record) string {
	var rows [][]any
	if history != nil {
		for _, r := range history() {
			if r.Kind != "statement" || (!sub.Superuser && !sub.SecAdmin && r.User != sub.User) {
				continue
			}
			rows = append(rows, []any{r.User, r.StatementID, r.Binding, r.Source, databaseName, r.Status,
				r.Time.Add(-time.Duration(r.DurationNS)), r.Time, r.DurationNS / 1000, nullIfEmpty(r.Error), r.Rows, r.Bytes, r.SQL,
				strings.Join(r.Policies, "; ")})
		}
	}
	return valuesView([]svvCol{{"user_name", "VARCHAR"}, {"query_id", "VARCHAR"}, {"binding", "VARCHAR"}, {"source", "VARCHAR"},
		{"database_name", "VARCHAR"}, {"status", "VARCHAR"}, {"start_time", "TIMESTAMP"}, {"end_time", "TIMESTAMP"},
		{"elapsed_time", "BIGINT"}, {"error_message", "VARCHAR"}, {"returned_rows", "BIGINT"}, {"returned_bytes", "BIGINT"},
		{"query_text", "VARCHAR"}, {"policies", "VARCHAR"}}, rows)
}
