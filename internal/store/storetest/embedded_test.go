package storetest_test

import (
	"testing"

	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/embedded"
	"github.com/tipgate/tipgate/internal/store/storetest"
)

// TestEmbeddedResults holds the embedded result store to the result
// contract the PostgreSQL one passes too.
func TestEmbeddedResults(t *testing.T) {
	storetest.RunResultTests(t, func(t *testing.T) store.ResultStore {
		r, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir(), SpillBytes: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return r
	})
}
