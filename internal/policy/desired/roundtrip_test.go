package desired_test

import (
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/policy/desired/desiredtest"
)

// TestRoundTripSemantics holds plan, apply and export to every scenario of
// the semantics suite on the embedded engine (desiredtest.RunRoundTrips).
func TestRoundTripSemantics(t *testing.T) {
	desiredtest.RunRoundTrips(t, "../../../testdata", "duckdb", func(t *testing.T) *engine.Router { return duckdbtest.New(t, 1) })
}
