package postgres

import (
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// admitted is a principal's statement as the guard lets it run.
type admitted struct {
	text string
	// relations are the catalog tables the statement names.
	relations []string
	// explain is set for EXPLAIN; analyze for EXPLAIN ANALYZE.
	explain, analyze bool
}

// refusedPrefixes and refusedFunctions are functions no principal may
// call: they read files, settings, sequences, large objects or other
// databases, run SQL given as text (which this guard would not see), name
// objects by OID (past the schemas principals may not use), or change the
// session's role (set_config('role', …) inside SET LOCAL ROLE).
var refusedPrefixes = []string{"pg_", "lo_", "dblink", "txid_", "has_", "to_reg", "binary_upgrade", "brin_", "gin_",
	"query_to_xml", "table_to_xml", "cursor_to_xml", "schema_to_xml", "database_to_xml", "set_", "current_setting"}

var refusedFunctions = map[string]bool{
	"nextval": true, "currval": true, "setval": true, "lastval": true, "ts_stat": true, "ts_rewrite": true,
	"obj_description": true, "col_description": true, "shobj_description": true, "current_schemas": true,
	"inet_server_addr": true, "inet_server_port": true, "inet_client_addr": true, "inet_client_port": true,
	"row_security_active": true, "current_database": true, "current_schema": true, "version": true, "lo_import": true, "lo_export": true, "loread": true, "lowrite": true,
}

// tableFunctions may appear in FROM: they compute rows from their
// arguments and read nothing.
var tableFunctions = map[string]bool{"generate_series": true, "unnest": true}

func refusedFunction(name string) bool {
	if refusedFunctions[name] {
		return true
	}
	for _, p := range refusedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// guard admits one read-only statement on PostgreSQL's own parse tree:
// SELECT (or VALUES, WITH) over the catalog's tables and the statement's
// CTEs, EXPLAIN of one for holders of EXPLAIN RLS, and nothing that names
// a system catalog, another schema, a refused function or a row lock.
// current_user and its kin become the principal's name, as in Redshift.
// System views (SVV_*, SYS_QUERY_HISTORY) are put in front of the statement
// as CTEs of constant rows, as views returns them for the subject.
func guard(cat *policy.Catalog, sub policy.Subject, text string, views func() map[string]engine.SystemView) (admitted, error) {
	tree, err := pg.Parse(text)
	if err != nil {
		return admitted{}, sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", pgMessage(err))
	}
	if len(tree.Stmts) != 1 {
		return admitted{}, sqlerr.New(sqlerr.FeatureUnsupported, "only one statement may be run at a time")
	}
	var out admitted
	stmt := tree.Stmts[0].Stmt
	if ex := stmt.GetExplainStmt(); ex != nil {
		for _, o := range ex.Options {
			d := o.GetDefElem()
			if d == nil {
				continue
			}
			// Other options (FORMAT JSON, VERBOSE, COSTS, …) would print
			// more than the router's rule lets a principal see.
			if !strings.EqualFold(d.Defname, "analyze") {
				return admitted{}, sqlerr.New(sqlerr.FeatureUnsupported, "EXPLAIN option %s is not supported", strings.ToUpper(d.Defname))
			}
			out.analyze = true
		}
		out.explain = true
		stmt = ex.Query
	}
	sel := stmt.GetSelectStmt()
	if sel == nil {
		return admitted{}, sqlerr.New(sqlerr.PermissionDenied, "permission denied: only SELECT statements may be run")
	}
	ctes := map[string]bool{}
	walk(stmt, func(n *pg.Node) bool {
		if c := n.GetCommonTableExpr(); c != nil {
			ctes[strings.ToLower(c.Ctename)] = true
		}
		return true
	})
	changed := false
	seen := map[string]bool{}
	var system map[string]engine.SystemView
	var inline []string
	var gerr error
	fail := func(e error) bool {
		if gerr == nil {
			gerr = e
		}
		return false
	}
	walk(stmt, func(n *pg.Node) bool {
		if gerr != nil {
			return false
		}
		switch {
		case isSessionUser(n):
			n.Node = stringConst(sub.User).Node
			changed = true
			return false
		case n.GetSqlvalueFunction() != nil:
			switch n.GetSqlvalueFunction().Op {
			case pg.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG, pg.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:
				// Database and schema names are the engine's, not Redshift's.
				return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied: CURRENT_CATALOG and CURRENT_SCHEMA are not available"))
			}
		case n.GetSelectStmt() != nil:
			s := n.GetSelectStmt()
			if s.IntoClause != nil {
				return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied: SELECT INTO creates a table"))
			}
			if len(s.LockingClause) > 0 {
				return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied: row locks need UPDATE privilege"))
			}
		case n.GetRangeVar() != nil:
			rv := n.GetRangeVar()
			name := strings.ToLower(rv.Relname)
			schema := strings.ToLower(rv.Schemaname)
			if rv.Catalogname != "" || (schema != "" && schema != "public") {
				return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied for relation %s", qualified(rv)))
			}
			if schema == "" && ctes[name] {
				return true
			}
			if isSystemView(name) {
				if system == nil {
					system = views()
				}
				if _, ok := system[name]; ok {
					if !slices.Contains(inline, name) {
						inline = append(inline, name)
					}
					return true
				}
			}
			if _, ok := cat.Table(name); !ok || reservedTable(name) {
				return fail(sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name))
			}
			if !seen[name] {
				seen[name] = true
				out.relations = append(out.relations, name)
			}
		case n.GetFuncCall() != nil:
			schema, name := funcName(n.GetFuncCall())
			if (schema != "" && schema != "pg_catalog") || refusedFunction(name) {
				return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied for function %s", name))
			}
			if redshiftRewrite(n) {
				changed = true
			}
		case n.GetRangeFunction() != nil:
			for _, f := range n.GetRangeFunction().Functions {
				l := f.GetList()
				if l == nil || len(l.Items) == 0 {
					continue
				}
				fc := l.Items[0].GetFuncCall()
				if fc == nil {
					return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied: table functions are not allowed"))
				}
				if _, name := funcName(fc); refusedFunction(name) {
					return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied for function %s", name))
				} else if !tableFunctions[name] {
					return fail(sqlerr.New(sqlerr.UndefinedObject, "table function %s does not exist (only generate_series and unnest are)", name))
				}
			}
		case n.GetTypeCast() != nil:
			if tn := n.GetTypeCast().TypeName; tn != nil {
				parts := strs(tn.Names)
				if len(parts) > 0 && strings.HasPrefix(strings.ToLower(parts[len(parts)-1]), "reg") {
					return fail(sqlerr.New(sqlerr.PermissionDenied, "permission denied: object identifier types are not allowed"))
				}
			}
		case n.GetRangeTableSample() != nil:
			return fail(sqlerr.New(sqlerr.FeatureUnsupported, "TABLESAMPLE is not supported"))
		}
		return true
	})
	if gerr != nil {
		return admitted{}, gerr
	}
	if len(inline) > 0 {
		if err := addViews(sel, system, inline); err != nil {
			return admitted{}, err
		}
		changed = true
	}
	out.text = text
	if changed {
		if out.text, err = pg.Deparse(tree); err != nil {
			return admitted{}, sqlerr.Wrap(sqlerr.Internal, err, "statement could not be printed back")
		}
	}
	return out, nil
}

func qualified(rv *pg.RangeVar) string {
	var parts []string
	for _, p := range []string{rv.Catalogname, rv.Schemaname, rv.Relname} {
		if p != "" {
			parts = append(parts, strings.ToLower(p))
		}
	}
	return strings.Join(parts, ".")
}

func isSystemView(name string) bool {
	return strings.HasPrefix(name, "svv_") || name == "sys_query_history"
}

// addViews puts the named system views in front of sel as CTEs.
func addViews(sel *pg.SelectStmt, system map[string]engine.SystemView, names []string) error {
	var defs []string
	for _, n := range names {
		defs = append(defs, qi(n)+" AS ("+engine.ValuesQuery(system[n], pgTypeOf, qi)+")")
	}
	tree, err := pg.Parse("WITH " + strings.Join(defs, ", ") + " SELECT 1")
	if err != nil {
		return sqlerr.Wrap(sqlerr.Internal, err, "system view does not parse")
	}
	ctes := tree.Stmts[0].Stmt.GetSelectStmt().WithClause.Ctes
	if sel.WithClause == nil {
		sel.WithClause = &pg.WithClause{}
	}
	sel.WithClause.Ctes = append(ctes, sel.WithClause.Ctes...)
	return nil
}
