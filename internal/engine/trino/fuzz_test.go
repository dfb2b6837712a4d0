package trino

import (
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// FuzzGuard holds the guard's pure parts to their promises on any input:
// checkIO admits only plans that write nothing and read only the warehouse
// schema (never the probe table); checkKeyword admits only queries;
// translate leaves no identity function for Trino to evaluate as another
// user, and keeps the user's name one literal.
func FuzzGuard(f *testing.F) {
	f.Add(`{"inputTableColumnInfos":[{"table":{"catalog":"iceberg","schemaTable":{"schema":"w","table":"sales_data"}}}],"outputTable":null}`,
		"SELECT * FROM sales_data", "owner = current_user", "AWSIDC:ming@example.com")
	f.Add(`{"inputTableColumnInfos":[{"table":{"catalog":"system","schemaTable":{"schema":"runtime","table":"queries"}}}]}`,
		"/* x */ (WITH a AS (SELECT 1) SELECT * FROM a)", "right(sku, 4) || nvl(a, session_user)", "o'brien")
	f.Add(`{"outputTable":{"catalog":"iceberg","schemaTable":{"schema":"w","table":"t"}}}`, "INSERT INTO t VALUES (1)", "a::int = 1", "u")
	f.Fuzz(func(t *testing.T, plan, stmt, expr, user string) {
		tables, err := checkIO(plan, "iceberg", "w")
		if err == nil {
			if strings.Contains(plan, `"outputTable":{`) && !strings.Contains(plan, `"outputTable":null`) && strings.Count(plan, `"outputTable"`) == 1 {
				t.Fatalf("a plan that writes was admitted: %s", plan)
			}
			for _, tb := range tables {
				if tb == probeTable {
					t.Fatal("the probe table was admitted")
				}
			}
		}
		if checkKeyword(stmt) == nil {
			res, err := pg.Scan(stmt)
			if err == nil {
				for _, tok := range res.Tokens {
					if tok.Token == pg.Token_ASCII_40 || tok.Token == pg.Token_C_COMMENT || tok.Token == pg.Token_SQL_COMMENT {
						continue
					}
					w := strings.ToLower(stmt[tok.Start:tok.End])
					if w != "select" && w != "with" && w != "values" && w != "table" {
						t.Fatalf("statement starting with %q admitted", w)
					}
					break
				}
				for _, tok := range res.Tokens {
					if (tok.Token == pg.Token_C_COMMENT || tok.Token == pg.Token_SQL_COMMENT) && !onlyTrinoComments(stmt[tok.Start:tok.End]) {
						t.Fatalf("a comment Trino reads otherwise was admitted: %q", stmt)
					}
				}
			}
		}
		// LIMIT/OFFSET reordering only moves tokens: what scanned still
		// scans, to as many tokens.
		if before, err := pg.Scan(stmt); err == nil {
			moved := limitOffset(stmt)
			after, err := pg.Scan(moved)
			if err != nil || len(after.Tokens) != len(before.Tokens) {
				t.Fatalf("limitOffset(%q) = %q: %v, %d tokens, want %d", stmt, moved, err, len(after.GetTokens()), len(before.Tokens))
			}
		}
		out, err := translate(expr, user)
		if err != nil {
			return
		}
		res, err := pg.Scan(out)
		if err != nil {
			return
		}
		for _, tok := range res.Tokens {
			switch tok.Token {
			case pg.Token_CURRENT_USER, pg.Token_SESSION_USER, pg.Token_USER:
				t.Fatalf("%q translated to %q keeps %s", expr, out, out[tok.Start:tok.End])
			}
		}
	})
}
