package duckdb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine/conformance"
)

// FuzzGuard feeds mutated statements to the enforcement path as a regional
// principal. Nothing may panic, and whatever succeeds must equal the same
// statement over the principal's ground truth.
func FuzzGuard(f *testing.F) {
	attacks, err := conformance.LoadAttacks("../../../testdata/attacks")
	if err != nil {
		f.Fatal(err)
	}
	for _, a := range attacks {
		f.Add(a.SQL)
	}
	eng := newEngine(f)
	fx := conformance.NewFixture(f, eng, 500, 3)
	ming := fx.Principals[0]
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, sql string) {
		got, err := conformance.Collect(ctx, fx.Engine, ming.Principal, sql)
		lower := strings.ToLower(strings.TrimSpace(sql))
		if err != nil || strings.Contains(lower, "svv_") {
			return
		}
		// Plans and descriptions differ from the ground truth's by design.
		for _, kw := range []string{"explain", "describe", "summarize", "show"} {
			if strings.HasPrefix(lower, kw) {
				return
			}
		}
		want, werr := ming.TruthRows(ctx, sql)
		if werr != nil {
			t.Fatalf("%q succeeded through enforcement (%d rows) but fails on the ground truth: %v", sql, len(got), werr)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: got %.200q, ground truth %.200q", sql, got, want)
		}
	})
}
