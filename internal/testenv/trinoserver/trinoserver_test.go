package trinoserver_test

import (
	"os"
	"testing"

	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

// TestMain stops the cluster a test of this binary started. The checks of
// the cluster itself (TestCluster) run in internal/engine/trino, on that
// binary's cluster: a binary of its own would start one more cluster in
// make test.
func TestMain(m *testing.M) { os.Exit(trinoserver.Main(m)) }
