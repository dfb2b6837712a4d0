package duckval_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tipgate/tipgate/internal/duckval"
)

// TestNestedValuesAreJSON: STRUCT, LIST, ARRAY, MAP and JSON come out as
// JSON text (as Redshift returns SUPER), not Go's own syntax.
func TestNestedValuesAreJSON(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct{ expr, want string }{
		{"{'b': 1, 'a': [1, 2]}", `{"a":[1,2],"b":1}`},
		{"[1, 2, NULL]", `[1,2,null]`},
		{"[[1.50::DECIMAL(5,2)], []]", `[[1.50],[]]`},
		{"MAP {'k': 1, 'j': 2}", `{"k":1,"j":2}`},
		{"MAP {1: 'x<y'}", `{"1":"x<y"}`},
		{"[DATE '2024-03-01']", `["2024-03-01 00:00:00"]`},
		{"{'n': 18446744073709551615::UBIGINT}", `{"n":18446744073709551615}`},
		{"[1.5::DOUBLE, 'nan'::DOUBLE]", `[1.5,"NaN"]`},
		{"['say \"hi\"']", `["say \"hi\""]`},
		{"42", "42"},
		{"'plain'", "plain"},
	} {
		var v any
		if err := db.QueryRowContext(context.Background(), "SELECT "+tc.expr).Scan(&v); err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got := duckval.Normalise(v)
		s, ok := got.(string)
		if !ok {
			if i, isInt := got.(int64); isInt && tc.want == "42" && i == 42 {
				continue
			}
			t.Errorf("%s: %T %v, want the string %s", tc.expr, got, got, tc.want)
			continue
		}
		if s != tc.want {
			t.Errorf("%s: %s, want %s", tc.expr, s, tc.want)
		}
	}
	// JSON scalars and documents (the engine passes JSON columns to JSONText).
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"abc", `"abc"`},
		{map[string]any{"a": []any{1.0, "x"}}, `{"a":[1,"x"]}`},
		{true, "true"},
		{2.5, "2.5"},
	} {
		if got := duckval.JSONText(tc.v); got != tc.want {
			t.Errorf("JSONText(%#v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}
