package duckdb

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Safe pushdown (issue 14): a principal's predicate that can neither fail
// nor depend on anything but the column it compares is evaluated in the
// policy view's own filter, next to the row filter, instead of above the
// view.
//
// Why not DuckDB's filter_pushdown: it moves every filter, whatever it
// calls, through the view's projection into the scan, below the row filter
// (optimizers.go), and stays off. So the rewrite is tipgate's, on DuckDB's
// parse tree after admission: in a SELECT whose FROM is a single policy
// view, the conjuncts of its WHERE that are leakproof (below) leave the
// WHERE and are ANDed into the view's inner WHERE, the view inlined as a
// subquery with the view's name or the principal's alias. DuckDB's
// reorder_filter then evaluates the cheap comparison first, and the row
// filter (a LIKE, a lookup) only on the rows that pass it.
//
// A pushed predicate runs on hidden rows, so it must not be able to tell
// anything about them: it may not fail, have a side effect, or read
// anything but the compared column. Leakproof here (PostgreSQL's notion,
// narrowed to what tipgate proves from the parse tree alone) is a
// combination with AND, OR and NOT of
//   - column ⋈ constant (=, <>, <, <=, >, >=, IS [NOT] DISTINCT FROM) and
//     column [NOT] BETWEEN constant AND constant,
//   - column [NOT] IN (constant, ...),
//   - column IS [NOT] NULL,
//
// where the column is a granted, unmasked column of the view (a masked
// column's value in the view is the mask's, not the raw one the inner
// filter would compare) and every constant already has the column's type,
// so that binding casts nothing that could fail on a row: a string literal
// for a VARCHAR column, an integer literal that fits for an integer column,
// NULL for any. Everything else stays where the principal wrote it, above
// the row filter: functions (LIKE and the regexp family included: their
// cost depends on the value and the pattern, a timing channel on hidden
// values), casts, arithmetic, subqueries, parameters, decimal, float,
// boolean, date and time comparisons (the literal is a cast or needs one).
//
// Moving the row filter next to the principal's predicate changes where the
// policy's own expressions run too: the row filter then runs only on rows
// the principal's predicate keeps, and masks only on visible rows it keeps.
// If either could fail, whether it fails would depend on hidden values (or
// on masked raw values) that the principal chose with its predicate. So a
// view takes pushed predicates only when its row filter is infallible by
// the same test (LIKE with a constant pattern and no ESCAPE allowed too: it
// never fails, and its timing already runs on every row), and a statement
// only when it cannot read a masked column whose mask reads the row: no
// reference names that column, the view or its alias (a whole-row
// reference), and no star or positional reference is anywhere in it. Such
// a mask is then not evaluated at all (DuckDB prunes the unused projection);
// row-independent masks (a constant, such as a NULL mask) do not count.
//
// What remains is a timing channel, as with PostgreSQL's leakproof quals
// below a security barrier: the row filter now runs only on the rows the
// pushed predicate keeps, hidden ones included, so a statement's duration
// grows with the number of hidden rows matching it, by the cost of the row
// filter on each (nanoseconds for a LIKE prefix). Results, errors and
// plans shown to the principal are unchanged.

// viewPlan is a compiled policy view in parts.
type viewPlan struct {
	table string
	// projection is the view's select list (granted columns, masks),
	// source its inner FROM (the raw table under the policy's alias) and
	// filter the row filter ("" when rows are not filtered).
	projection, source, filter string
	// bareFilter is the row filter without the coalesce(…, false) of the
	// view: in a WHERE, NULL and false both drop the row, and next to
	// pushed predicates the bare form lets DuckDB interleave the conjuncts
	// and select rows directly (the wrapped form cost 9% of the drill-down's
	// CPU). Only a pushable view's filter is used bare, whose every
	// conjunct is infallible anyway.
	bareFilter string
	// columns maps each granted, unmasked column (lower case) to its
	// DuckDB type: the columns a pushed predicate may compare.
	columns map[string]string
	// pushable is true when predicates may be pushed into this view: it has
	// a row filter, and that filter is infallible.
	pushable bool
	// maskReads are the granted columns (lower case) whose masks read the
	// row: a statement that may read one takes no pushed predicate.
	maskReads []string
}

// sql returns the view's SELECT with pushed, a condition on the raw table's
// columns, ANDed into its filter.
func (v *viewPlan) sql(pushed string) string {
	inner := "SELECT * FROM " + v.source
	switch {
	case v.filter != "" && pushed != "":
		inner += " WHERE (" + pushed + ") AND " + v.bareFilter
	case v.filter != "":
		inner += " WHERE " + v.filter
	case pushed != "":
		inner += " WHERE " + pushed
	}
	return "SELECT " + v.projection + " FROM (" + inner + ") AS " + sqlscan.QuoteIdent(v.table)
}

// anyPushable reports whether any view of pc takes pushed predicates.
func (pc *policyContext) anyPushable() bool {
	for _, v := range pc.plans {
		if v.pushable {
			return true
		}
	}
	return false
}

// rowFilterInfallible reports whether every compiled RLS predicate of a
// view is infallible (see above); alias is the name the predicates may
// qualify columns with.
func (e *Engine) rowFilterInfallible(ctx context.Context, q querier, preds []string, a policy.Access, alias string) (bool, error) {
	types := map[string]string{}
	for _, c := range a.Columns {
		types[strings.ToLower(c.Name)] = duckType(c.Type)
	}
	col := columnResolver(types, strings.ToLower(alias), strings.ToLower(a.Table))
	for _, p := range preds {
		expr, err := parseExpr(ctx, q, p)
		if err != nil {
			return false, err
		}
		if !leakproof(expr, col, true) {
			return false, nil
		}
	}
	return true, nil
}

// rowIndependent reports whether a compiled mask reads no column and no
// table: its value, and whether it fails, are the same on every row.
func rowIndependent(ctx context.Context, q querier, mask string) (bool, error) {
	expr, err := parseExpr(ctx, q, mask)
	if err != nil {
		return false, err
	}
	independent := true
	_ = walk(expr, func(n node) (bool, error) {
		switch str(n, "class") {
		case "COLUMN_REF", "POSITIONAL_REFERENCE", "STAR", "SUBQUERY", "PARAMETER":
			independent = false
		}
		return independent, nil
	})
	return independent, nil
}

// parseExpr parses one expression with DuckDB's parser.
func parseExpr(ctx context.Context, q querier, expr string) (node, error) {
	tree, err := parseSQL(ctx, q, "SELECT "+expr)
	if err != nil {
		return nil, err
	}
	if len(tree.statements) != 1 {
		return nil, nil
	}
	sel, _ := tree.statements[0]["node"].(node)
	list, _ := sel["select_list"].([]any)
	if len(list) != 1 {
		return nil, nil
	}
	n, _ := list[0].(node)
	return n, nil
}

// columnResolver returns the type of the column a COLUMN_REF names, if it
// is one of types: unqualified, or qualified by one of the given names.
func columnResolver(types map[string]string, qualifiers ...string) func(node) (string, bool) {
	return func(n node) (string, bool) {
		if str(n, "class") != "COLUMN_REF" {
			return "", false
		}
		names := columnNames(n)
		switch len(names) {
		case 1:
		case 2:
			ok := false
			for _, q := range qualifiers {
				ok = ok || (q != "" && names[0] == q)
			}
			if !ok {
				return "", false
			}
		default:
			return "", false
		}
		t, ok := types[names[len(names)-1]]
		return t, ok
	}
}

// comparisons are the comparison operators of a leakproof predicate.
var comparisons = map[string]bool{
	"COMPARE_EQUAL": true, "COMPARE_NOTEQUAL": true, "COMPARE_LESSTHAN": true, "COMPARE_GREATERTHAN": true,
	"COMPARE_LESSTHANOREQUALTO": true, "COMPARE_GREATERTHANOREQUALTO": true,
	"COMPARE_DISTINCT_FROM": true, "COMPARE_NOT_DISTINCT_FROM": true,
}

// leakproof reports whether v is a leakproof condition (see above) over the
// columns col resolves. With like, a LIKE or NOT LIKE of a VARCHAR column
// and a constant pattern (no ESCAPE) counts too: it cannot fail, though its
// cost depends on the value (for row filters, which run on every row).
func leakproof(v any, col func(node) (string, bool), like bool) bool {
	n, ok := v.(node)
	if !ok {
		return false
	}
	switch str(n, "class") {
	case "CONJUNCTION":
		children, _ := n["children"].([]any)
		if len(children) == 0 {
			return false
		}
		for _, c := range children {
			if !leakproof(c, col, like) {
				return false
			}
		}
		return true
	case "COMPARISON":
		if !comparisons[str(n, "type")] {
			return false
		}
		l, _ := n["left"].(node)
		r, _ := n["right"].(node)
		if t, ok := col(l); ok {
			return constantOf(r, t)
		}
		if t, ok := col(r); ok {
			return constantOf(l, t)
		}
		return false
	case "BETWEEN":
		in, _ := n["input"].(node)
		lo, _ := n["lower"].(node)
		hi, _ := n["upper"].(node)
		t, ok := col(in)
		return ok && constantOf(lo, t) && constantOf(hi, t)
	case "OPERATOR":
		children, _ := n["children"].([]any)
		switch str(n, "type") {
		case "OPERATOR_NOT":
			return len(children) == 1 && leakproof(children[0], col, like)
		case "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL":
			if len(children) != 1 {
				return false
			}
			c, _ := children[0].(node)
			_, ok := col(c)
			return ok
		case "COMPARE_IN", "COMPARE_NOT_IN":
			if len(children) < 2 {
				return false
			}
			c, _ := children[0].(node)
			t, ok := col(c)
			if !ok {
				return false
			}
			for _, x := range children[1:] {
				m, _ := x.(node)
				if !constantOf(m, t) {
					return false
				}
			}
			return true
		}
		return false
	case "FUNCTION":
		name := str(n, "function_name")
		if !like || (name != "~~" && name != "!~~") || str(n, "schema") != "" || str(n, "catalog") != "" {
			return false
		}
		children, _ := n["children"].([]any)
		if len(children) != 2 {
			return false
		}
		c, _ := children[0].(node)
		p, _ := children[1].(node)
		t, ok := col(c)
		return ok && t == "VARCHAR" && constantOf(p, "VARCHAR")
	}
	return false
}

// constantOf reports whether n is a literal that binds to the column type
// typ without a cast of the column: NULL, a string literal for VARCHAR, an
// integer literal within the range of an integer type.
func constantOf(n node, typ string) bool {
	if str(n, "class") != "CONSTANT" || str(n, "type") != "VALUE_CONSTANT" {
		return false
	}
	v, _ := n["value"].(node)
	if isNull, _ := v["is_null"].(bool); isNull {
		return true
	}
	t, _ := v["type"].(node)
	id := str(t, "id")
	switch typ {
	case "VARCHAR":
		_, isString := v["value"].(string)
		return id == "VARCHAR" && isString
	case "SMALLINT", "INTEGER", "BIGINT":
		if id != "INTEGER" && id != "BIGINT" {
			return false
		}
		i, err := strconv.ParseInt(numberText(v["value"]), 10, 64)
		if err != nil {
			return false
		}
		switch typ {
		case "SMALLINT":
			return i >= math.MinInt16 && i <= math.MaxInt16
		case "INTEGER":
			return i >= math.MinInt32 && i <= math.MaxInt32
		}
		return true
	}
	return false
}

func numberText(v any) string {
	switch x := v.(type) {
	case interface{ String() string }:
		return x.String()
	case string:
		return x
	}
	return ""
}

// pushDown moves the leakproof conjuncts of the WHERE of every SELECT whose
// FROM is a single policy view into that view's filter (see above), and
// reports whether it changed stmt. It runs on an admitted statement, whose
// schema qualifiers are gone and whose every other reference is checked;
// what it adds reads the raw table the view reads, through the view's own
// compiled filter and projection.
func (e *Engine) pushDown(ctx context.Context, q querier, pc *policyContext, stmt node) (bool, error) {
	ctes := map[string]bool{}
	_ = walk(stmt, func(n node) (bool, error) {
		for _, c := range cteNames(n) {
			ctes[c] = true
		}
		return true, nil
	})
	// Every name the statement references, and whether it reads columns
	// without naming them.
	refs := map[string]bool{}
	unnamed := false
	_ = walk(stmt, func(n node) (bool, error) {
		switch str(n, "class") {
		case "COLUMN_REF":
			if names := columnNames(n); len(names) > 0 {
				refs[names[len(names)-1]] = true
			}
		case "STAR", "POSITIONAL_REFERENCE":
			unnamed = true
		}
		return true, nil
	})
	changed := false
	err := walk(stmt, func(sel node) (bool, error) {
		if str(sel, "type") != "SELECT_NODE" || sel["where_clause"] == nil || sel["sample"] != nil {
			return true, nil
		}
		from, _ := sel["from_table"].(node)
		name := strings.ToLower(str(from, "table_name"))
		v := pc.plans[name]
		if str(from, "type") != "BASE_TABLE" || v == nil || !v.pushable || ctes[name] ||
			str(from, "schema_name") != "" || str(from, "catalog_name") != "" || from["sample"] != nil || from["at_clause"] != nil {
			return true, nil
		}
		if aliases, _ := from["column_name_alias"].([]any); len(aliases) > 0 {
			return true, nil
		}
		alias := strings.ToLower(str(from, "alias"))
		if alias == "" {
			alias = name
		}
		if len(v.maskReads) > 0 {
			if unnamed || refs[name] || refs[alias] {
				return true, nil
			}
			for _, c := range v.maskReads {
				if refs[c] {
					return true, nil
				}
			}
		}
		col := columnResolver(v.columns, alias)
		var pushed, kept []any
		for _, c := range conjuncts(sel["where_clause"]) {
			if leakproof(c, col, false) {
				pushed = append(pushed, c)
			} else {
				kept = append(kept, c)
			}
		}
		if len(pushed) == 0 {
			return true, nil
		}
		cond := conjunction(pushed)
		// Inside the view the columns are the raw table's, unqualified
		// (the raw table is the only one in scope there).
		_ = walk(cond, func(n node) (bool, error) {
			if str(n, "class") == "COLUMN_REF" {
				names, _ := n["column_names"].([]any)
				n["column_names"] = []any{names[len(names)-1]}
			}
			return true, nil
		})
		text, err := exprName(ctx, q, cond)
		if err != nil {
			return false, err
		}
		inline, err := parseSQL(ctx, q, v.sql(text))
		if err != nil {
			return false, err
		}
		if len(inline.statements) != 1 {
			return false, sqlerr.New(sqlerr.Internal, "pushdown: the inlined view is not one statement")
		}
		outAlias := str(from, "alias")
		if outAlias == "" {
			outAlias = str(from, "table_name")
		}
		sel["from_table"] = node{
			"type": "SUBQUERY", "alias": outAlias, "sample": nil, "query_location": tryQueryLocation,
			"subquery": inline.statements[0], "column_name_alias": []any{},
		}
		sel["where_clause"] = nil
		if len(kept) > 0 {
			sel["where_clause"] = conjunction(kept)
		}
		changed = true
		// The inlined view's own SELECTs read the raw catalog and are
		// passed over; subqueries elsewhere in this SELECT are not.
		return true, nil
	})
	return changed, err
}

// conjuncts flattens a condition's top-level ANDs.
func conjuncts(v any) []any {
	n, ok := v.(node)
	if ok && str(n, "class") == "CONJUNCTION" && str(n, "type") == "CONJUNCTION_AND" {
		var out []any
		children, _ := n["children"].([]any)
		for _, c := range children {
			out = append(out, conjuncts(c)...)
		}
		return out
	}
	return []any{v}
}

// conjunction joins conditions with AND.
func conjunction(list []any) node {
	if len(list) == 1 {
		n, _ := list[0].(node)
		return n
	}
	return node{"class": "CONJUNCTION", "type": "CONJUNCTION_AND", "alias": "", "query_location": tryQueryLocation, "children": list}
}
