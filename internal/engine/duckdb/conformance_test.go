package duckdb_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
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

func TestSemantics(t *testing.T) {
	conformance.RunScripts(t, "../../../testdata/semantics", func(t *testing.T) engine.Engine { return newEngine(t) })
}

func TestAttacks(t *testing.T) {
	fx := conformance.NewFixture(t, newEngine(t), 3000, 42)
	fx.RequireDictionaries(t, conformance.DictionaryColumns...)
	n := conformance.RunAttacks(t, "../../../testdata/attacks", fx)
	if n < 3000 {
		t.Fatalf("only %d attack runs", n)
	}
	t.Logf("%d attack runs", n)
}

// TestOracle compares random queries through enforcement with the same
// queries over physically filtered and masked copies, errors included, on
// a dictionary-compressed warehouse. TIPGATE_ORACLE_N sets the number of
// queries (all principals together), TIPGATE_ORACLE_SEED the seed,
// TIPGATE_ORACLE_ROWS the warehouse's rows and TIPGATE_ORACLE_WORKERS the
// concurrent query streams per principal (make oracle N=... ORACLE_ROWS=...
// ORACLE_WORKERS=...; a long run on a large warehouse wants about one
// worker per four cores).
func TestOracle(t *testing.T) {
	n := envInt(t, "TIPGATE_ORACLE_N", 6000)
	seed := uint64(envInt(t, "TIPGATE_ORACLE_SEED", 1))
	rows := envInt(t, "TIPGATE_ORACLE_ROWS", 3000)
	workers := envInt(t, "TIPGATE_ORACLE_WORKERS", 1)
	start := time.Now()
	fx := conformance.NewFixture(t, newEngine(t), int64(rows), 7)
	fx.RequireDictionaries(t, conformance.DictionaryColumns...)
	t.Logf("fixture of %d rows loaded in %s", rows, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	s := conformance.RunOracle(t, fx, n, seed, workers)
	t.Logf("seed %d, %d rows, %d workers per principal: %d queries in %s: %d returned equal rows, %d failed on both sides evaluating rows (same error class), "+
		"%d failed on both sides binding; %d mismatches, %d error messages revealing hidden values",
		seed, rows, workers, s.Queries, time.Since(start).Round(time.Millisecond), s.Rows, s.DataErrors, s.BindErrors, s.Mismatches, s.Leaks)
	if s.Queries < n {
		t.Fatalf("only %d of %d queries ran", s.Queries, n)
	}
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
