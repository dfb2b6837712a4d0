package duckdb_test

import (
	"context"
	"os"
	"strconv"
	"testing"

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
	n := conformance.RunAttacks(t, "../../../testdata/attacks", fx)
	if n < 150 {
		t.Fatalf("only %d attack runs", n)
	}
	t.Logf("%d attack runs", n)
}

// TestOracle compares random queries through enforcement with the same
// queries over physically filtered and masked copies. TIPGATE_ORACLE_N
// sets queries per principal (make oracle N=...).
func TestOracle(t *testing.T) {
	n := 1700
	if s := os.Getenv("TIPGATE_ORACLE_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("TIPGATE_ORACLE_N: %v", err)
		}
		n = v
	}
	seed := uint64(1)
	if s := os.Getenv("TIPGATE_ORACLE_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TIPGATE_ORACLE_SEED: %v", err)
		}
		seed = v
	}
	fx := conformance.NewFixture(t, newEngine(t), 3000, 7)
	compared := conformance.RunOracle(t, fx, n, seed)
	t.Logf("%d queries compared equal (seed %d)", compared, seed)
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
