package trino_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
)

func newEngine(t *testing.T) engine.Engine {
	sys := engine.NewSystemViews(nil)
	b, _, _ := newBackend(t, sys, "")
	return engine.New(b, sys)
}

// TestConformanceSemantics runs the shared semantics scripts on Trino. It
// is not yet part of make test (TIPGATE_TRINO_CONFORMANCE=1 runs it):
// docs/trino.md lists where the engine stands.
func TestConformanceSemantics(t *testing.T) {
	if os.Getenv("TIPGATE_TRINO_CONFORMANCE") == "" {
		t.Skip("set TIPGATE_TRINO_CONFORMANCE=1 to run the semantics scripts on Trino (work in progress, docs/trino.md)")
	}
	conformance.RunScripts(t, filepath.Join("../../../testdata", "semantics"), "trino", newEngine)
}
