package conformance

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The differential oracle: random queries over the fixture, each run as a
// principal through enforcement and over the principal's ground truth.
// Results must be equal as multisets; a query that fails on one side must
// fail on the other with an error of the same class; and no error message
// enforcement returns may contain a value of a row the principal may not
// see.
//
// Many generated queries hold error-prone expressions: a regular
// expression, cast, JSON path, date part or list step built from a column
// that fails on the rows holding one literal value and on no other. The
// literal is drawn from values the principal may see (the query must then
// fail on both sides whenever such a row reaches the expression), values
// found only in rows hidden from it (it must then fail on neither: failing
// through enforcement means the expression saw a hidden row, through a
// storage dictionary or a predicate moved below the row filter), or no
// value at all.
//
// Whether a query fails must not depend on the order DuckDB evaluates
// things in, or the two sides could disagree without either being wrong.
// So an error-prone predicate stands alone in a WHERE, HAVING, QUALIFY,
// FILTER or ON clause, under NOT, or guarded by CASE (which evaluates it on
// exactly the rows its condition selects), never as an operand of AND or
// OR, whose operands DuckDB reorders; error-prone expressions are never
// under a LIMIT that could stop evaluation early, in an EXISTS, or in a
// correlated subquery.

type colKind int

const (
	kText colKind = iota
	kInt
	kDec
	kTime
)

var columnKinds = map[string]colKind{
	"sku": kText, "product_name": kText, "category": kText, "quantity": kInt, "sales_price": kDec, "timestamp": kTime,
	"city": kText, "region_code": kText, "country": kText, "latitude": kDec, "longitude": kDec, "population": kInt,
	"elevation": kInt, "timezone": kText,
}

type queryGen struct {
	r    *rand.Rand
	cols []string
	// visible and hidden are, per text column, the values of rows the
	// principal may see and those found only in rows hidden from it: the
	// literals of error-prone expressions.
	visible, hidden map[string][]string
	// qual qualifies column references of the outer query ("a." in a
	// self-join); subqueries use their own unqualified columns.
	qual string
	// tryCols writes every column reference as TRY(column), as isolation
	// would: enforcement then has nothing to rewrite, and the statement
	// runs as written (a rewritten statement is printed back by DuckDB,
	// which drops a CTE's MATERIALIZED).
	tryCols bool
	// noErr keeps error-prone expressions out of where's predicates.
	noErr bool
	// pg writes PostgreSQL's dialect: only SQL, and error-prone forms,
	// that mean the same on PostgreSQL and on the DuckDB ground truth (no
	// TRY, lists, lambdas, QUALIFY, ORDER/GROUP BY ALL, hamming, RE2-only
	// regular expressions). Which of a statement's own predicates two
	// different engines evaluate first differs (PostgreSQL moves HAVING
	// into WHERE, flattens CTEs and orders quals by cost), so no
	// expression may fail on a row the principal sees: error-prone
	// expressions fail only on hidden rows' values, and enforcement must
	// then never fail. The duckdb dialect's choices and random draws are
	// unchanged by it.
	pg bool
	// trino writes Trino's dialect on top of pg's choices (it sets pg
	// too): regexp_like for PostgreSQL's ~ (the ground truth has a macro
	// of that name), no MATERIALIZED CTEs, and AVG of decimals over
	// DOUBLE (Trino's, like Redshift's, keeps the argument's scale,
	// DuckDB's is a double: over doubles both sides ask the same).
	trino bool
}

// col references column c of the current scope.
func (g *queryGen) col(c string) string {
	if g.tryCols {
		return "TRY(" + g.qual + c + ")"
	}
	return g.qual + c
}

// sub generates a subquery predicate with unqualified columns. The
// subquery's WHERE is evaluated on all of its rows whatever the outer
// query does, so it may hold an error-prone expression.
func (g *queryGen) sub(depth int) string {
	saved := g.qual
	g.qual = ""
	defer func() { g.qual = saved }()
	return g.where(depth)
}

func (g *queryGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *queryGen) chance(n int) bool { return g.r.IntN(n) == 0 }

func (g *queryGen) colOf(kinds ...colKind) string {
	var ok []string
	for _, c := range g.cols {
		if slices.Contains(kinds, columnKinds[c]) {
			ok = append(ok, c)
		}
	}
	if len(ok) == 0 {
		return ""
	}
	return g.pick(ok)
}

func (g *queryGen) literal(col string) string {
	switch col {
	case "quantity":
		return fmt.Sprint(1 + g.r.IntN(10))
	case "population":
		return g.pick([]string{"100000", "500000", "1000000", "3000000", "10000000"})
	case "elevation":
		return g.pick([]string{"0", "50", "200", "1000"})
	case "sales_price":
		return g.pick([]string{"9.99", "25", "49.50", "100", "250.00"})
	case "latitude", "longitude":
		return g.pick([]string{"-30", "0", "10.5", "35", "50"})
	case "timestamp":
		return g.pick([]string{"TIMESTAMP '2024-03-01 00:00:00'", "TIMESTAMP '2024-09-15 12:00:00'", "TIMESTAMP '2025-06-30 23:00:00'"})
	case "timezone":
		return g.pick([]string{"'Asia/Tokyo'", "'Europe/Berlin'", "'America/Chicago'", "'Africa/Lagos'", "'Asia/Kolkata'"})
	case "city":
		return g.pick([]string{"'Tokyo'", "'Berlin'", "'Chicago'", "'Lagos'", "'Sydney'", "'Mumbai'", "'Paris'", "'Lima'"})
	case "country":
		return g.pick([]string{"'JP'", "'DE'", "'US'", "'NG'", "'IN'", "'FR'", "'BR'"})
	case "category":
		return g.pick([]string{"'Running'", "'Cycling'", "'Tennis'", "'Swimming'", "'Camping'", "'Golf'"})
	default:
		return g.pick([]string{"'A'", "'M'", "'S'", "'x'"})
	}
}

// trigger picks the value on which an error-prone expression over column c
// fails: mostly one found only in hidden rows (enforcement must then not
// fail), sometimes a visible one (both sides must fail if a row holding it
// reaches the expression), sometimes none.
func (g *queryGen) trigger(c string) string {
	n := g.r.IntN(20)
	if g.pg {
		if n < 14 && len(g.hidden[c]) > 0 {
			return g.pick(g.hidden[c])
		}
		return "no such " + c
	}
	switch {
	case n < 10 && len(g.hidden[c]) > 0:
		return g.pick(g.hidden[c])
	case n < 14 && len(g.visible[c]) > 0:
		return g.pick(g.visible[c])
	default:
		return "no such " + c
	}
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// reExact is a RE2 pattern matching exactly s.
func reExact(s string) string { return sqlString(`^\Q` + s + `\E$`) }

// errPredicate returns a predicate over text column col (as referenced by
// ref) that is true on every row except those holding one trigger value,
// where it fails. Half the forms are chains of scalar functions over the
// column alone (what DuckDB evaluates over a storage dictionary), half
// choose the failing input with CASE.
func (g *queryGen) errPredicate(col, ref string) string {
	if g.pg {
		return g.pgErrPredicate(col, ref)
	}
	if g.chance(40) {
		return g.branchFailure(ref)
	}
	v := g.trigger(col)
	lit, re := sqlString(v), reExact(v)
	when := "CASE WHEN " + ref + " = " + lit + " THEN " + ref
	var p string
	switch g.r.IntN(16) {
	case 0:
		p = "NOT regexp_full_match('x', regexp_replace(" + ref + ", " + re + ", '('))"
	case 1:
		p = ref + " ~ " + when + " || '(' ELSE '.*' END"
	case 2:
		p = "regexp_full_match(" + ref + ", CASE WHEN " + ref + " = " + lit + " THEN '(' || " + ref + " ELSE '.*' END)"
	case 3:
		p = "CAST(" + when + " ELSE '1' END AS INT) = 1"
	case 4:
		p = "CAST(" + when + " ELSE '2024-01-01' END AS DATE) > DATE '2000-01-01'"
	case 5:
		p = "json_extract(" + when + ` ELSE '{"a":1}' END, '$.a') IS NOT NULL`
	case 6:
		p = "strptime(" + when + " ELSE '2024' END, '%Y') IS NOT NULL"
	case 7:
		p = "date_diff(regexp_replace(" + ref + ", " + sqlString(`^(\Q`+v+`\E)$|^.*$`) + ", '\\1') || 'day', DATE '2020-01-01', DATE '2020-01-02') = 1"
	case 8:
		p = "date_diff(" + when + " ELSE 'day' END, DATE '2020-01-01', DATE '2020-01-02') = 1"
	case 9:
		p = "len(string_split_regex('x', regexp_replace(" + ref + ", " + re + ", '('))) = 1"
	case 10:
		p = "CAST([" + when + " ELSE '1' END] AS INT[])[1] = 1"
	case 11:
		p = "'a' LIKE 'a' ESCAPE regexp_replace(" + ref + ", " + sqlString(`^(\Q`+v+`\E)$|^.*$`) + ", '\\1')"
	case 12:
		p = "list_slice([" + ref + "], 1, 1, CASE WHEN " + ref + " = " + lit + " THEN 0 ELSE 1 END)[1] = " + ref
	case 13:
		p = "CAST(CASE WHEN " + ref + " = " + lit + " THEN 100000 ELSE 0 END AS SMALLINT) = 0"
	case 14:
		p = "len(regexp_extract_all(" + ref + ", CASE WHEN " + ref + " = " + lit + " THEN '(' ELSE '.' END)) >= 0"
	default:
		p = "'x' !~ regexp_replace(" + ref + ", " + re + ", '(')"
	}
	return p
}

// branchFailure returns a predicate that fails on every row reaching it,
// its column reaching the failing function through a branch of CASE, IF or
// COALESCE: the message names a value, which must be a visible one.
func (g *queryGen) branchFailure(ref string) string {
	cond := g.pick([]string{"true", ref + " IS NOT NULL", ref + " <> 'x'"})
	switch g.r.IntN(4) {
	case 0:
		return "date_diff(CASE WHEN " + cond + " THEN " + ref + " END, DATE '2020-01-01', DATE '2020-01-02') = 1"
	case 1:
		return "regexp_full_match('x', CASE WHEN " + cond + " THEN " + ref + " ELSE 'y' END || '(')"
	case 2:
		return "date_diff(if(" + cond + ", " + ref + ", 'day'), DATE '2020-01-01', DATE '2020-01-02') = 1"
	default:
		return "CAST(CASE WHEN " + cond + " THEN " + ref + " END AS DATE) IS NOT NULL"
	}
}

// errValue returns a value expression over text column col (as referenced
// by ref) that fails on the rows holding one trigger value.
func (g *queryGen) errValue(col, ref string) string {
	if g.pg {
		return g.pgErrValue(col, ref)
	}
	v := g.trigger(col)
	lit := sqlString(v)
	when := "CASE WHEN " + ref + " = " + lit + " THEN " + ref
	switch g.r.IntN(9) {
	case 0:
		return "CAST(" + when + " ELSE '1' END AS INT)"
	case 1:
		return "regexp_extract(" + ref + ", CASE WHEN " + ref + " = " + lit + " THEN '(' ELSE '^(.)' END, 1)"
	case 2:
		return "date_diff(" + when + " ELSE 'month' END, DATE '2020-01-01', DATE '2020-03-01')"
	case 3:
		return "strptime(" + when + " ELSE '2024' END, '%Y')"
	case 4:
		return "json_extract_string(" + when + ` ELSE '{"a":"v"}' END, '$.a')`
	case 5:
		return "regexp_full_match('x', regexp_replace(" + ref + ", " + reExact(v) + ", '('))"
	case 6:
		return g.pick([]string{"[" + ref + "][2]", "[" + ref + ", " + lit + "][2]"})
	case 7:
		return "string_split(" + ref + ", '/')[2]"
	default:
		return "CAST(CASE WHEN " + ref + " = " + lit + " THEN 70000 ELSE length(" + ref + ") END AS SMALLINT)"
	}
}

// errNumber returns a numeric expression that divides by zero on some rows
// (an error on Redshift) or overflows.
func (g *queryGen) errNumber() string {
	n := fmt.Sprint(1 + g.r.IntN(11))
	q := g.col("quantity")
	if g.pg {
		// quantity is at least 1: the divisor is never zero, and the
		// division still has Redshift's meaning on both sides.
		if g.chance(2) {
			return divide(q, q+" + "+n, true)
		}
		return divide("CAST("+q+" AS DOUBLE PRECISION)", q+" + "+n, false)
	}
	switch g.r.IntN(3) {
	case 0:
		return divide(q, q+" - "+n, true)
	case 1:
		return divide("CAST("+q+" AS DOUBLE)", q+" - "+n, false)
	default:
		if g.pg {
			return "CAST(CASE WHEN " + q + " = " + n + " THEN 70000 ELSE " + q + " END AS SMALLINT)"
		}
		return "CAST(CASE WHEN " + q + " = " + n + " THEN 200 ELSE " + q + " END AS TINYINT)"
	}
}

// Where Redshift's meaning differs from DuckDB's, the generator writes a
// marker that renders as the Redshift SQL for enforcement and as DuckDB SQL
// with Redshift's meaning for the ground truth, written here from
// Redshift's documentation, independently of the engine:
//
//   - a / b of integers is integer division truncating toward zero, and
//     division by zero is an error ("division by zero"), not NULL or
//     infinity;
//   - AVG of integers is an integer: the sum divided by the count, truncated.
var (
	divMarker = regexp.MustCompile(`⟪div\|([^|⟫]*)\|([^|⟫]*)\|(int|num)⟫`)
	avgMarker = regexp.MustCompile(`⟪avg\|([^|⟫]*)⟫`)
)

func divide(a, b string, integer bool) string {
	kind := "num"
	if integer {
		kind = "int"
	}
	return "⟪div|" + a + "|" + b + "|" + kind + "⟫"
}

// avg averages column c (referenced as ref).
func (g *queryGen) avg(c, ref string) string {
	switch {
	case columnKinds[c] == kInt:
		return "⟪avg|" + ref + "⟫"
	case g.trino:
		return "avg(CAST(" + ref + " AS DOUBLE))"
	}
	return "avg(" + ref + ")"
}

// materialized is a CTE's MATERIALIZED where the dialect has it.
func (g *queryGen) materialized() string {
	if g.trino {
		return ""
	}
	return "MATERIALIZED "
}

// renderEnforced and renderTruth turn a generated query into the SQL run
// through enforcement and on the ground truth.
func renderEnforced(q string) string {
	q = divMarker.ReplaceAllString(q, "($1 / ($2))")
	return avgMarker.ReplaceAllString(q, "avg($1)")
}

// renderEnforcedPG writes AVG of integers as Redshift defines it: on
// PostgreSQL avg(int) keeps the fraction (deviation pg_avg_integer in
// docs/postgres.md), so the query states Redshift's meaning itself.
func renderEnforcedPG(q string) string {
	q = divMarker.ReplaceAllString(q, "($1 / ($2))")
	return avgMarker.ReplaceAllString(q, "(sum($1) / nullif(count($1), 0))")
}

func renderTruth(q string) string {
	q = divMarker.ReplaceAllStringFunc(q, func(m string) string {
		p := divMarker.FindStringSubmatch(m)
		op := " / "
		if p[3] == "int" {
			op = " // "
		}
		return "(CASE WHEN (" + p[2] + ") = 0 AND (" + p[1] + ") IS NOT NULL THEN error('division by zero') ELSE " + p[1] + op + "(" + p[2] + ") END)"
	})
	return avgMarker.ReplaceAllString(q, "(sum($1) // nullif(count($1), 0))")
}

// errPred returns an error-prone predicate over a random text column of the
// current scope.
func (g *queryGen) errPred() string {
	c := g.colOf(kText)
	if c == "" {
		return g.col(g.pick(g.cols)) + " IS NOT NULL"
	}
	return g.errPredicate(c, g.col(c))
}

func (g *queryGen) errVal() string {
	c := g.colOf(kText)
	if (c == "" || g.chance(6)) && slices.Contains(g.cols, "quantity") {
		return g.errNumber()
	}
	if c == "" {
		return g.col(g.pick(g.cols))
	}
	return g.errValue(c, g.col(c))
}

// where returns a predicate to stand alone in a WHERE (or HAVING,
// QUALIFY, FILTER, ON) clause: possibly error-prone, possibly a compound
// of predicates that are not.
func (g *queryGen) where(depth int) string {
	if g.noErr {
		return g.predicate(depth)
	}
	switch g.r.IntN(12) {
	case 0, 1, 2:
		return g.errPred()
	case 3:
		return "NOT (" + g.errPred() + ")"
	case 4:
		return "CASE WHEN " + g.predicate(depth) + " THEN " + g.errPred() + " ELSE false END"
	}
	return g.predicate(depth)
}

// predicate returns a predicate whose atoms are not error-prone, except
// inside uncorrelated subqueries, which are evaluated in full.
func (g *queryGen) predicate(depth int) string {
	if depth > 0 && g.chance(4) {
		op := g.pick([]string{"AND", "OR"})
		return "(" + g.predicate(depth-1) + " " + op + " " + g.predicate(depth-1) + ")"
	}
	if depth > 0 && g.chance(10) {
		return "NOT (" + g.predicate(depth-1) + ")"
	}
	switch g.r.IntN(9) {
	case 0, 1, 2:
		c := g.pick(g.cols)
		op := g.pick([]string{"=", "<", ">", "<=", ">=", "<>"})
		return g.col(c) + " " + op + " " + g.literal(c)
	case 3:
		c := g.colOf(kText)
		if c == "" {
			return g.col(g.pick(g.cols)) + " IS NOT NULL"
		}
		return g.col(c) + " LIKE '" + g.pick([]string{"A", "Asia", "Europe", "America", "T", "S", "C"}) + "%'"
	case 4:
		c := g.pick(g.cols)
		return g.col(c) + " IN (" + g.literal(c) + ", " + g.literal(c) + ")"
	case 5:
		c := g.pick(g.cols)
		return g.col(c) + " IS " + g.pick([]string{"", "NOT "}) + "NULL"
	case 6:
		if depth > 0 {
			c := g.pick(g.cols)
			return g.col(c) + " IN (SELECT " + c + " FROM sales_data WHERE " + g.sub(depth-1) + ")"
		}
		return "true"
	case 7:
		c := g.colOf(kInt, kDec)
		if c == "" || depth == 0 {
			return g.col(g.pick(g.cols)) + " IS NOT NULL"
		}
		return g.col(c) + " > (SELECT " + g.avg(c, c) + " FROM sales_data WHERE " + g.sub(depth-1) + ")"
	default:
		if !slices.Contains(g.cols, "timezone") {
			return g.col(g.pick(g.cols)) + " IS NOT NULL"
		}
		return "EXISTS (SELECT 1 FROM region_lookup r WHERE r.timezone_prefix = split_part(" + g.col("timezone") + ", '/', 1))"
	}
}

func (g *queryGen) aggregate() string {
	n := g.colOf(kInt, kDec)
	c := g.pick(g.cols)
	switch g.r.IntN(12) {
	case 0:
		return "count(*) FILTER (WHERE " + g.where(1) + ")"
	case 1:
		return "sum(" + n + ") FILTER (WHERE " + g.errPred() + ")"
	case 2:
		return "count(" + g.errVal() + ")"
	case 3:
		return "max(" + g.errVal() + ")"
	}
	return g.pick([]string{
		"count(*)", "count(" + c + ")", "count(DISTINCT " + c + ")", "min(" + c + ")", "max(" + c + ")",
		"sum(" + n + ")", g.avg(n, n),
	})
}

func (g *queryGen) projection(k int) []string {
	cols := slices.Clone(g.cols)
	g.r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	if k > len(cols) {
		k = len(cols)
	}
	return cols[:k]
}

// groupKey returns a grouping expression: a column or an error-prone value.
func (g *queryGen) groupKey() string {
	if g.chance(3) {
		return g.errVal()
	}
	return g.pick(g.cols)
}

// joinKeys are the columns a self-join matches on: each row matches at
// least itself, so an expression on one side's rows in ON is evaluated on
// all of them whatever the plan, and few others, so the join stays small.
func (g *queryGen) joinKeys(a, b string) string {
	var on []string
	for _, c := range []string{"sku", "timestamp", "city", "category", "quantity", "sales_price"} {
		if slices.Contains(g.cols, c) {
			on = append(on, a+"."+c+" = "+b+"."+c)
		}
	}
	return strings.Join(on, " AND ")
}

// query returns one random statement.
func (g *queryGen) query() string {
	where := " WHERE " + g.where(2)
	if g.chance(5) {
		where = ""
	}
	switch g.r.IntN(21) {
	case 20:
		return g.codes()
	case 0:
		p := g.projection(1 + g.r.IntN(3))
		if g.chance(2) {
			p = append(p, g.errVal())
		}
		return "SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + " " + g.orderByAll(len(p)) + " LIMIT " + fmt.Sprint(1+g.r.IntN(50))
	case 1:
		return "SELECT DISTINCT " + g.groupKey() + " FROM sales_data" + where
	case 2, 3:
		grp := g.groupKey()
		having := ""
		switch g.r.IntN(4) {
		case 0:
			having = " HAVING count(*) > " + fmt.Sprint(g.r.IntN(5))
		case 1:
			having = " HAVING bool_and(" + g.errPred() + ")"
		case 2:
			if c := g.colOf(kText); c != "" {
				grp = c
				having = " HAVING " + g.errPredicate(c, c)
			}
		}
		return "SELECT " + grp + ", " + g.aggregate() + ", " + g.aggregate() + " FROM sales_data" + where + " GROUP BY " + grp + having
	case 4:
		return "SELECT " + g.aggregate() + ", " + g.aggregate() + " FROM sales_data" + where
	case 5, 6:
		grp := g.groupKey()
		n := g.colOf(kInt, kDec)
		ord := n
		if g.chance(3) {
			ord = g.errVal()
		}
		wins := []string{
			"count(*) OVER (PARTITION BY " + grp + ")",
			"sum(" + n + ") OVER (PARTITION BY " + grp + ")",
			"rank() OVER (PARTITION BY " + grp + " ORDER BY " + ord + ")",
			"dense_rank() OVER (ORDER BY " + grp + ")",
			"max(" + n + ") OVER ()",
			"bool_and(" + g.errPred() + ") OVER (PARTITION BY " + grp + ")",
		}
		k := g.r.IntN(len(wins))
		win := wins[k]
		// DuckDB may merge QUALIFY with WHERE into one conjunction (when it
		// turns a partitioned window into a join), so a query with QUALIFY
		// has no WHERE.
		qualify := ""
		switch g.r.IntN(3) {
		case 0:
			qualify = " QUALIFY " + g.where(1)
			where = ""
		case 1:
			if k == len(wins)-1 {
				qualify = " QUALIFY " + win
			} else {
				qualify = " QUALIFY " + win + " > 1"
			}
			where = ""
		}
		if g.pg && qualify != "" {
			// PostgreSQL has no QUALIFY: the same filter over the window's
			// output.
			cond := strings.TrimPrefix(qualify, " QUALIFY ")
			if strings.HasPrefix(cond, win) {
				cond = "w" + strings.TrimPrefix(cond, win)
				return "SELECT * FROM (SELECT " + grp + ", " + n + ", " + win + " AS w FROM sales_data) q WHERE " + cond
			}
			qualify, where = "", " WHERE "+strings.TrimPrefix(qualify, " QUALIFY ")
		}
		return "SELECT " + grp + ", " + n + ", " + win + " AS w FROM sales_data" + where + qualify
	case 7, 8:
		return g.cte(where)
	case 9:
		grp := g.pick(g.cols)
		g.qual = "a."
		defer func() { g.qual = "" }()
		on := g.joinKeys("a", "b")
		if g.chance(2) {
			// DuckDB may evaluate a one-sided ON condition before or
			// after a WHERE on the same side, so an error-prone one
			// stands without a WHERE.
			return "SELECT a." + grp + ", count(*) FROM sales_data a JOIN sales_data b ON " + on + " AND " + g.errPred() + " GROUP BY a." + grp
		}
		return "SELECT a." + grp + ", count(*) FROM sales_data a JOIN sales_data b ON " + on + " WHERE " + g.where(2) + " GROUP BY a." + grp
	case 10, 11:
		c := g.pick(g.cols)
		left := c
		if columnKinds[c] == kText && g.chance(3) {
			left = "CAST(" + g.errValue(c, c) + " AS VARCHAR)"
			c = "CAST(" + c + " AS VARCHAR)"
		}
		op := g.pick([]string{"UNION", "UNION ALL", "INTERSECT", "EXCEPT"})
		if op == "INTERSECT" || op == "EXCEPT" {
			// DuckDB may skip evaluating one side when the other is empty
			// (a semi or anti join), and which side it builds first
			// depends on estimates: only UNION evaluates both sides.
			g.noErr = true
			defer func() { g.noErr = false }()
			return "SELECT " + c + " FROM sales_data WHERE " + g.predicate(1) + " " + op + " SELECT " + c + " FROM sales_data WHERE " + g.predicate(1)
		}
		return "SELECT " + left + " FROM sales_data WHERE " + g.where(1) + " " + op + " SELECT " + c + " FROM sales_data WHERE " + g.where(1)
	case 12:
		grp := g.pick(g.cols)
		g.qual = "s1."
		w := g.where(2)
		g.qual = ""
		return "SELECT s1." + grp + ", (SELECT count(*) FROM sales_data s2 WHERE s2." + grp + " = s1." + grp + ") AS n FROM sales_data s1 WHERE " + w + " GROUP BY s1." + grp
	case 13:
		p := g.projection(2)
		return "SELECT * FROM (SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + ") t WHERE " + g.whereOver(p)
	case 14:
		grp := g.pick(g.cols)
		return "SELECT r.timezone_prefix, count(s." + grp + ") FROM region_lookup r LEFT JOIN sales_data s ON split_part(s.timezone, '/', 1) = r.timezone_prefix GROUP BY 1"
	case 15:
		return "SELECT (SELECT " + g.aggregate() + " FROM sales_data WHERE " + g.where(1) + "), (SELECT max(" + g.errVal() + ") FROM sales_data" + where + ")"
	case 16:
		c := g.colOf(kText)
		if g.pg {
			return "SELECT count(*), max(" + c + ") FROM sales_data WHERE " + g.errPredicate(c, c)
		}
		if g.chance(2) {
			return "SELECT count(*), max(" + c + ") FROM sales_data WHERE len(list_filter([" + c + "], x -> " + g.errPredicate(c, "x") + ")) = 1"
		}
		return "SELECT list_transform([" + c + "], x -> " + g.errValue(c, "x") + ")[1] AS v, count(*) FROM sales_data" + where + " GROUP BY 1"
	case 17:
		p := g.projection(1 + g.r.IntN(2))
		return "SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + " ORDER BY " + g.errVal()
	case 18:
		return "SELECT count(*) FROM sales_data WHERE " + g.predicate(1) + " AND city IN (SELECT city FROM sales_data WHERE " + g.errPred() + ")"
	default:
		grp := g.pick(g.cols)
		by := " GROUP BY ALL"
		if g.pg {
			by = " GROUP BY " + grp
		}
		return "SELECT " + grp + ", count(*) FROM sales_data" + where + by + " HAVING " + g.whereOver([]string{grp})
	}
}

// codes returns a query over sales_codes, whose visible codes all have two
// characters and hidden ones seven: hamming fails on hidden rows only, and
// the column reaches it directly, through a function or through a CASE or
// IF branch.
func (g *queryGen) codes() string {
	if g.pg {
		pred := g.errPredicate("code", g.pick([]string{"code", "lower(code)", "CASE WHEN timezone <> 'x' THEN code END", "coalesce(code, 'yy')"}))
		switch g.r.IntN(3) {
		case 0:
			return "SELECT count(*) FROM sales_codes WHERE " + pred
		case 1:
			return "SELECT timezone, count(*), max(code) FROM sales_codes WHERE " + pred + " GROUP BY timezone"
		default:
			return "WITH t AS " + g.materialized() + "(SELECT timezone, code FROM sales_codes) SELECT count(*) FROM t WHERE " + pred
		}
	}
	ref := g.pick([]string{"code", "lower(code)", "CASE WHEN timezone <> 'x' THEN code END", "if(timezone IS NOT NULL, code, 'yy')",
		"CASE WHEN timezone = 'x' THEN 'yy' ELSE code END", "coalesce(code, 'yy')"})
	fn := g.pick([]string{"hamming", "mismatches"})
	pred := fn + "('xx', " + ref + ") = 0"
	if g.chance(3) {
		pred = g.errPredicate("code", "code")
	}
	switch g.r.IntN(4) {
	case 0:
		return "SELECT count(*) FROM sales_codes WHERE " + pred
	case 1:
		return "SELECT timezone, count(*), max(code) FROM sales_codes WHERE " + pred + " GROUP BY timezone"
	case 2:
		return "SELECT code, " + fn + "('xx', " + ref + ") AS d FROM sales_codes ORDER BY ALL LIMIT 20"
	default:
		return "WITH t AS MATERIALIZED (SELECT timezone, code FROM sales_codes) SELECT count(*) FROM t WHERE " + pred
	}
}

// whereOver returns a predicate over the columns cols only (the output of
// a derived table or CTE).
func (g *queryGen) whereOver(cols []string) string {
	saved := g.cols
	g.cols = cols
	defer func() { g.cols = saved }()
	if g.colOf(kText) == "" {
		return g.predicate(1)
	}
	return g.where(1)
}

// cte returns a query over a plain, MATERIALIZED or twice-used CTE, with
// error-prone predicates on its output (where DuckDB's CTE filter pusher
// would move them into the CTE) or in its body.
func (g *queryGen) cte(where string) string {
	p := g.projection(2 + g.r.IntN(3))
	if !slices.ContainsFunc(p, func(c string) bool { return columnKinds[c] == kText }) {
		p = append(p, g.colOf(kText))
	}
	mat := g.pick([]string{"", "MATERIALIZED ", "NOT MATERIALIZED "})
	if g.trino {
		mat = ""
	}
	if !g.pg && g.chance(3) {
		// Pre-isolated: the statement runs as written, its CTE
		// materialized as asked.
		g.tryCols = true
		defer func() { g.tryCols = false }()
		where = " WHERE " + g.where(1)
		mat = "MATERIALIZED "
	}
	head := "WITH t AS " + mat + "(SELECT " + strings.Join(p, ", ") + " FROM sales_data" + where + ") "
	switch g.r.IntN(5) {
	case 0:
		return head + "SELECT " + p[0] + ", count(*) FROM t WHERE " + g.whereOver(p) + " GROUP BY 1"
	case 1:
		// Used twice.
		return head + "SELECT count(*) FROM t WHERE " + g.whereOver(p) + " UNION ALL SELECT count(*) FROM t WHERE " + g.whereOver(p)
	case 2:
		on := "a." + p[0] + " = b." + p[0]
		return head + "SELECT count(*), count(DISTINCT a." + p[0] + ") FROM t a JOIN (SELECT DISTINCT " + p[0] + " FROM t) b ON " + on + " WHERE " + g.qualified("a.", func() string { return g.whereOver(p) })
	case 3:
		grp := p[g.r.IntN(len(p))]
		return head + "SELECT " + grp + ", count(*) FROM t GROUP BY " + grp + " HAVING " + g.whereOver([]string{grp})
	default:
		// The error-prone expression in the body, the CTE filtered again.
		c := g.colOf(kText)
		return "WITH t AS " + mat + "(SELECT " + c + ", " + g.errValue(c, g.col(c)) + " AS e FROM sales_data WHERE " + g.where(1) + ") SELECT count(*), count(e) FROM t WHERE " + g.whereOver([]string{c})
	}
}

func (g *queryGen) qualified(q string, f func() string) string {
	saved := g.qual
	g.qual = q
	defer func() { g.qual = saved }()
	return f()
}

// OracleStats counts what one oracle run did.
type OracleStats struct {
	// Queries ran on both sides.
	Queries int
	// Rows: succeeded on both sides with equal results.
	Rows int
	// DataErrors: failed on both sides while evaluating rows, with the
	// same class; BindErrors: failed on both sides binding the query
	// (a generator mistake, kept rare).
	DataErrors, BindErrors int
	// Mismatches and Leaks are failures.
	Mismatches, Leaks int
}

func (s *OracleStats) add(o OracleStats) {
	s.Queries += o.Queries
	s.Rows += o.Rows
	s.DataErrors += o.DataErrors
	s.BindErrors += o.BindErrors
	s.Mismatches += o.Mismatches
	s.Leaks += o.Leaks
}

// maxReports bounds the mismatches reported in full.
var maxReports = 30

// slowQuery is how long a query may take (both sides) before the run logs
// it: long runs on large warehouses should show what they spend time on.
const slowQuery = 30 * time.Second

// RunOracle generates n queries from seed, spread over the fixture's
// principals and, for each principal, over workers concurrent streams (each
// principal's and worker's its own: a run is reproduced by the same n,
// seed and workers), and compares the enforced results and errors with the
// ground truth.
func RunOracle(t *testing.T, fx *Fixture, n int, seed uint64, workers int) OracleStats {
	ctx := context.Background()
	workers = max(workers, 1)
	streams := len(fx.Principals) * workers
	var (
		mu       sync.Mutex
		total    OracleStats
		reported int
		wg       sync.WaitGroup
	)
	report := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		reported++
		if reported <= maxReports {
			t.Errorf(format, args...)
		}
	}
	perPrincipal := map[string]*OracleStats{}
	for _, p := range fx.Principals {
		perPrincipal[p.Name] = &OracleStats{}
		p.Truth.SetMaxOpenConns(workers)
	}
	for k := range streams {
		p := fx.Principals[k%len(fx.Principals)]
		stream := uint64(k/len(fx.Principals)*1000 + k%len(fx.Principals))
		count := n / streams
		if k < n%streams {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := &queryGen{r: rand.New(rand.NewPCG(seed, stream)), cols: p.Columns, visible: p.Visible, hidden: p.Hidden, pg: fx.Dialect == "postgres" || fx.Dialect == "trino", trino: fx.Dialect == "trino"}
			enforced := renderEnforced
			if g.pg {
				enforced = renderEnforcedPG
			}
			var s OracleStats
			for range count {
				generated := g.query()
				q, tq := enforced(generated), renderTruth(generated)
				if tq != q {
					// Reports name the ground truth's SQL where it differs.
					q += "\n  ground truth SQL: " + tq
				}
				s.Queries++
				start := time.Now()
				got, gerr := Collect(ctx, fx.Engine, p.Principal, enforced(generated))
				mid := time.Now()
				want, werr := p.TruthRows(ctx, tq)
				if d := time.Since(start); d > slowQuery {
					t.Logf("as %s: slow query (%s enforced, %s ground truth): %s", p.Name,
						mid.Sub(start).Round(time.Millisecond), time.Since(mid).Round(time.Millisecond), q)
				}
				if gerr != nil {
					if leaks := p.Leaks(gerr.Error(), generated); len(leaks) > 0 {
						s.Leaks++
						report("as %s: %s\n  enforced error %q reveals hidden values %q", p.Name, q, gerr, leaks)
					}
				}
				switch {
				case gerr != nil && werr != nil:
					if !SameClass(gerr, werr) {
						s.Mismatches++
						report("as %s: %s\n  enforced error (SQLSTATE %s): %v\n  ground truth error (want %v): %v", p.Name, q, EnforcedState(gerr), gerr, TruthStates(werr), werr)
					} else if isDataException(werr) {
						s.DataErrors++
					} else {
						s.BindErrors++
						if testing.Verbose() && s.BindErrors <= 5 {
							t.Logf("as %s: both failed binding: %s: %v", p.Name, q, werr)
						}
					}
				case gerr != nil || werr != nil:
					s.Mismatches++
					report("as %s: %s\n  enforced error: %v\n  ground truth error: %v", p.Name, q, gerr, werr)
				default:
					slices.Sort(got)
					slices.Sort(want)
					if !SameRows(got, want) {
						s.Mismatches++
						report("as %s: %s\n  got  %d rows: %.400q\n  want %d rows: %.400q", p.Name, q, len(got), got, len(want), want)
					} else {
						s.Rows++
					}
				}
			}
			mu.Lock()
			total.add(s)
			perPrincipal[p.Name].add(s)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, p := range fx.Principals {
		s := perPrincipal[p.Name]
		t.Logf("as %s: %d queries: %d returned equal rows, %d failed on both sides evaluating rows (same class), %d failed on both sides binding, %d mismatches, %d leaks",
			p.Name, s.Queries, s.Rows, s.DataErrors, s.BindErrors, s.Mismatches, s.Leaks)
	}
	if total.Mismatches > 0 || total.Leaks > 0 {
		t.Errorf("%d mismatches, %d error messages revealing hidden values", total.Mismatches, total.Leaks)
	}
	// The generator must keep most queries meaningful: errors on rows are
	// intended (some literals are visible), binding errors are mistakes.
	if total.BindErrors > total.Queries/100 {
		t.Errorf("%d of %d generated queries failed binding on both sides: the generator makes invalid queries", total.BindErrors, total.Queries)
	}
	if total.Rows < total.Queries/2 {
		t.Errorf("only %d of %d generated queries returned rows (%d failed evaluating rows on both sides): too few test results", total.Rows, total.Queries, total.DataErrors)
	}
	return total
}

// orderByAll orders by every one of n output columns.
func (g *queryGen) orderByAll(n int) string {
	if !g.pg {
		return "ORDER BY ALL"
	}
	var cols []string
	for i := 1; i <= n; i++ {
		cols = append(cols, fmt.Sprint(i))
	}
	return "ORDER BY " + strings.Join(cols, ", ")
}

// pgErrPredicate is errPredicate in the forms that fail alike on
// PostgreSQL and DuckDB (casts, a regular expression made invalid) on the
// trigger value's rows only, chosen with CASE so that no other row fails.
func (g *queryGen) pgErrPredicate(col, ref string) string {
	v := g.trigger(col)
	when := "CASE WHEN " + ref + " = " + sqlString(v) + " THEN " + ref
	switch k := g.r.IntN(4); {
	case k == 0 && g.trino:
		return "regexp_like(" + ref + ", " + when + " || '(' ELSE '.*' END)"
	case k == 0:
		return ref + " ~ " + when + " || '(' ELSE '.*' END"
	case k == 1:
		return "CAST(" + when + " ELSE '1' END AS INT) = 1"
	case k == 2:
		return "CAST(" + when + " ELSE '2024-01-01' END AS DATE) > DATE '2000-01-01'"
	case g.trino:
		return "NOT regexp_like('x', " + when + " || '(' ELSE 'y' END)"
	default:
		return "'x' !~ " + when + " || '(' ELSE 'y' END"
	}
}

// pgErrValue is errValue in the forms that fail alike on both engines.
func (g *queryGen) pgErrValue(col, ref string) string {
	v := g.trigger(col)
	when := "CASE WHEN " + ref + " = " + sqlString(v) + " THEN " + ref
	switch g.r.IntN(3) {
	case 0:
		return "CAST(" + when + " ELSE '1' END AS INT)"
	case 1:
		return "CAST(" + when + " ELSE '2024-01-01' END AS DATE)"
	default:
		return "regexp_replace(" + ref + ", " + when + " || '(' ELSE '^$' END, 'x')"
	}
}
