package duckdb

import (
	"context"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestRawRedshiftSemantics: a superuser's statements mean what Redshift
// means alone and inside a batch (which runs on the admin connection).
func TestRawRedshiftSemantics(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	be, err := Open(ctx, Options{DataDir: t.TempDir(), Threads: 1, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.New(be, sys)
	defer r.Close()
	su := identity.LocalSuperuser()
	one := func(rows engine.Rows) any {
		t.Helper()
		if !rows.Next() {
			t.Fatalf("no row: %v", rows.Err())
		}
		return rows.Values()[0]
	}
	rows, err := r.Query(ctx, su, "SELECT 7 / 2")
	if err != nil {
		t.Fatal(err)
	}
	if v := one(rows); v != int64(3) && v != int32(3) {
		t.Errorf("SELECT 7 / 2 alone gave %v (%T), want 3", v, v)
	}
	rows.Close()
	var got any
	err = r.QueryBatch(ctx, su, []engine.Stmt{{SQL: "SELECT 7 / 2"}}, func(_ int, rows engine.Rows) error {
		got = one(rows)
		return nil
	})
	if err != nil {
		t.Fatalf("in a batch: %v", err)
	}
	if got != int64(3) && got != int32(3) {
		t.Errorf("SELECT 7 / 2 in a batch gave %v (%T), want 3", got, got)
	}
}
