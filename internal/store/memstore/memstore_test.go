package memstore_test

import (
	"testing"

	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
	"github.com/tipgate/tipgate/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Run("memory keys", func(t *testing.T) {
		storetest.RunTests(t, func(t *testing.T) store.Store { return memstore.New("", 0) })
	})
	t.Run("file keys", func(t *testing.T) {
		storetest.RunTests(t, func(t *testing.T) store.Store { return memstore.New(t.TempDir(), 0) })
	})
}
