package duckdb

import (
	"context"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestFirstSightKeepsPolicyVersion: a new user's first statement (and the
// roles AUTO_CREATE_ROLES makes for it) records the user in the catalog but
// leaves the policy version, and so every other principal's policy
// context, pooled connection and cache key, untouched. A policy change
// still replaces them.
func TestFirstSightKeepsPolicyVersion(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	e, err := Open(ctx, Options{DataDir: t.TempDir(), Threads: 1, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.New(e, sys)
	defer r.Close()
	if err := engine.Run(ctx, r, identity.LocalSuperuser(),
		`CREATE TABLE t (region VARCHAR(10), n INT)`,
		`INSERT INTO t VALUES ('asia', 1), ('europe', 2)`,
		`CREATE ROLE "AWSIDC:asia"`,
		`GRANT SELECT ON t TO ROLE "AWSIDC:asia"`,
		`CREATE RLS POLICY p WITH (region VARCHAR(10)) USING (region = 'asia')`,
		`ATTACH RLS POLICY p ON t TO ROLE "AWSIDC:asia"`,
		`ALTER TABLE t ROW LEVEL SECURITY ON`); err != nil {
		t.Fatal(err)
	}
	count := func(p identity.Principal) int64 {
		t.Helper()
		rows, err := r.Query(ctx, p, "SELECT count(*) FROM t")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal("no row")
		}
		n, _ := rows.Values()[0].(int64)
		return n
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"asia"})
	if got := count(ming); got != 1 {
		t.Fatalf("ming sees %d rows, want 1", got)
	}
	before := e.Catalog()
	key := contextKey(before.PolicyVersion, before.Subject(ming))
	e.ctxMu.Lock()
	mingCtx := e.contexts[key]
	e.ctxMu.Unlock()
	if mingCtx == nil {
		t.Fatal("ming's policy context is not cached")
	}

	newcomer, _ := identity.Simulated("new@example.com", "AWSIDC", []string{"asia", "brand-new"})
	newcomer.AutoCreateRoles = []string{"AWSIDC:brand-new"}
	if got := count(newcomer); got != 1 {
		t.Fatalf("the newcomer sees %d rows, want 1", got)
	}
	after := e.Catalog()
	if _, ok := after.Users["AWSIDC:new@example.com"]; !ok {
		t.Fatal("the newcomer was not recorded")
	}
	if _, ok := after.Roles["AWSIDC:brand-new"]; !ok {
		t.Fatal("the auto-created role is missing")
	}
	if after.Version == before.Version {
		t.Fatal("recording a user did not advance the catalog's version")
	}
	if after.PolicyVersion != before.PolicyVersion {
		t.Fatalf("a first sign-in moved the policy version from %d to %d", before.PolicyVersion, after.PolicyVersion)
	}
	e.ctxMu.Lock()
	same := e.contexts[contextKey(after.PolicyVersion, after.Subject(ming))] == mingCtx
	e.ctxMu.Unlock()
	if !same {
		t.Fatal("a first sign-in replaced another principal's policy context")
	}
	if idle := len(e.pool.idle[mingCtx.key]); idle == 0 {
		t.Fatal("a first sign-in closed another principal's pooled connection")
	}
	// SVV_ROLES still shows the new role to its readers.
	rows, err := r.Query(ctx, identity.LocalSuperuser(), "SELECT count(*) FROM svv_roles WHERE role_name = 'AWSIDC:brand-new'")
	if err != nil {
		t.Fatal(err)
	}
	rows.Next()
	if n, _ := rows.Values()[0].(int64); n != 1 {
		t.Fatalf("svv_roles lists the new role %d times", n)
	}
	rows.Close()

	// A real policy change moves the policy version and drops old contexts.
	if err := engine.Run(ctx, r, identity.LocalSuperuser(), `GRANT SELECT ON t TO ROLE "AWSIDC:brand-new"`); err != nil {
		t.Fatal(err)
	}
	if e.Catalog().PolicyVersion == after.PolicyVersion {
		t.Fatal("a GRANT did not move the policy version")
	}
	e.ctxMu.Lock()
	_, stale := e.contexts[mingCtx.key]
	e.ctxMu.Unlock()
	if stale {
		t.Fatal("a policy change kept a context of the old policy version")
	}
}
