package duckdb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
)

// Redshift query semantics on DuckDB: a query means what it means on
// Redshift, not what it means on DuckDB (docs/semantics.md lists each
// semantic, how it is settled here and the named deviations that remain;
// testdata/semantics/redshift_query_semantics.test checks them).
//
// Two mechanisms, both DuckDB's own:
//
//   - Settings, applied globally in init before the configuration is
//     locked, so they hold for every connection, the superuser's included:
//     integer division of integers, Redshift's default NULL order and
//     Redshift's session time zone.
//   - A rewrite of the parse tree (DuckDB's json_serialize_sql form) that
//     replaces a DuckDB function whose meaning differs by a macro with
//     Redshift's meaning. The rewrite runs before argument isolation and
//     produces only FUNCTION, WINDOW and CONSTANT nodes, which isolate.go
//     handles like any other; it is idempotent (nothing it produces is
//     rewritten again), as the guard's second pass requires.
//
// The macros live in memory.main next to the compatibility macros and are
// created before the configuration is locked. Their names start with tg_;
// a principal may call them (they compute nothing a principal could not
// write out by hand).

// redshiftSettings are the DuckDB settings that give Redshift's meaning.
var redshiftSettings = []string{
	// 7 / 2 is 3: "/" on two integers is integer division truncating toward
	// zero; 7 / 2.0 and decimal or float division are unchanged. DuckDB
	// decides this in the binder from the operands' types.
	"SET GLOBAL integer_division = true",
	// NULL is the largest value: last in ascending order, first in
	// descending order, in ORDER BY, window and aggregate orderings.
	"SET GLOBAL default_null_order = 'nulls_last_on_asc_first_on_desc'",
	// Redshift sessions run in UTC; DuckDB's default is the server's zone,
	// which would make TIMESTAMPTZ casts, date parts and current_date
	// depend on where tipgate runs.
	"SET GLOBAL TimeZone = 'UTC'",
}

// redshiftMacros implement Redshift's meaning where DuckDB's function
// means something else. A macro's parameters are substituted by the
// argument expressions, so an argument used twice is evaluated twice (the
// optimizer's common-subexpression elimination usually merges them).
var redshiftMacros = []string{
	// Division and modulo by zero are errors ("division by zero",
	// SQLSTATE 22012), not NULL or Infinity; NULL divided by zero is NULL
	// (the operators are strict). The division itself is DuckDB's, so
	// DuckDB still chooses integer or fractional division from the
	// operands' types, and a parameter is typed as in a plain division
	// (wrapping only the divisor in the CASE would type it VARCHAR).
	"CREATE OR REPLACE MACRO memory.main.tg_div(dividend, divisor) AS CASE WHEN divisor = 0 AND dividend IS NOT NULL THEN error('" + divisionByZero + "') ELSE dividend / divisor END",
	"CREATE OR REPLACE MACRO memory.main.tg_mod(dividend, divisor) AS CASE WHEN divisor = 0 AND dividend IS NOT NULL THEN error('" + divisionByZero + "') ELSE dividend % divisor END",
	// AVG of integers is an integer, truncated toward zero: the sum (which
	// DuckDB keeps as HUGEINT, so it cannot overflow) divided by the count
	// with integer division. Of floats and decimals it is the same
	// quotient as DuckDB's avg, a DOUBLE. No rows (count 0) give NULL.
	"CREATE OR REPLACE MACRO memory.main.tg_avg(total, n) AS total / nullif(n, 0)",
	// SUBSTRING counts positions before the first character: a start below
	// 1 shortens the result instead of counting from the end, and a
	// negative length is an error (DuckDB would count backwards).
	"CREATE OR REPLACE MACRO memory.main.tg_substring(s, start, n) AS CASE WHEN n < 0 THEN error('negative substring length not allowed') " +
		"WHEN start < 1 AND n IS NOT NULL THEN substring(s, 1, greatest(CAST(start AS BIGINT) + n - 1, 0)) ELSE substring(s, start, n) END",
	"CREATE OR REPLACE MACRO memory.main.tg_substring_from(s, start) AS CASE WHEN start < 1 THEN substring(s, 1) ELSE substring(s, start) END",
	// SPLIT_PART's position must be greater than 0 (DuckDB counts a
	// negative one from the end and gives '' for 0).
	"CREATE OR REPLACE MACRO memory.main.tg_split_part(s, delimiter, part) AS CASE WHEN part <= 0 THEN error('field position must be greater than zero') ELSE split_part(s, delimiter, part) END",
	// DATE_PART returns DOUBLE PRECISION; its seconds include the fraction.
	"CREATE OR REPLACE MACRO memory.main.tg_date_part(part, ts) AS CASE WHEN part = 'second' THEN CAST(date_part('microseconds', ts) AS DOUBLE) / 1000000 " +
		"WHEN part = 'decade' THEN CAST(date_part('year', ts) // 10 + 1 AS DOUBLE) ELSE CAST(date_part(part, ts) AS DOUBLE) END",
	// EXTRACT returns only the part asked for: milliseconds without the
	// seconds, microseconds without seconds and milliseconds. Redshift's
	// decade 1 is the years 1 to 9 (DuckDB's decade is year / 10).
	"CREATE OR REPLACE MACRO memory.main.tg_extract_ms(ts) AS date_part('millisecond', ts) % 1000",
	"CREATE OR REPLACE MACRO memory.main.tg_extract_us(ts) AS date_part('microsecond', ts) % 1000",
	"CREATE OR REPLACE MACRO memory.main.tg_extract_decade(ts) AS date_part('year', ts) // 10 + 1",
	// Redshift's centuries and millennia start in years ending in 1
	// (DATE_TRUNC('millennium', 2020-04-30) is 2001-01-01).
	"CREATE OR REPLACE MACRO memory.main.tg_trunc_century(ts) AS make_timestamp((date_part('year', ts) - 1) // 100 * 100 + 1, 1, 1, 0, 0, 0)",
	"CREATE OR REPLACE MACRO memory.main.tg_trunc_millennium(ts) AS make_timestamp((date_part('year', ts) - 1) // 1000 * 1000 + 1, 1, 1, 0, 0, 0)",
	// BTRIM is Redshift's name for trimming both ends.
	"CREATE OR REPLACE MACRO memory.main.btrim(s) AS trim(s), (s, characters) AS trim(s, characters)",
}

// divisionByZero is the message of the error a zero divisor raises. DuckDB
// raises error() as "Invalid Input Error: division by zero", which mapError
// is to turn into Redshift's division_by_zero (SQLSTATE 22012).
const divisionByZero = "division by zero"

// redshiftInit returns the statements init runs for Redshift semantics.
func redshiftInit() []string {
	return append(append([]string{}, redshiftSettings...), redshiftMacros...)
}

// datePartFunctions take a date part as their first argument, which
// Redshift also accepts as a bare identifier (DATE_PART(minute, ts)).
var datePartFunctions = map[string]bool{
	"date_part": true, "datepart": true, "pgdate_part": true, "date_trunc": true, "datetrunc": true,
	"date_diff": true, "datediff": true, "date_sub": true, "datesub": true, "dateadd": true,
}

// likeEscapes are DuckDB's LIKE operators and their forms with an explicit
// escape character.
var likeEscapes = map[string]string{
	"~~": "like_escape", "!~~": "not_like_escape", "~~*": "ilike_escape", "!~~*": "not_ilike_escape",
}

// redshiftRewriter rewrites one statement tree.
type redshiftRewriter struct {
	changed bool
	// unnamed are rewritten select-list items that need the original's
	// name as their alias (nil when names do not matter).
	unnamed *[]unnamedItem
}

// redshift rewrites stmt in place so that it means what it means on
// Redshift, setting *rewritten if it changed anything. An unnamed
// select-list item it rewrites keeps the name DuckDB gives the original
// (concat(a, b), not (a || b)). The guard calls it before argument
// isolation.
func (e *Engine) redshift(ctx context.Context, q querier, stmt node, rewritten *bool) error {
	changed, err := redshiftRewrite(ctx, q, stmt, true)
	if changed {
		*rewritten = true
	}
	return err
}

// redshiftRewrite rewrites stmt in place and reports whether anything
// changed. With keepNames, an unnamed select-list item it rewrites is
// given the name of the original as its alias; without, select lists are
// rewritten like any expression (for a policy expression parsed as
// "SELECT expr", whose printing must stay an expression).
func redshiftRewrite(ctx context.Context, q querier, stmt node, keepNames bool) (bool, error) {
	r := &redshiftRewriter{}
	var unnamed []unnamedItem
	if keepNames {
		r.unnamed = &unnamed
	}
	r.walk(stmt)
	for _, u := range unnamed {
		name, err := exprName(ctx, q, u.original)
		if err != nil {
			return false, err
		}
		u.item["alias"] = name
	}
	return r.changed, nil
}

// redshiftText returns text rewritten for Redshift semantics, for a
// statement that does not pass the guard (the superuser's): a single
// SELECT-family statement DuckDB's parser serializes comes back rewritten
// if anything needed it; anything else comes back unchanged, for DuckDB to
// run or refuse as it is.
func redshiftText(ctx context.Context, q querier, text string) (string, error) {
	tree, err := parseSQL(ctx, q, text)
	if err != nil || len(tree.statements) != 1 {
		return text, nil
	}
	changed, err := redshiftRewrite(ctx, q, tree.statements[0], true)
	if err != nil || !changed {
		return text, err
	}
	return deparse(ctx, q, tree)
}

// RedshiftSetup returns the statements that give a plain in-memory DuckDB
// database tipgate's Redshift semantics (settings and macros), and
// RedshiftSQL rewrites a statement for it: together they let a test use
// plain DuckDB as ground truth for what tipgate answers.
func RedshiftSetup() []string { return redshiftInit() }

// RedshiftSQL rewrites one statement for a database set up with
// RedshiftSetup (see redshiftText).
func RedshiftSQL(ctx context.Context, db *sql.DB, text string) (string, error) {
	return redshiftText(ctx, db, text)
}

// walk rewrites every expression below v.
func (r *redshiftRewriter) walk(v any) {
	switch x := v.(type) {
	case node:
		named := str(x, "type") == "SELECT_NODE" && r.unnamed != nil
		if named {
			r.selectList(x)
		}
		for k, child := range x {
			if named && k == "select_list" {
				continue
			}
			x[k] = r.value(child)
		}
	case []any:
		for i := range x {
			x[i] = r.value(x[i])
		}
	}
}

// value rewrites v's children, then v itself if it is an expression, and
// returns what takes its place.
func (r *redshiftRewriter) value(v any) any {
	n, ok := v.(node)
	if !ok {
		r.walk(v)
		return v
	}
	r.walk(n)
	if _, isExpr := n["class"]; !isExpr {
		return n
	}
	if out := r.rewrite(n); out != nil {
		// The replacement takes the original's alias (a / b AS q); the
		// parts it was built from have none.
		out["alias"] = n["alias"]
		r.changed = true
		return out
	}
	return n
}

// aggregateCopy returns a copy of the aggregate or window call n under
// another function name, without n's alias.
func aggregateCopy(n node, name string) node {
	out := deepCopy(n)
	out["function_name"], out["alias"] = name, ""
	return out
}

// selectList gives each unnamed select-list item of sel that the rewrite
// changes the name of the original. Items are rewritten here (walk then
// finds nothing left to do in them).
func (r *redshiftRewriter) selectList(sel node) {
	list, _ := sel["select_list"].([]any)
	for i := range list {
		m, ok := list[i].(node)
		if !ok {
			continue
		}
		if _, isExpr := m["class"]; !isExpr || str(m, "alias") != "" || hasStar(m) {
			list[i] = r.value(m)
			continue
		}
		original := deepCopy(m)
		before := r.changed
		r.changed = false
		list[i] = r.value(m)
		if r.changed {
			item := list[i].(node)
			*r.unnamed = append(*r.unnamed, unnamedItem{item, original})
		}
		r.changed = r.changed || before
	}
}

// rewrite returns the Redshift form of expression n (whose children are
// rewritten already), or nil if n means the same on both.
func (r *redshiftRewriter) rewrite(n node) node {
	switch str(n, "class") {
	case "FUNCTION":
		return r.function(n)
	case "WINDOW":
		if strings.EqualFold(str(n, "function_name"), "avg") && str(n, "schema") == "" && str(n, "catalog") == "" && len(children(n)) == 1 {
			return call("tg_avg", aggregateCopy(n, "sum"), aggregateCopy(n, "count"))
		}
	}
	return nil
}

func (r *redshiftRewriter) function(n node) node {
	if c := str(n, "catalog"); c != "" {
		return nil
	}
	switch str(n, "schema") {
	case "", "main":
	default:
		return nil
	}
	args := children(n)
	for _, a := range args {
		if m, ok := a.(node); ok && str(m, "class") == "STAR" {
			return nil
		}
	}
	name := strings.ToLower(str(n, "function_name"))
	if datePartFunctions[name] && len(args) >= 2 {
		if normaliseDatePart(args) {
			r.changed = true
		}
	}
	switch name {
	case "/", "//":
		if len(args) == 2 {
			return call("tg_div", args...)
		}
	case "%", "mod":
		if len(args) == 2 {
			return call("tg_mod", args...)
		}
	case "concat":
		if len(args) >= 2 {
			out := args[0]
			for _, a := range args[1:] {
				op := call("||", out, a)
				op["is_operator"] = true
				out = op
			}
			return out.(node)
		}
	case "avg":
		if len(args) == 1 && n["export_state"] != true {
			return call("tg_avg", aggregateCopy(n, "sum"), aggregateCopy(n, "count"))
		}
	case "substring", "substr":
		switch len(args) {
		case 2:
			return call("tg_substring_from", args...)
		case 3:
			return call("tg_substring", args...)
		}
	case "split_part":
		if len(args) == 3 {
			return call("tg_split_part", args...)
		}
	case "~~", "!~~", "~~*", "!~~*":
		// Redshift's default LIKE escape character is the backslash;
		// DuckDB has none. A constant pattern without one means the same
		// either way and keeps DuckDB's LIKE optimisations.
		if len(args) == 2 && !backslashFree(args[1]) {
			out := call(likeEscapes[name], args[0], args[1], constantString(`\`))
			out["schema"] = "main"
			return out
		}
	case "date_part", "datepart", "pgdate_part":
		if len(args) != 2 {
			return nil
		}
		if str(n, "schema") == "main" && name == "date_part" {
			// EXTRACT(part FROM ts): DuckDB's parser writes main.date_part.
			switch constantPart(args[0]) {
			case "millisecond":
				return call("tg_extract_ms", args[1])
			case "microsecond":
				return call("tg_extract_us", args[1])
			case "decade":
				return call("tg_extract_decade", args[1])
			}
			return nil
		}
		return call("tg_date_part", args...)
	case "date_trunc", "datetrunc":
		if len(args) != 2 {
			return nil
		}
		switch constantPart(args[0]) {
		case "century":
			return call("tg_trunc_century", args[1])
		case "millennium":
			return call("tg_trunc_millennium", args[1])
		}
	}
	return nil
}

// normaliseDatePart turns a date part given as an identifier or in one of
// Redshift's spellings into a string constant with DuckDB's name for it,
// and reports whether it changed anything.
func normaliseDatePart(args []any) bool {
	m, _ := args[0].(node)
	var spelled string
	switch str(m, "class") {
	case "COLUMN_REF":
		names := columnNames(m)
		if len(names) != 1 {
			return false
		}
		spelled = names[0]
	case "CONSTANT":
		s, ok := constantText(m)
		if !ok {
			return false
		}
		spelled = s
	default:
		return false
	}
	canonical, ok := engine.DatePart(spelled)
	if !ok || (str(m, "class") == "CONSTANT" && spelled == canonical) {
		return false
	}
	args[0] = constantString(canonical)
	return true
}

// constantPart returns the DuckDB name of a constant date part, or "".
func constantPart(v any) string {
	m, _ := v.(node)
	if str(m, "class") != "CONSTANT" {
		return ""
	}
	s, ok := constantText(m)
	if !ok {
		return ""
	}
	p, _ := engine.DatePart(s)
	return p
}

// constantText returns the value of a VARCHAR constant.
func constantText(m node) (string, bool) {
	val, _ := m["value"].(node)
	typ, _ := val["type"].(node)
	if str(typ, "id") != "VARCHAR" || val["is_null"] == true {
		return "", false
	}
	s, ok := val["value"].(string)
	return s, ok
}

// backslashFree reports whether v is a string constant without a
// backslash (a LIKE pattern whose meaning no escape character changes).
func backslashFree(v any) bool {
	m, _ := v.(node)
	if str(m, "class") != "CONSTANT" {
		return false
	}
	s, ok := constantText(m)
	return ok && !strings.Contains(s, `\`)
}

func children(n node) []any {
	c, _ := n["children"].([]any)
	return c
}

// call builds a call of a scalar function or macro.
func call(name string, args ...any) node {
	return node{
		"class": "FUNCTION", "type": "FUNCTION", "function_name": name, "schema": "", "catalog": "", "alias": "",
		"query_location": tryQueryLocation, "children": append([]any{}, args...), "filter": nil,
		"order_bys": node{"type": "ORDER_MODIFIER", "orders": []any{}}, "distinct": false, "is_operator": false,
		"export_state": false,
	}
}
