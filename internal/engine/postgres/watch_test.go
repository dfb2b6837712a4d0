package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// TestCatalogNotify: two engines on one database (two tipgate replicas):
// a policy change committed through one reaches the other's catalog by
// NOTIFY within a second, with no statement on it.
func TestCatalogNotify(t *testing.T) {
	ctx := context.Background()
	srv := pgserver.Start(t)
	db := srv.NewDatabase(t)
	open := func() (*postgres.Engine, engine.Engine) {
		sys := engine.NewSystemViews(nil)
		e, err := postgres.Open(ctx, postgres.Options{DSN: srv.DSN(db), RolePrefix: db + "/", System: sys})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e, engine.New(e, sys)
	}
	_, a := open()
	b, _ := open()
	before := b.Catalog().Version
	rows, err := a.Query(ctx, identity.LocalSuperuser(), `CREATE ROLE "AWSIDC:notified"`)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	want := a.Catalog().Version
	if want == before {
		t.Fatalf("the commit did not change the catalog version (%d)", want)
	}
	deadline := time.Now().Add(time.Second)
	for b.Catalog().Version != want {
		if time.Now().After(deadline) {
			t.Fatalf("b's catalog is at version %d a second after a committed %d", b.Catalog().Version, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, ok := b.Catalog().Roles["AWSIDC:notified"]; !ok {
		t.Fatalf("b's catalog lacks the new role")
	}
}
