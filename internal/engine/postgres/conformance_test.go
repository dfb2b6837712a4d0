package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }

// newBackend opens the engine on a fresh database of the test binary's
// cluster. Roles are cluster-wide, so each database's roles carry its
// name as a prefix.
func newBackend(t testing.TB, sys *engine.SystemViews) (*postgres.Engine, string) {
	t.Helper()
	return newBackendAt(t, sys, "")
}

// newBackendAt is newBackend with COPY's s3:// sources under s3Root.
func newBackendAt(t testing.TB, sys *engine.SystemViews, s3Root string) (*postgres.Engine, string) {
	t.Helper()
	srv := pgserver.Start(t)
	db := srv.NewDatabase(t)
	e, err := postgres.Open(context.Background(), postgres.Options{DSN: srv.DSN(db), RolePrefix: db + "/", System: sys, S3Root: s3Root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, db
}

func newEngine(t *testing.T) engine.Engine {
	sys := engine.NewSystemViews(nil)
	e, _ := newBackend(t, sys)
	return engine.New(e, sys)
}

// TestConformance holds the engine to the one conformance suite every
// engine passes: semantics scripts, attack corpus and differential oracle.
func TestConformance(t *testing.T) {
	conformance.RunTests(t, newEngine, conformance.Options{
		Engine:        "postgres",
		Testdata:      "../../../testdata",
		AttackRows:    3000,
		MinAttackRuns: 2600, // every attack but DuckDB's own mechanisms (@engine, @only duckdb) runs here
		OracleRows:    3000,
		OracleQueries: 5000,
		OracleSeed:    1,
		OracleWorkers: 2,
	})
}
