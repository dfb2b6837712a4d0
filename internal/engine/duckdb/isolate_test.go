package duckdb

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// TestIsolate: what the rewrite makes of principals' statements. Every value
// that reaches a function passes through TRY; bare columns in comparisons,
// grouping and aggregates stay; names and grouping still bind.
func TestIsolate(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	kinds := functionKinds{aggregates: map[string]bool{"count": true, "sum": true, "max": true, "count_star": true}, maybeAggregates: map[string]bool{}}
	cols := func(table string) ([]string, bool) {
		switch table {
		case "t":
			return []string{"a", "b", "tz"}, true
		case "lookup":
			return []string{"prefix"}, true
		}
		return nil, false
	}
	for _, tc := range []struct{ in, want string }{
		{"SELECT a FROM t WHERE b = 'x'", "SELECT a FROM t WHERE (b = 'x')"},
		{"SELECT count(*) FROM t WHERE regexp_full_match('x', '(' || tz)",
			"SELECT count_star() FROM t WHERE regexp_full_match('x', ('(' || TRY(tz)))"},
		{"SELECT lower(a) FROM t", `SELECT lower(TRY(a)) AS "lower(a)" FROM t`},
		{"SELECT lower(a) AS l FROM t", "SELECT lower(TRY(a)) AS l FROM t"},
		{"SELECT upper(TRY(a)) AS u FROM t", "SELECT upper(TRY(a)) AS u FROM t"},
		{"SELECT CAST(a AS INT) AS c FROM t", "SELECT CAST(TRY(a) AS INTEGER) AS c FROM t"},
		{"SELECT a, count(DISTINCT b), sum(length(b)) AS s FROM t GROUP BY a",
			"SELECT a, count(DISTINCT b), sum(length(TRY(b))) AS s FROM t GROUP BY a"},
		{"SELECT a, count(*) FROM t GROUP BY a HAVING length(a) > 1",
			"SELECT a, count_star() FROM t GROUP BY a HAVING (length(a) > 1)"},
		{"SELECT lower(a) AS l, count(*) AS n FROM t GROUP BY lower(a)",
			"SELECT lower(TRY(a)) AS l, count_star() AS n FROM t GROUP BY lower(TRY(a))"},
		{"SELECT upper(a) AS u, count(*) AS n FROM t GROUP BY ALL",
			"SELECT upper(TRY(a)) AS u, count_star() AS n FROM t GROUP BY 1"},
		{"SELECT a, count(*) AS n FROM t GROUP BY ALL ORDER BY lower(a)",
			"SELECT a, count_star() AS n FROM t GROUP BY ALL ORDER BY lower(a)"},
		{"SELECT a FROM t WHERE CASE WHEN b = 'x' THEN upper(a) END = 'A'",
			"SELECT a FROM t WHERE (CASE  WHEN ((b = 'x')) THEN (upper(TRY(a))) ELSE NULL END = 'A')"},
		{"SELECT hamming('xx', CASE WHEN b = 'x' THEN a END) AS h FROM t",
			"SELECT hamming('xx', CASE  WHEN ((TRY(b) = 'x')) THEN (TRY(a)) ELSE NULL END) AS h FROM t"},
		{"SELECT list_transform([a], x -> x || 'y') AS l FROM t",
			"SELECT list_transform(main.list_value(TRY(a)), (x -> (TRY(x) || 'y'))) AS l FROM t"},
		{"SELECT upper((SELECT max(a) FROM t)) AS m", "SELECT upper((SELECT max(a) FROM t)) AS m"},
		{"SELECT upper((SELECT a FROM t LIMIT 1)) AS m", "SELECT upper((SELECT TRY(a) FROM t LIMIT 1)) AS m"},
		{"SELECT a FROM t WHERE a IN ('x', 'y') AND b IS NOT NULL AND coalesce(b, a) = 'z'",
			"SELECT a FROM t WHERE ((a IN ('x', 'y')) AND (b IS NOT NULL) AND (COALESCE(b, a) = 'z'))"},
		{"SELECT a, count(*) AS n FROM t GROUP BY a HAVING EXISTS (SELECT 1 FROM lookup WHERE prefix = split_part(a, '/', 1))",
			"SELECT a, count_star() AS n FROM t GROUP BY a HAVING EXISTS(SELECT 1 FROM lookup WHERE (prefix = split_part(a, '/', 1)))"},
		{"SELECT a, count(*) AS n FROM t GROUP BY a HAVING EXISTS (SELECT 1 FROM t AS u WHERE u.b = split_part(a, '/', 1))",
			"SELECT a, count_star() AS n FROM t GROUP BY a HAVING EXISTS(SELECT 1 FROM t AS u WHERE (u.b = split_part(TRY(a), '/', 1)))"},
		{"SELECT a, count(*) AS n, grouping(a) AS g FROM t GROUP BY ROLLUP (a)",
			"SELECT a, count_star() AS n, GROUPING(a) AS g FROM t GROUP BY GROUPING SETS ((),(a))"},
	} {
		tree, err := parseSQL(ctx, db, tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if _, err := isolate(ctx, db, tree.statements[0], kinds, cols); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got, err := deparse(ctx, db, tree)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if strings.TrimSpace(got) != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
		// A second pass finds nothing left to do: what runs is what was checked.
		again, err := parseSQL(ctx, db, got)
		if err != nil {
			t.Fatalf("%s: reparse: %v", got, err)
		}
		if changed, err := isolate(ctx, db, again.statements[0], kinds, cols); err != nil || changed {
			t.Errorf("%s: second pass changed %v (%v)", got, changed, err)
		}
	}
}
