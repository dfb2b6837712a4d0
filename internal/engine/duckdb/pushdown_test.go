package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestLeakproof: which conditions may run in a policy view's own filter,
// on hidden rows. Only comparisons of a column with a constant that binds
// to the column's type without a cast, IN lists, IS NULL and AND/OR/NOT of
// them; LIKE only in a row filter (like = true).
func TestLeakproof(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	col := columnResolver(map[string]string{"city": "VARCHAR", "n": "INTEGER", "s": "SMALLINT", "b": "BIGINT",
		"price": "DECIMAL(10,2)", "ts": "TIMESTAMP", "d": "DOUBLE", "ok": "BOOLEAN"}, "t")
	for _, tc := range []struct {
		expr string
		like bool
		want bool
	}{
		{"city = 'Tokyo'", false, true},
		{"'Tokyo' = city", false, true},
		{"t.city <> 'Tokyo'", false, true},
		{"city < 'M' AND city >= 'A'", false, true},
		{"city IN ('Running', 'Cycling')", false, true},
		{"city NOT IN ('Running')", false, true},
		{"city IS NULL OR n IS NOT NULL", false, true},
		{"NOT (city = 'x')", false, true},
		{"city IS DISTINCT FROM 'x'", false, true},
		{"city IS NOT DISTINCT FROM NULL", false, true},
		{"n BETWEEN -1 AND 5", false, true},
		{"n NOT BETWEEN 1 AND 5", false, true},
		{"n = 2147483647", false, true},
		{"s = 32767", false, true},
		{"b = 5000000000", false, true},
		{"price IS NULL", false, true},
		{"city = NULL", false, true},
		{"city = 'x' OR (n = 1 AND NOT b IN (1, 2))", false, true},
		// Literals that need a cast, or another type than the column's.
		{"n = 2147483648", false, false},
		{"s = 40000", false, false},
		{"n = '5'", false, false},
		{"city = 5", false, false},
		{"price > 10", false, false},
		{"price = 1.5", false, false},
		{"d = 1.5", false, false},
		{"d = 'NaN'", false, false},
		{"ts > '2020-01-01'", false, false},
		{"ts > DATE '2020-01-01'", false, false},
		{"ok = true", false, false},
		{"city = CAST(5 AS VARCHAR)", false, false},
		{"city COLLATE nocase = 'x'", false, false},
		// Functions, casts, arithmetic, subqueries, parameters, other columns.
		{"CAST(city AS INT) = 1", false, false},
		{"TRY_CAST(city AS INT) = 1", false, false},
		{"n / 0 = 1", false, false},
		{"n + 1 = 2", false, false},
		{"-n = 2", false, false},
		{"lower(city) = 'x'", false, false},
		{"city = lower('X')", false, false},
		{"regexp_matches(city, 'x')", false, false},
		{"city ~ 'x'", false, false},
		{"city SIMILAR TO 'x'", false, false},
		{"city LIKE 'T%'", false, false},
		{"city IN (SELECT 'x')", false, false},
		{"EXISTS (SELECT 1)", false, false},
		{"city = $1", false, false},
		{"city = other", false, false},
		{"n = n", false, false},
		{"u.city = 'x'", false, false},
		{"x.t.city = 'x'", false, false},
		{"secret = 5", false, false},
		{"city = 'x' AND n / 0 = 1", false, false},
		{"city = 'x' OR n / 0 = 1", false, false},
		{"CASE WHEN city = 'x' THEN true ELSE false END", false, false},
		{"coalesce(city = 'x', false)", false, false},
		{"true", false, false},
		// Row filters: LIKE with a constant pattern cannot fail.
		{"city LIKE 'Asia%'", true, true},
		{"city NOT LIKE 'Asia%' AND n = 1", true, true},
		{"city LIKE 'a%' ESCAPE '!'", true, false},
		{"city ILIKE 'a%'", true, false},
		{"city LIKE city", true, false},
		{"n LIKE '1%'", true, false},
		{"split_part(city, '/', 1) = 'Asia'", true, false},
		{"city IN (SELECT timezone_prefix FROM region_lookup)", true, false},
	} {
		expr, err := parseExpr(ctx, db, tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		if got := leakproof(expr, col, tc.like); got != tc.want {
			t.Errorf("leakproof(%s, like=%v) = %v, want %v", tc.expr, tc.like, got, tc.want)
		}
	}
}

// TestPushdownPlan checks DuckDB's optimised plan of what tipgate runs: a
// leakproof predicate is evaluated in the filter directly above the raw
// table's scan, together with the row filter; everything else in a filter
// above the view's projection, which sees only rows the row filter kept.
// Views whose row filter could fail or whose masks read a column take no
// predicate at all.
func TestPushdownPlan(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	e, err := Open(ctx, Options{DataDir: t.TempDir(), Threads: 1, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.New(e, sys)
	defer r.Close()
	if err := engine.Run(ctx, r, identity.LocalSuperuser(),
		`CREATE TABLE t (region VARCHAR(20), city VARCHAR(20), n INT, secret INT, code VARCHAR(10))`,
		`INSERT INTO t VALUES ('Asia/Tokyo', 'Tokyo', 1, 5, 'A1'), ('Europe/Paris', 'Paris', 2, 6, 'X')`,
		`CREATE ROLE "AWSIDC:asia"`, `CREATE ROLE "AWSIDC:lookup"`, `CREATE ROLE "AWSIDC:masked"`,
		`GRANT SELECT ON t TO ROLE "AWSIDC:asia"`, `GRANT SELECT ON t TO ROLE "AWSIDC:lookup"`, `GRANT SELECT ON t TO ROLE "AWSIDC:masked"`,
		`CREATE RLS POLICY asia WITH (region VARCHAR(20)) USING (region LIKE 'Asia%')`,
		`CREATE RLS POLICY by_part WITH (region VARCHAR(20)) USING (split_part(region, '/', 1) = 'Asia')`,
		`ATTACH RLS POLICY asia ON t TO ROLE "AWSIDC:asia"`,
		`ATTACH RLS POLICY by_part ON t TO ROLE "AWSIDC:lookup"`,
		`ATTACH RLS POLICY asia ON t TO ROLE "AWSIDC:masked"`,
		`CREATE MASKING POLICY null_int WITH (secret INT) USING (CAST(NULL AS INT))`,
		`CREATE MASKING POLICY first_char WITH (code VARCHAR(10)) USING (substring(code, 1, 1))`,
		`ATTACH MASKING POLICY null_int ON t (secret) TO ROLE "AWSIDC:asia"`,
		`ATTACH MASKING POLICY first_char ON t (code) TO ROLE "AWSIDC:masked"`,
		`ALTER TABLE t ROW LEVEL SECURITY ON`); err != nil {
		t.Fatal(err)
	}
	asia, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"asia"})
	lookup, _ := identity.Simulated("frank@example.com", "AWSIDC", []string{"lookup"})
	masked, _ := identity.Simulated("alex@example.com", "AWSIDC", []string{"masked"})
	for _, tc := range []struct {
		name string
		who  identity.Principal
		sql  string
		// pushed are fragments of the optimised plan expected in the row
		// filter's FILTER (directly above the raw scan); above, in a
		// FILTER above the view.
		pushed, above []string
	}{
		{"drill-down", asia, "SELECT count(*) FROM t WHERE city = 'Tokyo' AND n IN (1, 2)",
			[]string{"(city = 'Tokyo')", "(n = 1) OR (n = 2)"}, nil},
		{"alias", asia, "SELECT count(*) FROM t AS s WHERE s.city = 'Tokyo' OR s.n IS NULL",
			[]string{"(city = 'Tokyo')", "(n IS NULL)"}, nil},
		{"failing cast stays above", asia, "SELECT count(*) FROM t WHERE city = 'Tokyo' AND CAST(region AS INT) = 1",
			[]string{"(city = 'Tokyo')"}, []string{"CAST(TRY(region) AS INTEGER)"}},
		{"division stays above", asia, "SELECT count(*) FROM t WHERE n / 0 = 1 AND n BETWEEN 1 AND 3",
			[]string{"(n >= 1)"}, []string{"division by zero"}},
		{"regexp stays above", asia, "SELECT count(*) FROM t WHERE regexp_matches(region, 'T.*') AND city <> 'x'",
			[]string{"(city != 'x')"}, []string{"regexp_matches(TRY(region)"}},
		{"LIKE stays above", asia, "SELECT count(*) FROM t WHERE city LIKE 'T%'",
			nil, []string{"prefix(TRY(city), 'T')"}},
		{"literal of another type stays above", asia, "SELECT count(*) FROM t WHERE n = '1'",
			nil, []string{"(n = 1)"}},
		{"overflowing literal stays above", asia, "SELECT count(*) FROM t WHERE n = 5000000000",
			nil, []string{"5000000000"}},
		{"masked column stays above", asia, "SELECT count(*) FROM t WHERE secret = 5",
			nil, []string{"(secret = 5)"}},
		{"subquery", asia, "SELECT (SELECT count(*) FROM t WHERE city = 'Tokyo') AS c",
			[]string{"(city = 'Tokyo')"}, nil},
		{"join stays above", asia, "SELECT count(*) FROM t a JOIN t b ON a.n = b.n WHERE a.city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
		{"shadowing CTE", asia, "WITH t AS (SELECT * FROM t) SELECT count(*) FROM t WHERE city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
		{"sample", asia, "SELECT count(*) FROM t WHERE city = 'Tokyo' USING SAMPLE 50 PERCENT (bernoulli, 1)",
			nil, []string{"(city = 'Tokyo')"}},
		{"fallible row filter", lookup, "SELECT count(*) FROM t WHERE city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
		{"mask reading a column, column not read", masked, "SELECT count(*) FROM t WHERE city = 'Tokyo'",
			[]string{"(city = 'Tokyo')"}, nil},
		{"mask reading a column, column read", masked, "SELECT max(code) FROM t WHERE city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
		{"mask reading a column, column read in a subquery", masked, "SELECT count(*) FROM t WHERE city = 'Tokyo' AND EXISTS (SELECT 1 FROM t AS u WHERE u.code = 'x')",
			nil, []string{"(city = 'Tokyo')"}},
		{"mask reading a column, star", masked, "SELECT * FROM t WHERE city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
		{"mask reading a column, whole row", masked, "SELECT s FROM t AS s WHERE city = 'Tokyo'",
			nil, []string{"(city = 'Tokyo')"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := e.Catalog()
			pc, err := e.context(ctx, cat, cat.Subject(tc.who))
			if err != nil {
				t.Fatal(err)
			}
			g, err := e.guard(ctx, e.parse, pc, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := e.connFor(ctx, pc, "", pc.setup)
			if err != nil {
				t.Fatal(err)
			}
			defer e.release(conn)
			plan := physicalPlan(t, conn, g.text)
			var rowFilters, others []string
			collectFilters(plan, &rowFilters, &others)
			if len(rowFilters) == 0 {
				t.Fatalf("no filter directly above the scan of t in the plan of %s:\n%s", g.text, dump(plan))
			}
			row := strings.Join(rowFilters, " | ")
			if !strings.Contains(row, "prefix(region, 'Asia')") && !strings.Contains(row, "string_split(region, '/')") {
				t.Errorf("the filter above the scan is not the row filter: %s", row)
			}
			for _, f := range tc.pushed {
				if !strings.Contains(row, f) {
					t.Errorf("%q not pushed into the row filter: %s\n(ran %s)", f, row, g.text)
				}
			}
			above := strings.Join(others, " | ")
			for _, f := range tc.above {
				if strings.Contains(row, f) {
					t.Errorf("%q is evaluated with the row filter, on hidden rows: %s\n(ran %s)", f, row, g.text)
				}
				if !strings.Contains(above, f) {
					t.Errorf("%q not in a filter above the view: %s\n(ran %s)", f, above, g.text)
				}
			}
			// Whatever is pushed, the result (or error) is what the view
			// gives.
			unpushed, err := e.admitChecked(ctx, e.parse, pc, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.pushed) == 0 && g.text != unpushed.text {
				t.Errorf("nothing to push, yet the statement was rewritten: %s", g.text)
			}
			got := count(conn, g.text)
			want := count(conn, unpushed.text)
			if got != want {
				t.Errorf("%s: %s with pushdown, %s without", tc.sql, got, want)
			}
		})
	}
}

type planJSON struct {
	Name      string          `json:"name"`
	Children  []planJSON      `json:"children"`
	ExtraInfo json.RawMessage `json:"extra_info"`
}

func physicalPlan(t *testing.T, conn *pooledConn, text string) []planJSON {
	t.Helper()
	rows, err := conn.conn.QueryContext(context.Background(), "EXPLAIN (FORMAT JSON) "+text)
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if k == "physical_plan" {
			var plan []planJSON
			if err := json.Unmarshal([]byte(v), &plan); err != nil {
				t.Fatal(err)
			}
			return plan
		}
	}
	t.Fatalf("no physical plan for %s", text)
	return nil
}

// collectFilters sorts the FILTER expressions of a plan: those directly
// above a scan of the raw table (the view's own filter) and the others.
func collectFilters(plan []planJSON, row, others *[]string) {
	for _, n := range plan {
		if n.Name == "FILTER" {
			var info struct {
				Expression string `json:"Expression"`
			}
			_ = json.Unmarshal(n.ExtraInfo, &info)
			scan := len(n.Children) == 1 && n.Children[0].Name == "SEQ_SCAN" && strings.Contains(string(n.Children[0].ExtraInfo), rawCatalog+".main.t")
			if scan {
				*row = append(*row, info.Expression)
			} else {
				*others = append(*others, info.Expression)
			}
		}
		collectFilters(n.Children, row, others)
	}
}

func dump(plan []planJSON) string {
	b, _ := json.MarshalIndent(plan, "", "  ")
	return string(b)
}

// count returns the rows of a statement, or its error's first line.
func count(conn *pooledConn, text string) string {
	var n int64
	if err := conn.conn.QueryRowContext(context.Background(), "SELECT count(*) FROM ("+text+")").Scan(&n); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return "error " + msg
	}
	return fmt.Sprintf("%d rows", n)
}
