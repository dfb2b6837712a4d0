package trino

import (
	"strings"
	"testing"
)

// TestPlaceholders: arguments are inlined as trino-go-client's literals,
// parenthesised, where the $n tokens are (never inside a string or a
// comment), and nothing is left to bind (Trino refuses parameters in the
// guard's EXPLAIN).
func TestPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		args       []any
		want, err  string
	}{
		{name: "none", text: "SELECT 1", want: "SELECT 1"},
		{name: "string", text: "SELECT * FROM t WHERE c = $1", args: []any{"Cycling"}, want: "SELECT * FROM t WHERE c = ('Cycling')"},
		{name: "quote doubled", text: "SELECT $1", args: []any{"x' OR true --"}, want: "SELECT ('x'' OR true --')"},
		{name: "negative number after minus", text: "SELECT 1-$1", args: []any{int64(-5)}, want: "SELECT 1-(-5)"},
		{name: "order and reuse", text: "SELECT $2, $1, $2", args: []any{"a", "b"}, want: "SELECT ('b'), ('a'), ('b')"},
		{name: "not in a string", text: "SELECT '$1', $1", args: []any{"a"}, want: "SELECT '$1', ('a')"},
		{name: "null", text: "SELECT $1", args: []any{nil}, want: "SELECT (NULL)"},
		{name: "no such parameter", text: "SELECT $2", args: []any{"a"}, err: "there is no parameter $2"},
		{name: "type Serial refuses", text: "SELECT $1", args: []any{struct{}{}}, err: "parameter $1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, rest, err := placeholders(tc.text, tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want || len(rest) != 0 {
				t.Fatalf("got %q, %v, %v; want %q", got, rest, err, tc.want)
			}
		})
	}
}

// TestLimitOffset: LIMIT n OFFSET m becomes Trino's OFFSET m LIMIT n, in
// subqueries too; OFFSET … LIMIT and a lone LIMIT stay as they are.
func TestLimitOffset(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 10"},
		{"SELECT a FROM t ORDER BY a LIMIT 50 OFFSET 100", "SELECT a FROM t ORDER BY a OFFSET 100 LIMIT 50"},
		{"SELECT a FROM t OFFSET 5 LIMIT 2", "SELECT a FROM t OFFSET 5 LIMIT 2"},
		{"SELECT * FROM (SELECT a FROM t LIMIT 3 OFFSET 1) s LIMIT 1", "SELECT * FROM (SELECT a FROM t OFFSET 1 LIMIT 3) s LIMIT 1"},
		{"SELECT * FROM (SELECT a FROM t LIMIT (1+2) OFFSET (4)) s", "SELECT * FROM (SELECT a FROM t OFFSET (4) LIMIT (1+2)) s"},
		{"SELECT 'LIMIT 1 OFFSET 2' AS x", "SELECT 'LIMIT 1 OFFSET 2' AS x"},
		{"SELECT a FROM t LIMIT ALL OFFSET 3;", "SELECT a FROM t OFFSET 3 LIMIT ALL;"},
		// A moved -- comment would swallow the closing parenthesis: left alone.
		{"SELECT * FROM (SELECT a FROM t LIMIT 1 -- c\n OFFSET 2) s", "SELECT * FROM (SELECT a FROM t LIMIT 1 -- c\n OFFSET 2) s"},
	} {
		if got := limitOffset(tc.in); got != tc.want {
			t.Errorf("limitOffset(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
