package pgserver_test

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }

// TestStart: one cluster per binary, a fresh database per test, reachable
// over the socket and over TCP.
func TestStart(t *testing.T) {
	srv := pgserver.Start(t)
	if srv2 := pgserver.Start(t); srv2 != srv {
		t.Fatal("a second Start started a second cluster")
	}
	db := srv.NewDatabase(t)
	ctx := context.Background()
	for _, dsn := range []string{srv.DSN(db), srv.URL(db)} {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatalf("%s: %v", dsn, err)
		}
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&got); err != nil || got != db {
			t.Fatalf("current_database() = %q, %v; want %q", got, err, db)
		}
		conn.Close(ctx)
	}
	if srv.Version < 15 {
		t.Fatalf("server version %d", srv.Version)
	}
}
