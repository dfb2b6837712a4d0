package postgres_test

import (
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy/desired/desiredtest"
)

// TestPolicyAsCodeRoundTrip holds plan, apply and export to every scenario
// of the semantics suite on PostgreSQL, as on DuckDB.
func TestPolicyAsCodeRoundTrip(t *testing.T) {
	desiredtest.RunRoundTrips(t, "../../../testdata", "postgres", func(t *testing.T) *engine.Router {
		sys := engine.NewSystemViews(nil)
		e, _ := newBackend(t, sys)
		return engine.New(e, sys)
	})
}
