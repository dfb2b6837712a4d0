package dataapi_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/embedded"
)

// deletes records the result ids a ResultStore was asked to delete.
type deletes struct {
	store.ResultStore
	mu  sync.Mutex
	ids map[string]bool
}

func (d *deletes) Delete(ctx context.Context, id string) error {
	d.mu.Lock()
	d.ids[id] = true
	d.mu.Unlock()
	return d.ResultStore.Delete(ctx, id)
}

func (d *deletes) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.ids)
}

// TestExpirySweep: the sweep forgets client tokens after ClientTokenTTL
// and statements after Retention, oldest first, deletes the expired
// results from their store, and keeps a statement still running past its
// retention until it ends.
func TestExpirySweep(t *testing.T) {
	emb, err := embedded.NewResults(embedded.ResultOptions{Dir: filepath.Join(t.TempDir(), "results")})
	if err != nil {
		t.Fatal(err)
	}
	res := &deletes{ResultStore: emb, ids: map[string]bool{}}
	e := newEnv(t, dataapi.Options{Results: res})
	ctx := context.Background()
	retained := func(wantStmts, wantTokens int) {
		t.Helper()
		// Any lookup sweeps (at most once a second of the service's clock).
		e.svc.Describe(ctx, e.ming, "no-such-statement", 0)
		if s, c := e.svc.Retained(); s != wantStmts || c != wantTokens {
			t.Fatalf("retained %d statements and %d client tokens, want %d and %d", s, c, wantStmts, wantTokens)
		}
	}
	// frank's, so ming's running-time budget stays free.
	slow, err := e.svc.Execute(ctx, e.frank, dataapi.ExecuteInput{Sql: slowQuery})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: fmt.Sprint("early-", i)})
	}
	e.now.advance(2 * time.Hour)
	late := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT 2", ClientToken: "late"})
	retained(5, 4)
	e.now.advance(7 * time.Hour) // the early tokens are 9 h old, the late one 7 h
	retained(5, 1)
	e.now.advance(16 * time.Hour) // early statements 25 h old, the late one 23 h
	retained(2, 0)                // the late one, and the slow one still running
	if _, err := e.svc.Describe(ctx, e.ming, late.ID, 0); err != nil {
		t.Fatalf("a statement within its retention: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for res.count() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d results deleted, want 3", res.count())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if ok, err := e.svc.Cancel(ctx, e.frank, slow.ID); err != nil || !ok {
		t.Fatalf("cancel: %v %v", ok, err)
	}
	e.svc.Describe(ctx, e.frank, slow.ID, 30)
	e.now.advance(2 * time.Hour)
	retained(0, 0)
}
