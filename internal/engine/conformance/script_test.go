package conformance

import (
	"strings"
	"testing"
)

// TestParseScriptEngineDirectives: onlyif/skipif apply to the next record
// only, and RunsOn honours them.
func TestParseScriptEngineDirectives(t *testing.T) {
	recs, err := ParseScript(strings.NewReader(`
onlyif duckdb
statement ok
SELECT 1

skipif postgres
query
SELECT 2
----
2

statement ok
SELECT 3
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	for _, tc := range []struct {
		rec    int
		engine string
		want   bool
	}{
		{0, "duckdb", true}, {0, "postgres", false},
		{1, "duckdb", true}, {1, "postgres", false}, {1, "trino", true},
		{2, "duckdb", true}, {2, "postgres", true},
	} {
		if got := recs[tc.rec].RunsOn(tc.engine); got != tc.want {
			t.Errorf("record %d on %s: %v, want %v", tc.rec, tc.engine, got, tc.want)
		}
	}
	for _, bad := range []string{"onlyif\nstatement ok\nSELECT 1\n", "skipif a b\nstatement ok\nSELECT 1\n"} {
		if _, err := ParseScript(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
