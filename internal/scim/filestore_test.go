package scim_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/scim/storetest"
)

func TestFileStoreConformance(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) scim.Store {
		s, err := scim.OpenFileStore(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestFileStorePersistsAndShares: what one store writes survives a reopen
// (a restart) and is seen by another store on the same directory (another
// process) at its next read; the file is owner-only.
func TestFileStorePersistsAndShares(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, err := scim.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := scim.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Create(ctx, storetest.User("u1", "ming@example.com", true)); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Update(ctx, scim.KindUser, "u1", func(r *scim.Resource) error { r.Attrs["active"] = false; return nil }); err != nil {
		t.Fatalf("second store does not see the first's user: %v", err)
	}
	got, err := a.Get(ctx, scim.KindUser, "u1")
	if err != nil || got.Active() || got.Version != 2 {
		t.Fatalf("first store after the second's change: %+v %v", got, err)
	}
	c, err := scim.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Get(ctx, scim.KindUser, "u1"); err != nil || got.Active() {
		t.Fatalf("reopened: %+v %v", got, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "store.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("store file mode: %v %v", fi.Mode(), err)
	}
}

func TestFileStoreRefusesDamage(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"not json", "{", "damaged"},
		{"newer format", `{"formatVersion": 99}`, "format 99"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "store.json"), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := scim.OpenFileStore(dir)
			if err == nil || !contains(err.Error(), tc.want) {
				t.Fatalf("OpenFileStore = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
