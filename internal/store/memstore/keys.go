package memstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/secretfile"
	"github.com/tipgate/tipgate/internal/store"
)

// fileKeys keeps each key in its own file under dir, named by the key's
// name (a relative path: "aws-credentials.key", "keys/session-….pem"), so
// a server's existing key files keep working. Files are 0600 in 0700
// folders; creation is an atomic link, so two processes racing on one
// directory agree on one key.
type fileKeys struct{ dir string }

var _ store.Keys = (*fileKeys)(nil)

// FileKeys is key material kept in files under dir, as the embedded store
// keeps it: each name a relative path there.
func FileKeys(dir string) store.Keys { return &fileKeys{dir: dir} }

// path refuses names that would leave the directory.
func (k *fileKeys) path(name string) (string, error) {
	if name == "" || !filepath.IsLocal(name) || strings.ContainsRune(name, '\\') {
		return "", fmt.Errorf("memstore: key name %q is not a local path", name)
	}
	return filepath.Join(k.dir, name), nil
}

func (k *fileKeys) Create(ctx context.Context, name string, value []byte) ([]byte, error) {
	p, err := k.path(name)
	if err != nil {
		return nil, err
	}
	if v, err := k.Get(ctx, name); !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("memstore: key folder: %w", err)
	}
	// A sub-folder of keys (keys/) must be the owner's alone, as the
	// session key folder always had to be; the data directory's own mode
	// is the operator's.
	if fi, err := os.Stat(dir); dir != filepath.Clean(k.dir) && (err != nil || fi.Mode().Perm()&0o077 != 0) {
		if err == nil {
			err = fmt.Errorf("folder %s is accessible to other users (mode %v); it must be 0700", dir, fi.Mode().Perm())
		}
		return nil, fmt.Errorf("memstore: key folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(p)+"-*")
	if err != nil {
		return nil, fmt.Errorf("memstore: write key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(value)
	if err := errors.Join(tmp.Chmod(0o600), werr, tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("memstore: write key: %w", err)
	}
	// Link fails if the name exists: the first process wins and everyone
	// reads its key.
	if err := os.Link(tmp.Name(), p); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("memstore: install key: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return k.Get(ctx, name)
}

func (k *fileKeys) Get(_ context.Context, name string) ([]byte, error) {
	p, err := k.path(name)
	if err != nil {
		return nil, err
	}
	v, err := secretfile.Read(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("memstore: key: %w", err)
	}
	return v, nil
}

func (k *fileKeys) List(_ context.Context, prefix string) ([]string, error) {
	dir, base := filepath.Split(prefix)
	entries, err := os.ReadDir(filepath.Join(k.dir, dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memstore: list keys: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasPrefix(e.Name(), base) && !strings.HasPrefix(e.Name(), ".tmp-") {
			out = append(out, dir+e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

func (k *fileKeys) Delete(_ context.Context, name string) error {
	p, err := k.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("memstore: delete key: %w", err)
	}
	return nil
}
