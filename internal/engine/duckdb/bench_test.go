package duckdb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
)

// BenchmarkColdStatement measures a statement text never seen before:
// parse, admission and the query itself.
func BenchmarkColdStatement(b *testing.B) {
	e := newEngine(b)
	fx := conformance.NewFixture(b, e, 100, 1)
	_ = fx
	p, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac-sales"})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.Query(ctx, p, fmt.Sprintf("SELECT %d AS x", i))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		r.Close()
	}
}
