package duckdb_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/duckdb"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

func newEngine(t testing.TB) engine.Engine {
	t.Helper()
	e, err := engines.Open(context.Background(), engines.Config{DataDir: t.TempDir(), Threads: 1, MaxIdleConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// TestConformance holds the embedded engine to the one conformance suite
// every engine passes: semantics scripts, attack corpus and differential
// oracle (errors included) on a dictionary-compressed warehouse.
// TIPGATE_ORACLE_N sets the oracle's queries (all principals together),
// TIPGATE_ORACLE_SEED its seed, TIPGATE_ORACLE_ROWS the warehouse's rows
// and TIPGATE_ORACLE_WORKERS the concurrent query streams per principal
// (make oracle runs TestConformance/oracle with N=..., ORACLE_ROWS=...,
// ORACLE_WORKERS=...; a long run on a large warehouse wants about one
// worker per four cores).
func TestConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) engine.Engine { return newEngine(t) }, conformance.Options{
		Engine:              "duckdb",
		Testdata:            "../../../testdata",
		AttackRows:          3000,
		MinAttackRuns:       3000,
		OracleRows:          int64(envInt(t, "TIPGATE_ORACLE_ROWS", 3000)),
		OracleQueries:       envInt(t, "TIPGATE_ORACLE_N", 6000),
		OracleSeed:          uint64(envInt(t, "TIPGATE_ORACLE_SEED", 1)),
		OracleWorkers:       envInt(t, "TIPGATE_ORACLE_WORKERS", 1),
		RequireDictionaries: true,
	})
}

// TestConformanceFromPlans runs the same suite on the engine receiving its
// policies as a native engine does, compiled per table over all grantees
// (duckdb.Options.FromPlans): the seam PostgreSQL and Trino compile from.
// The oracle runs fewer queries here; the decisions, not the queries, are
// what differ.
func TestConformanceFromPlans(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) engine.Engine {
		sys := engine.NewSystemViews(nil)
		b, err := duckdb.Open(context.Background(), duckdb.Options{DataDir: t.TempDir(), Threads: 1, MaxIdleConns: 8, System: sys, FromPlans: true})
		if err != nil {
			t.Fatal(err)
		}
		e := engine.New(b, sys)
		t.Cleanup(func() { e.Close() })
		return e
	}, conformance.Options{
		Engine:              "duckdb",
		Testdata:            "../../../testdata",
		AttackRows:          3000,
		MinAttackRuns:       3000,
		OracleRows:          3000,
		OracleQueries:       1500,
		OracleSeed:          2,
		OracleWorkers:       1,
		RequireDictionaries: true,
	})
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		t.Fatalf("%s=%q: want a positive number", name, s)
	}
	return v
}

// TestAutoCreateRoles: roles an identity provider's AUTO_CREATE_ROLES
// allows are created on first sight and held by the principal.
func TestAutoCreateRoles(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	p, _ := identity.Simulated("ann@example.com", "AWSIDC", []string{"sales", "ops"})
	p.AutoCreateRoles = []string{"AWSIDC:sales"}
	r, err := e.Query(ctx, p, "SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cat := e.Catalog()
	if _, ok := cat.Roles["AWSIDC:sales"]; !ok {
		t.Fatal("role not created")
	}
	if _, ok := cat.Roles["AWSIDC:ops"]; ok {
		t.Fatal("a role the settings exclude was created")
	}
	if roles := cat.Subject(p).Roles; len(roles) != 1 || roles[0] != "AWSIDC:sales" {
		t.Fatalf("roles %v", roles)
	}
}
