package duckdb

// Probes of the fallibility audit (fallibility_test.go): which DuckDB
// functions throw on some string, and which of those DuckDB evaluates over
// a whole storage dictionary. Everything here runs on a plain DuckDB.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// fbInputs are the strings a probed argument takes, in the order a throw is
// reported: plausible values first (the benign value of a dictionary probe
// is the first one that does not throw), then adversarial ones.
var fbInputs = []string{
	"a", "abc", "x", "day", "hour", "1", "0", "-1", "1.5", "1GB", "2020-01-01", "2020-01-01 00:00:00", "12:00:00",
	"UTC", "Europe/London", "[1]", "[a, b]", "{a=1}", `{"a":1}`, "true", "a,b", "$.a", "/a", "%Y-%m-%d", "en_US",
	"0101", "YQ==", "00000000-0000-0000-0000-000000000001", "POINT (1 2)",
	"(", "[", "\\", "x)", "*", "+", "?", "{", "}", `{"a":`, "%", "_", "%\\", "a\\", "not-a-date", "2020-13-45",
	"25:61:61", "1e999", "99999999999999999999999", "-99999999999999999999999", "NaN", "inf", "'", `"`, "$", "$[",
	"^", ",", "|", "  ", "%Q", "\\x", "ß€😀", "\x01", strings.Repeat("x", 5000), "",
}

// fbOverload is one scalar or aggregate overload of duckdb_functions(), or
// a cast from VARCHAR (kind "cast", params VARCHAR and the target).
type fbOverload struct {
	kind       string // "scalar", "aggregate" or "cast"
	name       string
	params     []string // declared parameter types
	paramNames []string
	varargs    string
}

func (o fbOverload) signature() string {
	if o.kind == "cast" {
		return "CAST(" + o.params[0] + " AS " + o.params[1] + ")"
	}
	ps := slices.Clone(o.params)
	if o.varargs != "" {
		ps = append(ps, o.varargs+"...")
	}
	return o.name + "(" + strings.Join(ps, ", ") + ")"
}

// fbListOverloads returns every scalar and aggregate overload DuckDB
// offers, less the functions tipgate's guard denies, and the casts from
// VARCHAR to every type. denied counts the overloads left out.
func fbListOverloads(ctx context.Context, db *sql.DB) (out []fbOverload, denied int, err error) {
	rows, err := db.QueryContext(ctx, `SELECT function_type, function_name,
		to_json(coalesce(parameter_types, []))::VARCHAR, to_json(coalesce(parameters, []))::VARCHAR, coalesce(varargs, '')
		FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate')`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var o fbOverload
		var types, names string
		if err := rows.Scan(&o.kind, &o.name, &types, &names, &o.varargs); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(types), &o.params); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(names), &o.paramNames); err != nil {
			return nil, 0, err
		}
		key := o.kind + " " + o.signature()
		if seen[key] {
			continue
		}
		seen[key] = true
		if functionDenied(o.name) {
			denied++
			continue
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	targets, err := fbCastTargets(ctx, db)
	if err != nil {
		return nil, 0, err
	}
	for _, t := range targets {
		out = append(out, fbOverload{kind: "cast", name: "CAST", params: []string{"VARCHAR", t}})
	}
	slices.SortFunc(out, func(a, b fbOverload) int {
		return strings.Compare(a.kind+" "+a.signature(), b.kind+" "+b.signature())
	})
	return out, denied, nil
}

// fbCastTargets are the types a VARCHAR is cast to: every type DuckDB lists
// that takes no parameters, and representatives of those that do.
func fbCastTargets(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT DISTINCT logical_type FROM duckdb_types() ORDER BY 1")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	parametrised := map[string][]string{
		"ARRAY": {"VARCHAR[2]"}, "LIST": {"VARCHAR[]", "INTEGER[]"}, "MAP": {"MAP(VARCHAR, VARCHAR)"},
		"STRUCT": {"STRUCT(a VARCHAR)"}, "UNION": {"UNION(a INTEGER, b VARCHAR)"}, "ENUM": {"ENUM('a', 'b')"},
		"DECIMAL": {"DECIMAL(18, 3)", "DECIMAL(4, 1)"}, "VARCHAR": {"JSON"}, "NULL": nil,
	}
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		if p, ok := parametrised[t]; ok {
			out = append(out, p...)
		} else {
			out = append(out, t)
		}
	}
	return out, rows.Err()
}

// fbProbeType reports whether an argument of declared type t can be a
// VARCHAR column.
func fbProbeType(t string) bool {
	switch t {
	case "VARCHAR", "ANY", "T", "K", "V", "JSON":
		return true
	}
	return false
}

// fbConstSet fills the arguments that are not probed. Its strings stand for
// the VARCHAR (JSON, generic) constants, which often must be a valid
// option, format or document for the call to bind or not always throw.
type fbConstSet struct {
	str  string // every string constant
	last string // the last VARCHAR constant, if not str (regexp options, sort orders)
	any  string // ANY constants, if not str
}

// fbConstSets are tried in order until a call binds and has an input it
// does not throw on.
var fbConstSets = []fbConstSet{
	{str: "'a'"}, {str: "'a'", last: "'i'"}, {str: `'{"a":1}'`}, {str: "'i'"}, {str: "'day'"}, {str: "'%Y'"},
	{str: "'$.a'"}, {str: "'1'"}, {str: `'"VARCHAR"'`}, {str: "'a'", last: "'ASC'"}, {str: "'a'", any: "1"},
}

var (
	fbReArray  = regexp.MustCompile(`^(.*)\[(\d+|ANY)\]$`)
	fbReLambda = regexp.MustCompile(`^lambda\((.*)\)$`)
	fbReIdent  = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	fbReClass  = regexp.MustCompile(`^([A-Za-z ]+?) Error: `)
)

// fbConst is a constant of declared type t for the parameter called name.
func fbConst(t, name string, cs fbConstSet, last bool) (string, bool) {
	switch t {
	case "VARCHAR":
		if last && cs.last != "" {
			return cs.last, true
		}
		return cs.str, true
	case "ANY":
		if cs.any != "" {
			return cs.any, true
		}
		return cs.str, true
	case "T", "K", "V":
		return cs.str, true
	case "JSON":
		return cs.str + "::JSON", true
	case "BOOLEAN":
		return "true", true
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT", "BIGNUM":
		return "CAST(1 AS " + t + ")", true
	case "FLOAT", "DOUBLE":
		return "CAST(0.5 AS " + t + ")", true
	case "DECIMAL":
		return "CAST(1.5 AS DECIMAL(18, 3))", true
	case "DATE":
		return "DATE '2020-01-01'", true
	case "TIMESTAMP":
		return "TIMESTAMP '2020-01-01 00:00:00'", true
	case "TIMESTAMP_NS":
		return "TIMESTAMP_NS '2020-01-01 00:00:00'", true
	case "TIMESTAMP WITH TIME ZONE":
		return "TIMESTAMPTZ '2020-01-01 00:00:00+00'", true
	case "TIME":
		return "TIME '12:00:00'", true
	case "TIME_NS":
		return "CAST('12:00:00' AS TIME_NS)", true
	case "TIME WITH TIME ZONE":
		return "TIMETZ '12:00:00+00'", true
	case "INTERVAL":
		return "INTERVAL 1 DAY", true
	case "BLOB":
		return `'\x61'::BLOB`, true
	case "BIT":
		return "'0101'::BIT", true
	case "UUID":
		return "'00000000-0000-0000-0000-000000000001'::UUID", true
	case "VARIANT":
		return cs.str + "::VARIANT", true
	case "MAP(K, V)":
		return "MAP {" + cs.str + ": " + cs.str + "}", true
	case "STRUCT":
		return "{'a': " + cs.str + "}", true
	case `STRUCT("year" BIGINT, "month" BIGINT, "day" BIGINT)`:
		return "{'year': 1, 'month': 1, 'day': 1}", true
	case "STRUCT(K, V)[]":
		return "[{'key': " + cs.str + ", 'value': " + cs.str + "}]", true
	case "LAMBDA":
		m := fbReLambda.FindStringSubmatch(name)
		if m == nil {
			return "lambda x: x", true
		}
		vars := strings.Split(m[1], ",")
		return "lambda " + strings.Join(vars, ", ") + ": " + strings.TrimSpace(vars[0]), true
	}
	if m := fbReArray.FindStringSubmatch(t); m != nil {
		c, ok := fbConst(m[1], "", cs, false)
		if !ok {
			return "", false
		}
		n := 2
		if m[2] != "ANY" {
			n, _ = strconv.Atoi(m[2])
		}
		elem := m[1]
		if fbProbeType(elem) && elem != "JSON" {
			elem = "VARCHAR"
		}
		return "CAST([" + strings.Repeat(c+", ", n-1) + c + "] AS " + elem + "[" + strconv.Itoa(n) + "])", true
	}
	if inner, ok := strings.CutSuffix(t, "[]"); ok {
		c, ok := fbConst(inner, "", cs, false)
		if !ok {
			return "", false
		}
		return "[" + c + "]", true
	}
	return "", false
}

// fbProbe is one argument position of an overload as the probed column,
// with the calls to try (exprs, %[1]s standing for the column).
type fbProbe struct {
	o     fbOverload
	pos   int // 0-based position of the probed argument
	exprs []string
	expr  string // the call the audit used
}

func (p fbProbe) key() string { return fmt.Sprintf("%s %s arg=%d", p.o.kind, p.o.signature(), p.pos) }

func (p fbProbe) call(col string) string { return fmt.Sprintf(p.expr, col) }

// query evaluates the call on every row of src, whose probed column is
// col, and returns one small row.
func (p fbProbe) query(col, src string) string {
	if p.o.kind == "aggregate" {
		return "SELECT x IS NULL FROM (SELECT " + p.call(col) + " AS x FROM " + src + ") q"
	}
	return "SELECT count(x) FROM (SELECT " + p.call(col) + " AS x FROM " + src + ") q"
}

// fbProbes lists the calls of o with each argument that can be a VARCHAR
// column as the probed one.
func fbProbes(o fbOverload) []fbProbe {
	if o.kind == "cast" {
		return []fbProbe{{o: o, exprs: []string{"CAST(%[1]s AS " + o.params[1] + ")"}}}
	}
	types := slices.Clone(o.params)
	names := slices.Clone(o.paramNames)
	if o.varargs != "" {
		types = append(types, o.varargs)
		names = append(names, "")
	}
	for len(names) < len(types) {
		names = append(names, "")
	}
	var out []fbProbe
	for pos, t := range types {
		if !fbProbeType(t) {
			continue
		}
		last := -1
		for i, ti := range types {
			if i != pos && ti == "VARCHAR" {
				last = i
			}
		}
		p := fbProbe{o: o, pos: pos}
		seen := map[string]bool{}
		for _, cs := range fbConstSets {
			args := make([]string, len(types))
			ok := true
			for i, ti := range types {
				if i == pos {
					args[i] = "%[1]s"
					continue
				}
				if args[i], ok = fbConst(ti, names[i], cs, i == last); !ok {
					break
				}
			}
			if !ok {
				continue
			}
			list := strings.Join(args, ", ")
			var calls []string
			if fbReIdent.MatchString(o.name) {
				calls = append(calls, o.name+"("+list+")")
			}
			calls = append(calls, `"`+strings.ReplaceAll(o.name, `"`, `""`)+`"(`+list+")")
			if o.kind == "aggregate" {
				// Window-only functions are listed as aggregates.
				calls = append(calls, calls[0]+" OVER ()")
			}
			for _, c := range calls {
				if !seen[c] {
					seen[c] = true
					p.exprs = append(p.exprs, c)
				}
			}
		}
		if len(p.exprs) > 0 {
			out = append(out, p)
		}
	}
	return out
}

// fbResult is what the audit learned about one probe.
type fbResult struct {
	fbProbe
	bound   bool
	bindErr string // first line of the first bind error, if no call bound
	// throwsOn are the inputs (indexes into fbInputs) the call throws on,
	// evaluated row by row; class is DuckDB's error class for the first.
	throwsOn []int
	class    string
	// benign is an input it does not throw on, -1 if none.
	benign int
	// Dictionary probe: column holds benign in visible rows and hidden in
	// hidden ones; marked is whether DuckDB kept from evaluating the call
	// on the hidden value; hiddenClass is the per-row error class on it.
	column      string
	hidden      int
	dictProbed  bool
	marked      bool
	dictClass   string
	hiddenClass string
	// benignNotNull is whether the call on the benign value is not NULL.
	benignNotNull bool
}

func (r *fbResult) throws() bool { return len(r.throwsOn) > 0 }

// fbErrorClass is DuckDB's error class: "Invalid Input", "Conversion", ...
func fbErrorClass(err error) string {
	msg := err.Error()
	var de *duckdbdrv.Error
	if errors.As(err, &de) {
		msg = de.Msg
	}
	if m := fbReClass.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return "?"
}

func fbFirstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(s)
}

// fbRun runs q and reads its result; it returns the first row's first
// value as text.
func fbRun(ctx context.Context, conn *sql.Conn, q string) (string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var first string
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return "", err
		}
		if first == "" {
			first = fmt.Sprint(v)
		}
	}
	return first, rows.Err()
}

// fbSetupInputs creates the view fb_inputs(i, v) of fbInputs on conn: a
// VALUES list, so every value reaches a function row by row.
func fbSetupInputs(ctx context.Context, conn *sql.Conn) error {
	var vals []string
	for i, s := range fbInputs {
		vals = append(vals, fmt.Sprintf("(%d, %s)", i, fbQuote(s)))
	}
	_, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP VIEW fb_inputs AS SELECT * FROM (VALUES "+strings.Join(vals, ", ")+") t(i, v)")
	return err
}

func fbQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func fbOneInput(i int) string { return fmt.Sprintf("fb_inputs WHERE i = %d", i) }

// fbRowProbe finds which inputs make the probe's call throw, row by row,
// trying its calls in order until one binds and has an input it does not
// throw on (else the first that binds).
func fbRowProbe(ctx context.Context, conn *sql.Conn, p fbProbe) fbResult {
	var fallback *fbResult
	bindErr := ""
	for _, expr := range p.exprs {
		p.expr = expr
		r := fbRowProbeCall(ctx, conn, p)
		if !r.bound {
			if bindErr == "" {
				bindErr = r.bindErr
			}
			continue
		}
		if r.benign >= 0 {
			return r
		}
		if fallback == nil {
			fallback = &r
		}
	}
	if fallback != nil {
		return *fallback
	}
	p.expr = ""
	return fbResult{fbProbe: p, bindErr: bindErr, benign: -1}
}

func fbRowProbeCall(ctx context.Context, conn *sql.Conn, p fbProbe) fbResult {
	r := fbResult{fbProbe: p, benign: -1, hidden: -1}
	all := p.query("v", "fb_inputs")
	st, err := conn.PrepareContext(ctx, all)
	if err != nil {
		r.bindErr = fbFirstLine(err)
		return r
	}
	st.Close()
	r.bound = true
	if _, err := fbRun(ctx, conn, all); err == nil {
		r.benign = 0
		return r
	}
	// TRY(f(v) IS NULL) is NULL exactly where f(v) throws. The first such
	// input is confirmed alone; if TRY cannot be used here or disagrees,
	// every input is run alone.
	var flagged []int
	if p.o.kind != "aggregate" {
		list, err := fbRun(ctx, conn, "SELECT coalesce(list(i ORDER BY i), [])::VARCHAR FROM fb_inputs WHERE TRY(("+p.call("v")+") IS NULL) IS NULL")
		if err == nil {
			for _, f := range strings.Split(strings.Trim(list, "[]"), ",") {
				if i, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
					flagged = append(flagged, i)
				}
			}
		}
	}
	if len(flagged) > 0 {
		if _, err := fbRun(ctx, conn, p.query("v", fbOneInput(flagged[0]))); err != nil {
			r.class = fbErrorClass(err)
			r.throwsOn = flagged
		}
	}
	if r.throwsOn == nil {
		for i := range fbInputs {
			if _, err := fbRun(ctx, conn, p.query("v", fbOneInput(i))); err != nil {
				if r.throwsOn == nil {
					r.class = fbErrorClass(err)
				}
				r.throwsOn = append(r.throwsOn, i)
			}
		}
	}
	if r.throwsOn == nil {
		// Only the inputs together throw (an aggregate's overflow, say).
		r.throwsOn = []int{-1}
		r.class = "?"
		return r
	}
	for i, s := range fbInputs {
		if !slices.Contains(r.throwsOn, i) && s != "" && len(s) < 100 {
			r.benign = i
			break
		}
	}
	return r
}

// fbColumn is a column of the dictionary tables: benign in visible rows,
// hidden in the few hidden ones.
type fbColumn struct {
	name           string
	benign, hidden int
}

const (
	fbRows  = 20000 // rows of a dictionary table
	fbEvery = 1000  // one row in fbEvery is hidden
)

func fbHiddenRow(i int) bool { return i%fbEvery == fbEvery/2 }

// fbVisibleRows is the number of rows a principal that cannot see the
// hidden ones reads.
func fbVisibleRows() int {
	n := 0
	for i := range fbRows {
		if !fbHiddenRow(i) {
			n++
		}
	}
	return n
}

// fbColumns gives every throwing result that has a benign input a column
// holding the benign input in visible rows and a throwing one (short, so
// the column stays dictionary-compressed) in hidden rows; results with the
// same pair share one.
func fbColumns(results []*fbResult) []fbColumn {
	idx := map[[2]int]string{}
	var cols []fbColumn
	for _, r := range results {
		if !r.throws() || r.benign < 0 {
			continue
		}
		r.hidden = -1
		for _, i := range r.throwsOn {
			if i >= 0 && len(fbInputs[i]) < 100 {
				r.hidden = i
				break
			}
		}
		if r.hidden < 0 {
			continue
		}
		k := [2]int{r.benign, r.hidden}
		name, ok := idx[k]
		if !ok {
			name = fmt.Sprintf("c%d", len(cols))
			idx[k] = name
			cols = append(cols, fbColumn{name: name, benign: k[0], hidden: k[1]})
		}
		r.column = name
	}
	return cols
}

// fbCompression returns each VARCHAR column's compressions as read from
// pragma_storage_info by query.
func fbCompression(rows func() (*sql.Rows, error)) (map[string]string, error) {
	rs, err := rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var c, k string
		if err := rs.Scan(&c, &k); err != nil {
			return nil, err
		}
		out[c] = k
	}
	return out, rs.Err()
}

const fbStorageQuery = `SELECT column_name, string_agg(DISTINCT compression, ',' ORDER BY compression)
	FROM pragma_storage_info('%s') WHERE segment_type = 'VARCHAR' GROUP BY 1`

// fbDictionaryCompressed reports whether compression is one that hands
// scans dictionary vectors.
func fbDictionaryCompressed(compression string) bool {
	return compression == "Dictionary" || compression == "DictFSST"
}

// fbDictProbe stores cols in a checkpointed (so dictionary-compressed)
// table of a file-backed database and runs every result's call over a view
// that filters out the hidden rows, as tipgate's policy views do. A call
// that still throws was evaluated on the storage dictionary: DuckDB does
// not consider it able to throw.
func fbDictProbe(ctx context.Context, conn *sql.Conn, dir string, results []*fbResult, cols []fbColumn) error {
	var defs, sel []string
	for _, c := range cols {
		defs = append(defs, c.name+" VARCHAR")
		sel = append(sel, fmt.Sprintf("CASE WHEN i %% %d = %d THEN %s ELSE %s END", fbEvery, fbEvery/2, fbQuote(fbInputs[c.hidden]), fbQuote(fbInputs[c.benign])))
	}
	stmts := []string{
		"ATTACH " + fbQuote(filepath.Join(dir, "fallibility.duckdb")) + " AS fb",
		"CREATE TABLE fb.d (vis INTEGER, " + strings.Join(defs, ", ") + ")",
		fmt.Sprintf("INSERT INTO fb.d SELECT CASE WHEN i %% %d = %d THEN 0 ELSE 1 END, %s FROM range(%d) r(i)", fbEvery, fbEvery/2, strings.Join(sel, ", "), fbRows),
		"CHECKPOINT fb",
		// As tipgate does: the view's row filter stays below the caller's expressions.
		"SET disabled_optimizers = 'filter_pushdown,filter_pullup,cte_filter_pusher'",
		"CREATE TEMP VIEW fb_visible AS SELECT * FROM fb.d WHERE vis = 1",
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.60s: %w", s, err)
		}
	}
	comp, err := fbCompression(func() (*sql.Rows, error) { return conn.QueryContext(ctx, fmt.Sprintf(fbStorageQuery, "fb.d")) })
	if err != nil {
		return err
	}
	for _, c := range cols {
		if !fbDictionaryCompressed(comp[c.name]) {
			return fmt.Errorf("column %s (%q, %q) is stored %s, not dictionary-compressed", c.name, fbInputs[c.benign], fbInputs[c.hidden], comp[c.name])
		}
	}
	for _, r := range results {
		if r.column == "" {
			continue
		}
		if _, err := fbRun(ctx, conn, r.query("v", fbOneInput(r.hidden))); err != nil {
			r.hiddenClass = fbErrorClass(err)
		} else {
			return fmt.Errorf("%s: does not throw on %q alone", r.key(), fbInputs[r.hidden])
		}
		// count(x) is 1, or x IS NULL false, when the result is not NULL.
		n, err := fbRun(ctx, conn, r.query("v", fbOneInput(r.benign)))
		if err != nil {
			return fmt.Errorf("%s: throws on the benign %q: %w", r.key(), fbInputs[r.benign], err)
		}
		r.benignNotNull = n == "1" || n == "false"
		r.dictProbed = true
		_, err = fbRun(ctx, conn, r.query(r.column, "fb_visible"))
		r.marked = err == nil
		if err != nil {
			r.dictClass = fbErrorClass(err)
		}
	}
	return nil
}

// fbLiteral shows an input in the golden file: SQL quoting when printable
// and short, Go quoting otherwise.
func fbLiteral(i int) string {
	if i < 0 {
		return "(all inputs together)"
	}
	s := fbInputs[i]
	if len(s) > 40 && strings.Count(s, s[:1]) == len(s) {
		return fmt.Sprintf("repeat(%s, %d)", fbQuote(s[:1]), len(s))
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return fbQuote(s)
}
