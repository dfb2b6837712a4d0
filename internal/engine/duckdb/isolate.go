package duckdb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Argument isolation: no function a principal calls may ever see a value of
// a row its policy hides.
//
// DuckDB evaluates a non-volatile scalar function whose only non-constant
// argument is a dictionary vector that came from storage over the whole
// storage dictionary, not over the selected rows
// (ExecuteFunctionState::TryExecuteDictionaryExpression), unless the
// function is marked as able to throw. The dictionary of a column segment
// holds the values of every row in it, so after the policy view's row filter
// it still holds hidden rows' values; a function that throws without being
// marked so (the regexp family, date_diff, LIKE … ESCAPE, hamming, …) then
// fails on a hidden value and names it. Marking is DuckDB's promise, not
// ours, so tipgate does not rely on it: every value that reaches a
// function's argument first passes through DuckDB's TRY operator, whose
// executor copies exactly the selected rows into a flat vector
// (ExpressionExecutor::Execute for OPERATOR_TRY → VectorOperations::Copy).
// A flat vector has no dictionary, so no function is ever evaluated on an
// entry a filter removed. TRY of a plain column cannot fail, so it changes
// no result; no optimizer rule removes or rewrites OPERATOR_TRY.
//
// Where values enter an expression: column references (including lambda
// parameters and struct fields), positional references, COLUMNS(*), and the
// select lists of subqueries used as values. Those are wrapped wherever
// they stand below a function, cast, collation or operator that binds to a
// function. Comparisons, conjunctions, CASE, COALESCE, IS [NOT] NULL, IN,
// BETWEEN, aggregates and window functions evaluate only the selected rows
// and have no dictionary path, so they pass the context through: bare
// columns in GROUP BY, comparisons and aggregates keep DuckDB's dictionary
// speed-ups for grouping and hashing, which evaluate no user expression.

// tryQueryLocation is DuckDB's "no position" marker in serialized trees.
var tryQueryLocation = json.Number("18446744073709551615")

// passThroughOperators evaluate their operands row by row on the selected
// rows and hand on whatever context they stand in.
var passThroughOperators = map[string]bool{
	"OPERATOR_NOT": true, "OPERATOR_IS_NULL": true, "OPERATOR_IS_NOT_NULL": true,
	"COMPARE_IN": true, "COMPARE_NOT_IN": true, "OPERATOR_COALESCE": true,
}

// functionKinds sorts DuckDB's function names for the rewrite.
type functionKinds struct {
	// aggregates are names that are only aggregates.
	aggregates map[string]bool
	// maybeAggregates are names that are aggregates and also scalar or
	// macro functions.
	maybeAggregates map[string]bool
}

// isolator rewrites one statement tree.
type isolator struct {
	functionKinds
	changed bool
	// unnamed are rewritten select-list items that need the original's
	// name as their alias.
	unnamed []unnamedItem
	// group holds the plain grouping columns while rewriting the parts of a
	// grouped SELECT evaluated after aggregation.
	group map[string]bool
	// correlated holds the outer grouping columns a subquery refers to.
	correlated map[string]bool
	// tableColumns returns the columns of a principal's view.
	tableColumns func(table string) ([]string, bool)
	// ctes are the names of every CTE the statement defines.
	ctes map[string]bool
	// lambdas holds the parameters of the lambdas being rewritten,
	// innermost last.
	lambdas []map[string]bool
	err     error
}

func (iso *isolator) isLambdaParam(n node) bool {
	names := columnNames(n)
	if str(n, "class") != "COLUMN_REF" || len(names) != 1 {
		return false
	}
	for _, params := range iso.lambdas {
		if params[names[0]] {
			return true
		}
	}
	return false
}

func (iso *isolator) isGroupColumn(n node) bool {
	if str(n, "class") != "COLUMN_REF" {
		return false
	}
	names := columnNames(n)
	if len(names) == 0 {
		return false
	}
	last := names[len(names)-1]
	return iso.group[last] || (len(names) == 1 && iso.correlated[last])
}

// exempt is the set of names that refer to flat aggregate output here.
func (iso *isolator) exempt() map[string]bool {
	out := map[string]bool{}
	for n := range iso.group {
		out[n] = true
	}
	for n := range iso.correlated {
		out[n] = true
	}
	return out
}

// fromColumns returns the column names a FROM clause defines, and whether
// it knows them all: only base tables of the principal's views (not CTEs,
// subqueries or table functions) are known.
func (iso *isolator) fromColumns(from any) (map[string]bool, bool) {
	out := map[string]bool{}
	var visit func(v any) bool
	visit = func(v any) bool {
		t, _ := v.(node)
		switch str(t, "type") {
		case "", "EMPTY":
			return true
		case "JOIN":
			return visit(t["left"]) && visit(t["right"])
		case "BASE_TABLE":
			name := strings.ToLower(str(t, "table_name"))
			if iso.tableColumns == nil || iso.ctes[name] || str(t, "schema_name") != "" || str(t, "catalog_name") != "" {
				return false
			}
			if aliases, _ := t["column_name_alias"].([]any); len(aliases) > 0 {
				return false
			}
			cols, ok := iso.tableColumns(name)
			if !ok {
				return false
			}
			for _, c := range cols {
				out[strings.ToLower(c)] = true
			}
			return true
		}
		return false
	}
	return out, visit(from)
}

// isolate rewrites stmt in place so that every function argument is
// isolated, and reports whether anything changed.
func isolate(ctx context.Context, q querier, stmt node, fn functionKinds, tableColumns func(string) ([]string, bool)) (bool, error) {
	iso := &isolator{functionKinds: fn, tableColumns: tableColumns, ctes: map[string]bool{}}
	_ = walk(stmt, func(n node) (bool, error) {
		for _, c := range cteNames(n) {
			iso.ctes[c] = true
		}
		return true, nil
	})
	iso.any(stmt)
	if iso.err != nil {
		return false, iso.err
	}
	for _, u := range iso.unnamed {
		name, err := exprName(ctx, q, u.original)
		if err != nil {
			return false, err
		}
		u.item["alias"] = name
	}
	return iso.changed, nil
}

// exprName asks DuckDB's printer for an expression's text, which is the
// name DuckDB gives an unnamed select-list item.
func exprName(ctx context.Context, q querier, expr node) (string, error) {
	t := &parseTree{raw: node{"error": false, "statements": []any{node{
		"named_param_map": []any{},
		"node": node{
			"type": "SELECT_NODE", "modifiers": []any{}, "cte_map": node{"map": []any{}},
			"select_list":  []any{expr},
			"from_table":   node{"type": "EMPTY", "alias": "", "sample": nil, "query_location": tryQueryLocation},
			"where_clause": nil, "group_expressions": []any{}, "group_sets": []any{},
			"aggregate_handling": "STANDARD_HANDLING", "having": nil, "sample": nil, "qualify": nil,
		},
	}}}}
	text, err := deparse(ctx, q, t)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(text, "SELECT "), nil
}

// expr rewrites the expression at *slot. inFunc is true when the value it
// produces flows into a function argument.
func (iso *isolator) expr(slot *any, inFunc bool) {
	n, ok := (*slot).(node)
	if !ok {
		iso.any(*slot)
		return
	}
	switch str(n, "class") {
	case "COLUMN_REF", "POSITIONAL_REFERENCE":
		if len(iso.lambdas) > 0 && !iso.isLambdaParam(n) && iso.err == nil {
			// DuckDB passes a column a lambda captures to the list function
			// as an argument of its own, bare, where it is evaluated over a
			// storage dictionary like any argument; TRY inside the body comes
			// too late. Redshift has no lambdas: they may use only their
			// parameters and constants.
			iso.err = sqlerr.New(sqlerr.FeatureUnsupported,
				"a lambda may use only its own parameters and constants, not the column %s; pass the values in the list (for example with list_zip)", strings.Join(columnNames(n), "."))
		}
		if inFunc && !iso.isGroupColumn(n) {
			*slot = tryNode(n)
			iso.changed = true
		}
		return
	case "STAR":
		// COLUMNS(*) stands for column references.
		if inFunc && n["columns"] == true {
			*slot = tryNode(n)
			iso.changed = true
			return
		}
		iso.children(n, false)
		return
	case "CONSTANT", "PARAMETER", "DEFAULT":
		return
	case "SUBQUERY":
		if inFunc {
			iso.valueLists(n["subquery"])
		}
		iso.children(n, inFunc)
		return
	case "OPERATOR":
		switch t := str(n, "type"); {
		case t == "OPERATOR_TRY":
			// A reference directly under TRY is isolated already, whoever
			// wrote the TRY; anything deeper is handled as usual.
			iso.childrenOf(n, func(child *any) {
				if m, ok := (*child).(node); ok && isLeaf(m) {
					return
				}
				iso.expr(child, true)
			})
			return
		case t == "GROUPING_FUNCTION":
			// GROUPING's arguments must match the grouping expressions
			// exactly and are never evaluated.
			iso.children(n, false)
			return
		case passThroughOperators[t]:
			iso.children(n, inFunc)
			return
		}
		iso.children(n, true)
		return
	case "FUNCTION":
		argsInFunc := true
		if iso.aggregates[strings.ToLower(str(n, "function_name"))] {
			// An aggregate's arguments are evaluated before grouping, on
			// the rows that reach it, and it has no dictionary path.
			saved := iso.group
			defer func() { iso.group = saved }()
			iso.group = nil
			argsInFunc = inFunc
		}
		iso.childList(n["children"], argsInFunc)
		// FILTER and ordered-aggregate clauses are evaluated like WHERE and
		// ORDER BY: their values flow into no argument.
		iso.anyMember(n, "filter", n["filter"])
		iso.anyMember(n, "order_bys", n["order_bys"])
		return
	case "CAST", "COLLATE", "LAMBDA":
		if str(n, "class") == "LAMBDA" {
			// The left side declares parameters; only the body is evaluated.
			params := map[string]bool{}
			_ = walk(n["lhs"], func(m node) (bool, error) {
				if str(m, "class") == "COLUMN_REF" {
					if names := columnNames(m); len(names) == 1 {
						params[names[0]] = true
					}
				}
				return true, nil
			})
			iso.lambdas = append(iso.lambdas, params)
			body := n["expr"]
			iso.expr(&body, true)
			n["expr"] = body
			iso.lambdas = iso.lambdas[:len(iso.lambdas)-1]
			return
		}
		iso.children(n, true)
		return
	case "COMPARISON", "CONJUNCTION", "CASE", "BETWEEN", "WINDOW":
		iso.children(n, inFunc)
		return
	}
	// An expression class this code does not know: treat it as a function.
	iso.children(n, true)
}

func isLeaf(m node) bool {
	switch str(m, "class") {
	case "COLUMN_REF", "POSITIONAL_REFERENCE":
		return true
	case "STAR":
		return m["columns"] == true
	}
	return false
}

// children rewrites every expression held directly by n.
func (iso *isolator) children(n node, inFunc bool) {
	iso.childrenOf(n, func(child *any) { iso.expr(child, inFunc) })
}

// childrenOf calls f on each expression slot of n, including those held in
// parts of the expression that are not expressions themselves (CASE's
// WHEN/THEN pairs, a window's ORDER BY entries): their values flow where
// the expression's do. Queries below it (a subquery's statement) are walked
// as new scopes.
func (iso *isolator) childrenOf(n node, f func(*any)) {
	for k, v := range n {
		if m, ok := v.(node); ok {
			if _, isExpr := m["class"]; isExpr {
				slot := any(m)
				f(&slot)
				n[k] = slot
				continue
			}
		}
		iso.partOf(v, f)
	}
}

// part walks a non-expression part of an expression: a query is a new
// scope, anything else holds expressions that flow like the expression's.
func (iso *isolator) part(m node, f func(*any)) {
	if _, stmt := m["node"]; stmt || strings.HasSuffix(str(m, "type"), "_NODE") {
		iso.any(m)
		return
	}
	iso.childrenOf(m, f)
}

func (iso *isolator) partOf(v any, f func(*any)) {
	switch x := v.(type) {
	case node:
		iso.part(x, f)
	case []any:
		for i := range x {
			if m, ok := x[i].(node); ok {
				if _, isExpr := m["class"]; isExpr {
					f(&x[i])
					continue
				}
			}
			iso.partOf(x[i], f)
		}
	}
}

func (iso *isolator) childList(v any, inFunc bool) {
	list, _ := v.([]any)
	for i := range list {
		iso.expr(&list[i], inFunc)
	}
}

// any walks a part of the tree that is not an expression: every expression
// found below it starts outside any function.
func (iso *isolator) any(v any) {
	if m, ok := v.(node); ok {
		if _, isExpr := m["class"]; isExpr {
			slot := any(m)
			iso.expr(&slot, false)
			return
		}
		if str(m, "type") == "SELECT_NODE" {
			iso.selectNode(m)
			return
		}
		iso.childrenOf(m, iso.outside)
		return
	}
	iso.partOf(v, iso.outside)
}

// outside rewrites an expression whose value flows into no function.
func (iso *isolator) outside(slot *any) { iso.expr(slot, false) }

// selectNode rewrites one SELECT. In a grouped SELECT, the select list,
// HAVING, QUALIFY and ORDER BY are evaluated on the aggregate's output,
// whose group values the aggregate writes into fresh flat vectors; a bare
// grouping column there needs no isolation, and DuckDB cannot bind TRY
// around it (TRY's binder does not know grouping columns). Everything else,
// including grouping expressions themselves, is isolated the same way
// wherever it appears, so a select item still matches its GROUP BY term.
func (iso *isolator) selectNode(sel node) {
	saved, savedCorrelated := iso.group, iso.correlated
	defer func() { iso.group, iso.correlated = saved, savedCorrelated }()
	// A subquery in the post-aggregation part of a grouped SELECT may
	// refer to the outer grouping columns; those values, too, come from the
	// outer aggregate's output. A name counts as such a reference only where
	// the subquery's own FROM is fully known and does not define it.
	iso.correlated = nil
	if outer := iso.exempt(); len(outer) > 0 {
		if own, known := iso.fromColumns(sel["from_table"]); known {
			iso.correlated = map[string]bool{}
			for name := range outer {
				if !own[name] {
					iso.correlated[name] = true
				}
			}
		}
	}
	iso.group = nil
	for k, v := range sel {
		switch k {
		case "select_list", "having", "qualify", "modifiers":
			continue
		}
		iso.anyMember(sel, k, v)
	}
	iso.groupByAll(sel)
	iso.group = groupColumns(sel)
	iso.selectList(sel)
	for _, k := range []string{"having", "qualify", "modifiers"} {
		iso.anyMember(sel, k, sel[k])
	}
}

// groupByAll spells GROUP BY ALL out as GROUP BY <position> of every select
// item without an aggregate or window function, which is what it means,
// when a grouping item needs isolation: DuckDB cannot bind TRY inside the
// grouping expressions it derives for GROUP BY ALL, but binds them when they
// are named by position. Otherwise GROUP BY ALL stays as written, with
// DuckDB's own rules.
func (iso *isolator) groupByAll(sel node) {
	if str(sel, "aggregate_handling") != "FORCE_AGGREGATES" {
		return
	}
	list, _ := sel["select_list"].([]any)
	var keys []int
	needed := false
	for i, item := range list {
		if iso.hasAggregate(item) {
			continue
		}
		keys = append(keys, i)
		m, ok := item.(node)
		if !ok {
			continue
		}
		probe := &isolator{functionKinds: iso.functionKinds, tableColumns: iso.tableColumns, ctes: iso.ctes, correlated: iso.correlated}
		slot := any(deepCopy(m))
		probe.expr(&slot, false)
		needed = needed || probe.changed
	}
	if !needed {
		return
	}
	var groups []any
	for _, i := range keys {
		groups = append(groups, node{
			"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": tryQueryLocation,
			"value": node{"type": node{"id": "INTEGER", "type_info": nil}, "is_null": false, "value": json.Number(strconv.Itoa(i + 1))},
		})
	}
	sel["aggregate_handling"] = "STANDARD_HANDLING"
	sel["group_expressions"] = groups
	sets := make([]any, 0, 1)
	set := make([]any, len(groups))
	for i := range groups {
		set[i] = json.Number(strconv.Itoa(i))
	}
	sel["group_sets"] = append(sets, set)
	iso.changed = true
}

// hasAggregate reports an aggregate or window function in an expression,
// not counting those inside subqueries. A function name DuckDB has both as
// an aggregate and otherwise counts as an aggregate.
func (iso *isolator) hasAggregate(v any) bool {
	found := false
	_ = walk(v, func(n node) (bool, error) {
		switch str(n, "class") {
		case "SUBQUERY":
			return false, nil
		case "WINDOW":
			found = true
		case "FUNCTION":
			name := strings.ToLower(str(n, "function_name"))
			if iso.aggregates[name] || iso.maybeAggregates[name] {
				found = true
			}
		}
		return !found, nil
	})
	return found
}

// anyMember rewrites n[k], an expression or a part of the tree.
func (iso *isolator) anyMember(n node, k string, v any) {
	if m, ok := v.(node); ok {
		if _, isExpr := m["class"]; isExpr {
			slot := any(m)
			iso.outside(&slot)
			n[k] = slot
			return
		}
	}
	iso.any(v)
}

// groupColumns returns the names of the plain columns a SELECT groups by
// (directly, by position, by select-list alias or by GROUP BY ALL), or nil
// if it does not group.
func groupColumns(sel node) map[string]bool {
	groups, _ := sel["group_expressions"].([]any)
	list, _ := sel["select_list"].([]any)
	out := map[string]bool{}
	addColumn := func(m node) {
		if str(m, "class") == "COLUMN_REF" {
			if names := columnNames(m); len(names) > 0 {
				out[names[len(names)-1]] = true
			}
		}
	}
	if str(sel, "aggregate_handling") == "FORCE_AGGREGATES" {
		// GROUP BY ALL groups by every select item without an aggregate:
		// the bare columns among them are grouping columns.
		for _, item := range list {
			if m, ok := item.(node); ok {
				addColumn(m)
			}
		}
		return out
	}
	if len(groups) == 0 {
		return nil
	}
	for _, g := range groups {
		m, _ := g.(node)
		switch str(m, "class") {
		case "COLUMN_REF":
			addColumn(m)
			names := columnNames(m)
			for _, item := range list {
				if it, ok := item.(node); ok && len(names) == 1 && strings.EqualFold(str(it, "alias"), names[0]) {
					addColumn(it)
				}
			}
		case "CONSTANT":
			v, _ := m["value"].(node)
			if k, err := strconv.Atoi(fmt.Sprint(v["value"])); err == nil && k >= 1 && k <= len(list) {
				if it, ok := list[k-1].(node); ok {
					addColumn(it)
				}
			}
		}
	}
	return out
}

// selectList rewrites a query's select list. An unnamed item whose text
// the rewrite changes keeps the name DuckDB would have given the original
// (lower(city), not lower(TRY(city))): result columns, CTE columns and
// references to them by name stay what the principal wrote.
func (iso *isolator) selectList(sel node) {
	list, _ := sel["select_list"].([]any)
	for i := range list {
		m, ok := list[i].(node)
		if !ok {
			continue
		}
		if _, isExpr := m["class"]; !isExpr {
			iso.any(m)
			continue
		}
		before := iso.changed
		iso.changed = false
		var original node
		if str(m, "alias") == "" && !hasStar(m) {
			original = deepCopy(m)
		}
		iso.expr(&list[i], false)
		if iso.changed && original != nil {
			iso.unnamed = append(iso.unnamed, unnamedItem{list[i].(node), original})
		}
		iso.changed = iso.changed || before
	}
}

// unnamedItem is a rewritten select-list item and the original it was.
type unnamedItem struct {
	item, original node
}

func hasStar(m node) bool {
	found := false
	_ = walk(m, func(n node) (bool, error) {
		if str(n, "class") == "STAR" {
			found = true
		}
		return !found, nil
	})
	return found
}

func deepCopy(v node) node {
	b, _ := json.Marshal(v)
	var out node
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	_ = dec.Decode(&out)
	return out
}

// valueLists isolates the select-list items of a query used as a value
// (through set operations), since its result flows into a function.
func (iso *isolator) valueLists(v any) {
	q, _ := v.(node)
	if q == nil {
		return
	}
	if inner, ok := q["node"].(node); ok {
		q = inner
	}
	switch str(q, "type") {
	case "SELECT_NODE":
		list, _ := q["select_list"].([]any)
		for i := range list {
			if m, ok := list[i].(node); ok && isLeaf(m) {
				alias := str(m, "alias")
				m["alias"] = ""
				t := tryNode(m)
				t["alias"] = alias
				list[i] = t
				iso.changed = true
			}
		}
	case "SET_OPERATION_NODE":
		iso.valueLists(q["left"])
		iso.valueLists(q["right"])
	}
}

func tryNode(child node) node {
	return node{
		"class": "OPERATOR", "type": "OPERATOR_TRY", "alias": "", "query_location": tryQueryLocation,
		"children": []any{child},
	}
}
