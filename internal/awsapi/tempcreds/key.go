package tempcreds

import (
	"github.com/tipgate/tipgate/internal/secretfile"

	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	k, err := readKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("tempcreds: key directory: %w", err)
	}
	k = make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	if _, err := tmp.Write(k); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	// Link fails if another process created the key first; then theirs wins.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	return readKey(path)
}

func readKey(path string) ([]byte, error) {
	k, err := secretfile.Read(path)
	if err != nil {
		return nil, fmt.Errorf("tempcreds: key: %w", err)
	}
	if len(k) != KeySize {
		return nil, fmt.Errorf("tempcreds: key file %s holds %d bytes, want %d", path, len(k), KeySize)
	}
	return k, nil
}

// keyID names a server key inside sealed values, so a value sealed by
// another server's key is refused before decryption is attempted.
func keyID(master []byte) [4]byte {
	sum, _ := hkdf.Key(sha256.New, master, nil, "tipgate tempcreds v1 key id", 4)
	return [4]byte(sum)
}
