// Package duckdbtest opens a DuckDB engine for tests: in a temporary
// directory, closed when the test ends, with a setup script (tables, data,
// roles, policies) run as the local superuser. Import it only from tests.
package duckdbtest

import (
	"context"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

// New returns an engine (the router over DuckDB) with DuckDB limited to
// threads, after running setup (each element one or more statements).
func New(t testing.TB, threads int, setup ...string) *engine.Router {
	t.Helper()
	ctx := context.Background()
	eng, err := engines.Open(ctx, engines.Config{DataDir: t.TempDir(), Threads: threads})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), setup...); err != nil {
		t.Fatal(err)
	}
	return eng
}
