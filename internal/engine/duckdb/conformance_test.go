package duckdb_test

import (
	"context"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/duckdb"
)

func newEngine(t *testing.T) engine.Engine {
	t.Helper()
	e, err := duckdb.Open(context.Background(), duckdb.Options{DataDir: t.TempDir(), Threads: 1, MaxIdleConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestSemantics(t *testing.T) {
	conformance.RunScripts(t, "../../../testdata/semantics", newEngine)
}

func TestAttacks(t *testing.T) {
	fx := conformance.NewFixture(t, newEngine(t), 3000, 42)
	n := conformance.RunAttacks(t, "../../../testdata/attacks", fx)
	if n < 150 {
		t.Fatalf("only %d attack runs", n)
	}
	t.Logf("%d attack runs", n)
}
