package tempcreds

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"path/filepath"

	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// KeyFile is the server key's file name in the data directory.
const KeyFile = "aws-credentials.key"

// KeySize is the server key length in bytes.
const KeySize = 32

// LoadOrCreateKey reads the server key at path, creating it (mode 0600)
// if it does not exist. Creation is atomic: processes racing on one data
// directory end up with the same key. A key readable by group or others
// is refused.
func LoadOrCreateKey(path string) ([]byte, error) {
	return loadKey(context.Background(), memstore.FileKeys(filepath.Dir(path)), filepath.Base(path))
}

// loadKey returns the server key under name in keys, creating it on first
// use by any replica.
func loadKey(ctx context.Context, keys store.Keys, name string) ([]byte, error) {
	k, err := store.KeyMaterial(ctx, keys, name, func() ([]byte, error) {
		k := make([]byte, KeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("tempcreds: key: %w", err)
		}
		return k, nil
	})
	if err != nil {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("tempcreds: key %s holds %d bytes, want %d", name, len(k), KeySize)
	}
	return k, nil
}

// keyID names a server key inside sealed values, so a value sealed by
// another server's key is refused before decryption is attempted.
func keyID(master []byte) [4]byte {
	sum, _ := hkdf.Key(sha256.New, master, nil, "tipgate tempcreds v1 key id", 4)
	return [4]byte(sum)
}
