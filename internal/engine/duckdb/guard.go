package duckdb

import (
	"context"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// tableFunctions are the only table functions a principal may call: they
// generate values and read nothing.
var tableFunctions = map[string]bool{"range": true, "generate_series": true, "unnest": true}

// deniedFunctionPrefixes and deniedFunctions list scalar functions that
// read settings, catalogs, files or statistics, run SQL given as text, or
// change session state. Statistics (stats) would reveal hidden rows'
// min/max; catalog macros would reveal raw table and view definitions.
var deniedFunctionPrefixes = []string{"duckdb_", "pragma_", "pg_", "has_", "read_", "parquet_", "json_execute", "json_serialize", "json_deserialize", "sqlite_", "inet_", "icu_"}

var deniedFunctions = map[string]bool{
	"current_setting": true, "getenv": true, "getvariable": true, "current_query": true, "current_database": true,
	"current_schema": true, "current_schemas": true, "current_catalog": true, "in_search_path": true,
	"col_description": true, "obj_description": true, "shobj_description": true, "format_pg_type": true, "format_type": true,
	"map_to_pg_oid": true, "glob": true, "query": true, "query_table": true, "sql_auto_complete": true, "which_secret": true,
	"nextval": true, "currval": true, "stats": true, "write_log": true, "sleep_ms": true, "checkpoint": true,
	"force_checkpoint": true, "enable_logging": true, "disable_logging": true, "truncate_duckdb_logs": true,
	"txid_current": true, "current_transaction_id": true, "current_connection_id": true, "current_query_id": true,
	"get_block_size": true, "table_info": true, "histogram": true, "histogram_values": true, "summary": true,
	"set_config": true, "load_extension": true, "install_extension": true,
}

func functionDenied(name string) bool {
	name = strings.ToLower(name)
	if deniedFunctions[name] {
		return true
	}
	for _, p := range deniedFunctionPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// guardResult is an admitted statement.
type guardResult struct {
	// text is the SQL to run: the original text, or DuckDB's printing of
	// the checked tree after tipgate's rewrite of "public." qualifiers.
	text string
	// checked is text before the pushdown of leakproof predicates
	// (pushdown.go): what a principal's reduced EXPLAIN shows, whose shape
	// must not tell which views take pushed predicates.
	checked string
	// relations are the names the statement reads as base tables.
	relations []string
}

// guard admits one read-only statement whose every table reference can
// only resolve to the principal's policy views or its own CTEs, calling only
// permitted functions. Anything it does not recognise is refused.
func (e *Engine) guard(ctx context.Context, q querier, pc *policyContext, text string) (*guardResult, error) {
	// Admission depends only on the text and the policy context, so a
	// decision is reused for the same text in the same context.
	key := pc.key + "\x00" + text
	if res, ok := e.guards.get(key); ok {
		return res, nil
	}
	res, err := e.admit(ctx, q, pc, text)
	if err == nil {
		e.guards.put(key, res)
	}
	return res, err
}

func (e *Engine) admit(ctx context.Context, q querier, pc *policyContext, text string) (*guardResult, error) {
	res, err := e.admitChecked(ctx, q, pc, text)
	if err != nil {
		return nil, err
	}
	return e.admitPushdown(ctx, q, pc, res)
}

// admitChecked admits a statement through the checks and rewrites of the
// principal's SQL.
func (e *Engine) admitChecked(ctx context.Context, q querier, pc *policyContext, text string) (*guardResult, error) {
	res, rewritten, err := e.check(ctx, q, pc, text)
	if err != nil {
		return nil, err
	}
	if rewritten {
		// The rewrite removed schema qualifiers and isolated function
		// arguments; check DuckDB's printing of it once more, so what runs
		// is exactly what was checked (a second pass must find nothing left
		// to rewrite).
		res2, again, err := e.check(ctx, q, pc, res.text)
		if err != nil {
			return nil, err
		}
		if again {
			return nil, sqlerr.New(sqlerr.Internal, "statement could not be normalised")
		}
		res = res2
	}
	return res, nil
}

// admitPushdown applies the pushdown of leakproof predicates (pushdown.go)
// to an admitted statement. It comes last: its output reads the raw catalog
// through inlined policy views, which the checks above would refuse.
func (e *Engine) admitPushdown(ctx context.Context, q querier, pc *policyContext, res *guardResult) (*guardResult, error) {
	res.checked = res.text
	// Without a WHERE there is nothing to push: spare the parse.
	if !pc.anyPushable() || !strings.Contains(strings.ToLower(res.text), "where") {
		return res, nil
	}
	tree, err := parseSQL(ctx, q, res.text)
	if err != nil {
		return nil, err
	}
	if len(tree.statements) != 1 {
		return nil, sqlerr.New(sqlerr.Internal, "statement could not be normalised")
	}
	changed, err := e.pushDown(ctx, q, pc, tree.statements[0])
	if err != nil || !changed {
		return res, err
	}
	want := rawRefs(tree.raw)
	text, err := deparse(ctx, q, tree)
	if err != nil {
		return nil, err
	}
	// What runs now is not checked again (it reads the raw catalog on
	// purpose), so it must be exactly the tree built here: DuckDB's printing
	// of it must parse back to a tree that prints the same, and that reads
	// the raw catalog only where the inlined views do. Otherwise the
	// statement runs as admitted, without the pushdown.
	back, err := parseSQL(ctx, q, text)
	if err != nil || len(back.statements) != 1 || rawRefs(back.raw) != want {
		e.log.WarnContext(ctx, "duckdb: pushdown not applied: its printing does not parse back to the same tree")
		return res, nil
	}
	if again, err := deparse(ctx, q, back); err != nil || again != text {
		e.log.WarnContext(ctx, "duckdb: pushdown not applied: its printing is not stable")
		return res, nil
	}
	return &guardResult{text: text, checked: res.text, relations: res.relations}, nil
}

// rawRefs counts the references to tables of the raw catalog in a tree.
func rawRefs(tree any) int {
	n := 0
	_ = walk(tree, func(x node) (bool, error) {
		if str(x, "type") == "BASE_TABLE" && strings.EqualFold(str(x, "catalog_name"), rawCatalog) {
			n++
		}
		return true, nil
	})
	return n
}

func (e *Engine) check(ctx context.Context, q querier, pc *policyContext, text string) (*guardResult, bool, error) {
	tree, err := parseSQL(ctx, q, text)
	if err != nil {
		return nil, false, err
	}
	if len(tree.statements) != 1 {
		return nil, false, sqlerr.New(sqlerr.SyntaxError, "exactly one statement is allowed, got %d", len(tree.statements))
	}
	res := &guardResult{text: text}
	rewritten := false
	var ctes []string
	_ = walk(tree.statements[0], func(n node) (bool, error) {
		ctes = append(ctes, cteNames(n)...)
		return true, nil
	})
	err = walk(tree.statements[0], func(n node) (bool, error) {
		switch str(n, "type") {
		case "BASE_TABLE":
			name := strings.ToLower(str(n, "table_name"))
			if _, ok := n["table_name"]; !ok {
				return true, nil
			}
			if c := str(n, "catalog_name"); c != "" {
				return false, sqlerr.PermissionDeniedRelation(c + "." + str(n, "schema_name") + "." + name)
			}
			switch s := strings.ToLower(str(n, "schema_name")); s {
			case "":
			case "public":
				// DuckDB has no schema "public" here, so the qualifier is
				// dropped; where a CTE of the same name would then capture
				// the reference, refuse instead of changing its meaning.
				if slices.Contains(ctes, name) {
					return false, sqlerr.New(sqlerr.InvalidParameter, "public.%s is ambiguous with the CTE %s; rename the CTE", name, name)
				}
				n["schema_name"] = ""
				rewritten = true
			default:
				return false, sqlerr.PermissionDeniedRelation(s + "." + name)
			}
			if n["at_clause"] != nil {
				return false, sqlerr.New(sqlerr.FeatureUnsupported, "time travel (AT clause) is not supported")
			}
			if e.systemNames[name] && !pc.views[name] {
				return false, sqlerr.PermissionDeniedRelation(name)
			}
			if !slices.Contains(res.relations, name) {
				res.relations = append(res.relations, name)
			}
		case "TABLE_FUNCTION":
			fn, _ := n["function"].(node)
			name := strings.ToLower(str(fn, "function_name"))
			if !tableFunctions[name] || str(fn, "schema") != "" || str(fn, "catalog") != "" {
				return false, sqlerr.New(sqlerr.PermissionDenied, "permission denied for function %s", name)
			}
		case "SHOW_REF":
			if n["query"] == nil {
				return false, sqlerr.New(sqlerr.PermissionDenied, "permission denied: SHOW is not available; query SVV views instead")
			}
		}
		if str(n, "class") == "FUNCTION" {
			name := strings.ToLower(str(n, "function_name"))
			schema := strings.ToLower(str(n, "schema"))
			if functionDenied(name) || (schema != "" && schema != "main") || str(n, "catalog") != "" {
				return false, sqlerr.New(sqlerr.PermissionDenied, "permission denied for function %s", name)
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, false, err
	}
	if err := checkStars(tree.statements[0], nil, pc.partial); err != nil {
		return nil, false, err
	}
	if err := checkNaturalJoins(tree.statements[0], pc.partial); err != nil {
		return nil, false, err
	}
	if err := e.redshift(ctx, q, tree.statements[0], &rewritten); err != nil {
		return nil, false, err
	}
	isolated, err := isolate(ctx, q, tree.statements[0], e.functions, pc.viewColumns)
	if err != nil {
		return nil, false, err
	}
	rewritten = rewritten || isolated
	if rewritten {
		if res.text, err = deparse(ctx, q, tree); err != nil {
			return nil, false, err
		}
	}
	return res, rewritten, nil
}

// checkStars refuses SELECT * over a table whose columns the principal may
// not all read: Redshift fails such a query instead of silently projecting
// the permitted columns. A reference shadowed by a CTE of the same name is
// the CTE; getting that wrong can only cause a false refusal or the silent
// projection, never a read of a hidden column (the view lacks it).
func checkStars(v any, scope []string, partial map[string][]string) error {
	switch x := v.(type) {
	case node:
		if _, ok := x["cte_map"]; ok {
			scope = append(slices.Clip(scope), cteNames(x)...)
		}
		if str(x, "type") == "SELECT_NODE" {
			if err := checkSelectStars(x, scope, partial); err != nil {
				return err
			}
		}
		for _, child := range x {
			if err := checkStars(child, scope, partial); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range x {
			if err := checkStars(child, scope, partial); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSelectStars(sel node, scope []string, partial map[string][]string) error {
	list, _ := sel["select_list"].([]any)
	var stars []node
	for _, item := range list {
		if m, ok := item.(node); ok && str(m, "class") == "STAR" {
			stars = append(stars, m)
		}
	}
	if len(stars) == 0 {
		return nil
	}
	type ref struct{ name, alias string }
	var refs []ref
	var collect func(t node)
	collect = func(t node) {
		switch str(t, "type") {
		case "BASE_TABLE":
			name := strings.ToLower(str(t, "table_name"))
			alias := strings.ToLower(str(t, "alias"))
			if alias == "" {
				alias = name
			}
			refs = append(refs, ref{name, alias})
		case "JOIN":
			for _, side := range []string{"left", "right"} {
				if m, ok := t[side].(node); ok {
					collect(m)
				}
			}
		}
	}
	if from, ok := sel["from_table"].(node); ok {
		collect(from)
	}
	for _, st := range stars {
		rel := strings.ToLower(str(st, "relation_name"))
		excluded := map[string]bool{}
		if ex, ok := st["exclude_list"].([]any); ok {
			for _, x := range ex {
				if s, ok := x.(string); ok {
					excluded[strings.ToLower(s)] = true
				}
			}
		}
		for _, r := range refs {
			denied := partial[r.name]
			if len(denied) == 0 || slices.Contains(scope, r.name) || (rel != "" && rel != r.alias) {
				continue
			}
			for _, col := range denied {
				if !excluded[strings.ToLower(col)] {
					return sqlerr.PermissionDeniedRelation(r.name)
				}
			}
		}
	}
	return nil
}

// checkNaturalJoins refuses NATURAL JOIN over a table with columns the
// principal may not read: Redshift would join on the hidden column too and
// fail, while the view would silently join on fewer columns.
func checkNaturalJoins(root any, partial map[string][]string) error {
	return walk(root, func(n node) (bool, error) {
		if str(n, "type") != "JOIN" || str(n, "ref_type") != "NATURAL" {
			return true, nil
		}
		var err error
		for _, side := range []string{"left", "right"} {
			_ = walk(n[side], func(m node) (bool, error) {
				if str(m, "type") == "SUBQUERY" {
					return false, nil
				}
				if name := strings.ToLower(str(m, "table_name")); str(m, "type") == "BASE_TABLE" && len(partial[name]) > 0 {
					err = sqlerr.PermissionDeniedRelation(name)
				}
				return true, nil
			})
		}
		return err == nil, err
	})
}
