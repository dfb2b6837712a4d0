package dataapi_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store/pgstore"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// roundTrips counts the store's round trips: each query outside a batch
// and each batch is one.
type roundTrips struct{ n atomic.Int64 }

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}
func (r *roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (r *roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// TestStoreRoundTrips counts what a statement costs the PostgreSQL store
// when every call lands on another replica (round robin): executed on a,
// described on b, its first page fetched on c. The figures go to
// bench/RESULTS.md; the bounds catch a regression (not a timing).
func TestStoreRoundTrips(t *testing.T) {
	pg := pgserver.Start(t)
	rt := &roundTrips{}
	st, err := pgstore.Open(context.Background(), pgstore.Options{DSN: pg.URL(pg.NewDatabase(t)), Tracer: rt})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := duckdbtest.New(t, 1, "CREATE TABLE t AS SELECT range AS i FROM range(10)")
	svc := map[string]*dataapi.Service{}
	for _, name := range []string{"a", "b", "c"} {
		s, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Store: st, Replica: name, Keys: st.Keys(), Results: st.Results()})
		if err != nil {
			t.Fatal(err)
		}
		svc[name] = s
	}
	ctx := context.Background()
	su := identity.LocalSuperuser()
	// Warm the connections' statement caches (pgx prepares each SQL once
	// per connection), as a running replica has.
	for range 3 {
		out, err := svc["a"].Execute(ctx, su, dataapi.ExecuteInput{Sql: "SELECT i FROM t", WaitTimeSeconds: wait(10)})
		if err != nil {
			t.Fatal(err)
		}
		svc["b"].Describe(ctx, su, out.ID, 0)
		svc["c"].GetResult(ctx, su, out.ID, "", 0)
	}
	measure := func(fn func()) int64 {
		before := rt.n.Load()
		fn()
		return rt.n.Load() - before
	}
	var id string
	exec := measure(func() {
		out, err := svc["a"].Execute(ctx, su, dataapi.ExecuteInput{Sql: "SELECT i FROM t", WaitTimeSeconds: wait(10)})
		if err != nil || out.Status != dataapi.StatusFinished {
			t.Fatalf("execute: %+v %v", out, err)
		}
		id = out.ID
	})
	desc := measure(func() {
		if d, err := svc["b"].Describe(ctx, su, id, 0); err != nil || d.Status != dataapi.StatusFinished {
			t.Fatalf("describe: %+v %v", d, err)
		}
	})
	page := measure(func() {
		if r, err := svc["c"].GetResult(ctx, su, id, "", 0); err != nil || len(r.Records) != 10 {
			t.Fatalf("result: %v", err)
		}
	})
	local := measure(func() {
		svc["a"].Describe(ctx, su, id, 0)
		svc["a"].GetResult(ctx, su, id, "", 0)
	})
	t.Logf("store round trips: execute %d, describe elsewhere %d, first page elsewhere %d (total %d); describe and page on the running replica %d",
		exec, desc, page, exec+desc+page, local)
	// Execute: the admission insert, then the end with the small result
	// (store.StatementEnder); the first page elsewhere reads the statement
	// and the page in one query (store.StatementPager).
	if exec > 2 || desc > 1 || page > 1 {
		t.Errorf("more round trips than before: execute %d (was 2), describe %d (1), page %d (1)", exec, desc, page)
	}
}

// TestHeldResultUntilEnd: with the PostgreSQL store a small result is
// committed with its statement's end (store.StatementEnder), so until
// then the running replica serves it from memory: a batch's first result
// is readable on a while the second statement runs (and not yet in the
// store), in both transaction and auto-commit mode; a batch that ended is
// read on b.
func TestHeldResultUntilEnd(t *testing.T) {
	pg := pgserver.Start(t)
	st, err := pgstore.Open(context.Background(), pgstore.Options{DSN: pg.URL(pg.NewDatabase(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := duckdbtest.New(t, 2, "CREATE TABLE t AS SELECT range AS i FROM range(10)")
	svc := map[string]*dataapi.Service{}
	for _, name := range []string{"a", "b"} {
		s, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Store: st, Replica: name, Keys: st.Keys(), Results: st.Results()})
		if err != nil {
			t.Fatal(err)
		}
		svc[name] = s
	}
	ctx := context.Background()
	su := identity.LocalSuperuser()
	for _, mode := range []string{"", "AUTO_COMMIT"} {
		t.Run("mode="+mode, func(t *testing.T) {
			out, err := svc["a"].Execute(ctx, su, dataapi.ExecuteInput{Sqls: []string{"SELECT i FROM t", slowQuery}, ExecutionMode: mode})
			if err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for {
				d, err := svc["a"].Describe(ctx, su, out.ID, 0)
				if err != nil {
					t.Fatal(err)
				}
				if d.SubStatements[0].Status == dataapi.StatusFinished {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the batch's first statement did not finish: %+v", d)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if r, err := svc["a"].GetResult(ctx, su, out.ID+":1", "", 0); err != nil || len(r.Records) != 10 {
				t.Fatalf("first result on the running replica before the end: %v", err)
			}
			if _, err := st.Results().Page(ctx, out.ID+":1", 1); err == nil {
				t.Fatal("the held result was committed before its statement's end")
			}
			if ok, err := svc["a"].Cancel(ctx, su, out.ID); !ok || err != nil {
				t.Fatalf("cancel: %v %v", ok, err)
			}
			if d, err := svc["a"].Describe(ctx, su, out.ID, 10); err != nil || d.Status != dataapi.StatusAborted {
				t.Fatalf("after cancel: %+v %v", d, err)
			}
			out, err = svc["a"].Execute(ctx, su, dataapi.ExecuteInput{Sqls: []string{"SELECT i FROM t", "SELECT i FROM t WHERE i < 3"}, ExecutionMode: mode, WaitTimeSeconds: wait(10)})
			if err != nil || out.Status != dataapi.StatusFinished {
				t.Fatalf("batch: %+v %v", out, err)
			}
			for sub, want := range map[string]int{":1": 10, ":2": 3} {
				if r, err := svc["b"].GetResult(ctx, su, out.ID+sub, "", 0); err != nil || len(r.Records) != want {
					t.Fatalf("result %s on b after the end: %v", sub, err)
				}
			}
		})
	}
}
