package trino_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

// TestCancel: cancelling a principal's statement (what the Data API's
// CancelStatement does) ends the query on Trino, not only the client's wait.
func TestCancel(t *testing.T) {
	sys := engine.NewSystemViews(nil)
	b, c, _ := newBackend(t, sys, "")
	e := engine.New(b, sys)
	p, _ := identity.Simulated("cancel@example.com", identity.DefaultNamespace, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		rows, err := e.Query(ctx, p, "SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z) WHERE (x * y + z) % 7 = 3")
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		done <- err
	}()
	svc := c.DB(t, trinoserver.Warehouse, "")
	running := func() (string, string) {
		var id, state string
		err := svc.QueryRow(`SELECT query_id, state FROM system.runtime.queries WHERE "user" = ? AND query LIKE '%AS c(z)%'
			AND query NOT LIKE 'EXPLAIN%' ORDER BY created DESC LIMIT 1`, p.User).Scan(&id, &state)
		if err == sql.ErrNoRows {
			return "", ""
		}
		if err != nil {
			t.Fatal(err)
		}
		return id, state
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if id, state := running(); state == "RUNNING" {
			t.Logf("query %s running; cancelling", id)
			break
		}
		select {
		case err := <-done:
			// Trino's sequence() is capped at 10,000 entries: a query that
			// fails at once never runs, so say why instead of timing out.
			t.Fatalf("the statement ended before it ran on Trino: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the query never ran")
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled statement succeeded")
	}
	for {
		id, state := running()
		if state == "FAILED" {
			t.Logf("query %s: %s", id, state)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s still %s after the cancel", id, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
