package pgstore_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/pgmigrate"
	"github.com/tipgate/tipgate/internal/scim"
	scimtest "github.com/tipgate/tipgate/internal/scim/storetest"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/pgstore"
	"github.com/tipgate/tipgate/internal/store/storetest"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }

func open(t *testing.T) (*pgstore.Store, string) {
	t.Helper()
	srv := pgserver.Start(t)
	dsn := srv.URL(srv.NewDatabase(t))
	s, err := pgstore.Open(context.Background(), pgstore.Options{DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

func TestConformance(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) store.Store { s, _ := open(t); return s })
	storetest.RunResultTests(t, func(t *testing.T) store.ResultStore { s, _ := open(t); return s.Results() })
}

// TestSCIMDirectory: the SCIM directory replicas share (a document store
// in the store's Documents) passes the SCIM store conformance suite, and
// what one replica provisions the other reads at once.
func TestSCIMDirectory(t *testing.T) {
	ctx := context.Background()
	scimtest.RunTests(t, func(t *testing.T) scim.Store {
		s, _ := open(t)
		d, err := scim.OpenDocumentStore(ctx, scim.SharedDocument(s.Documents(), "scim"))
		if err != nil {
			t.Fatal(err)
		}
		return d
	})
	_, dsn := open(t)
	var replicas []scim.Store
	for range 2 {
		s, err := pgstore.Open(ctx, pgstore.Options{DSN: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		d, err := scim.OpenDocumentStore(ctx, scim.SharedDocument(s.Documents(), "scim"))
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, d)
	}
	if err := replicas[0].Create(ctx, scimtest.User("u1", "ming@example.com", true)); err != nil {
		t.Fatal(err)
	}
	if err := replicas[1].Create(ctx, scimtest.Group("g1", "apac-sales", "u1")); err != nil {
		t.Fatalf("a group of a user the other replica provisioned: %v", err)
	}
	if gs, err := replicas[0].GroupsOf(ctx, "u1"); err != nil || len(gs) != 1 {
		t.Fatalf("GroupsOf on the first replica = %v %v", gs, err)
	}
	if err := replicas[1].Delete(ctx, scim.KindUser, "u1", func(scim.Resource) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := replicas[0].Get(ctx, scim.KindUser, "u1"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("a user deleted on one replica, on the other: %v", err)
	}
}

// TestMigrations: a second Open finds the schema current; a schema of a
// newer tipgate is refused with its version named.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	_, dsn := open(t)
	again, err := pgstore.Open(ctx, pgstore.Options{DSN: dsn})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	again.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "UPDATE tipgate_store.meta SET schema_version = 99"); err != nil {
		t.Fatal(err)
	}
	_, err = pgstore.Open(ctx, pgstore.Options{DSN: dsn})
	if !errors.Is(err, pgmigrate.ErrNewerSchema) || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

// TestUnavailable: a store that cannot be reached says so with
// ErrUnavailable, and a DSN's password never appears in an error.
func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	_, err := pgstore.Open(ctx, pgstore.Options{DSN: "postgres://u:sekret@127.0.0.1:1/db?connect_timeout=1"})
	if !errors.Is(err, store.ErrUnavailable) || strings.Contains(err.Error(), "sekret") {
		t.Fatalf("Open of nothing: %v", err)
	}
	if _, err := pgstore.Open(ctx, pgstore.Options{DSN: "postgres://u:sekret@%zz"}); err == nil || strings.Contains(err.Error(), "sekret") {
		t.Fatalf("bad DSN: %v", err)
	}
}
