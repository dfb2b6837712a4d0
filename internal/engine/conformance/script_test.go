package conformance

import (
	"strings"
	"testing"
)

// TestParseScriptEngineDirectives: onlyif/skipif apply to the next record
// only (several skipif lines skip it on each engine named), and RunsOn
// honours them.
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

skipif postgres
skipif trino
statement ok
SELECT 4
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
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
		{3, "duckdb", true}, {3, "postgres", false}, {3, "trino", false},
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

// TestSameRows: text-equal cells, or numbers within a relative 1e-7.
func TestSameRows(t *testing.T) {
	for _, tc := range []struct {
		got, want []string
		same      bool
	}{
		{[]string{"a|1"}, []string{"a|1"}, true},
		{[]string{"x|30.2284632"}, []string{"x|30.2284633"}, true},
		{[]string{"x|30.2284"}, []string{"x|30.2285"}, false},
		{[]string{"x|1"}, []string{"y|1"}, false},
		{[]string{"x|NULL"}, []string{"x|0"}, false},
		{[]string{"x"}, []string{"x", "y"}, false},
	} {
		if got := SameRows(tc.got, tc.want); got != tc.same {
			t.Errorf("SameRows(%q, %q) = %v", tc.got, tc.want, got)
		}
	}
}

// TestParseScriptErrorState: a "statement error" names the SQLSTATE it
// expects, then optionally text the message must contain; one that names
// no SQLSTATE (which would pass on any error) does not parse.
func TestParseScriptErrorState(t *testing.T) {
	for _, tc := range []struct {
		line, code, msg string
		ok              bool
	}{
		{"statement error 42501 permission denied for relation t", "42501", "permission denied for relation t", true},
		{"statement error 42P01", "42P01", "", true},
		{"statement error permission denied for relation t", "", "", false},
		{"statement error", "", "", false},
		{"statement error 4250 x", "", "", false},
		{"statement error 42p01 x", "", "", false},
	} {
		recs, err := ParseScript(strings.NewReader(tc.line + "\nSELECT 1\n"))
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.line, err, tc.ok)
			continue
		}
		if tc.ok && (recs[0].WantCode != tc.code || recs[0].WantError != tc.msg) {
			t.Errorf("%q: code %q msg %q, want %q %q", tc.line, recs[0].WantCode, recs[0].WantError, tc.code, tc.msg)
		}
	}
}
