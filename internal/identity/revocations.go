package identity

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RevocationStore records revoked session ids. Implementations must make
// a revocation visible to every process that verifies sessions for the
// same data before Revoke returns (or within about a second), and must
// fail closed: an error from Revoked refuses the session.
type RevocationStore interface {
	Revoke(ctx context.Context, sid string, exp time.Time) error
	Revoked(ctx context.Context, sid string) (bool, error)
}

// RevocationRecheck bounds how long FileRevocations may answer "not
// revoked" from memory: a session revoked by another process sharing the
// directory is refused here at the latest this long after its Revoke
// returned. A revocation through the same FileRevocations is seen at once.
const RevocationRecheck = 200 * time.Millisecond

// FileRevocations keeps one file per revoked session in a directory.
// Revoked is a stat of the session's own file, at most once per
// RevocationRecheck per session: a session's every request stat-ing its
// file was a few percent of a small statement's CPU, and a revocation by
// any other process sharing the directory is still seen within
// RevocationRecheck. Only "not revoked" is remembered; a revoked file or
// an error (which refuses the session) is never cached.
type FileRevocations struct {
	dir string
	now func() time.Time

	mu        sync.Mutex
	lastPrune time.Time

	cacheMu sync.Mutex
	// notRevoked: session id → when its file was last seen absent.
	notRevoked map[string]time.Time
	// gen counts this value's revocations.
	gen uint64
}

// maxNotRevoked bounds the memory of notRevoked; past it, entries older
// than RevocationRecheck (useless anyway) are dropped.
const maxNotRevoked = 16384

var _ RevocationStore = (*FileRevocations)(nil)

// NewFileRevocations uses dir (created 0700 if missing).
func NewFileRevocations(dir string, now func() time.Time) (*FileRevocations, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("identity: revocation directory: %w", err)
	}
	return &FileRevocations{dir: dir, now: now, notRevoked: map[string]time.Time{}}, nil
}

// validSID admits only the ids Sessions makes, so a sid can never name a
// path outside the directory.
func validSID(sid string) bool {
	if len(sid) < 16 || len(sid) > 64 {
		return false
	}
	for i := 0; i < len(sid); i++ {
		if !isTokenByte(sid[i]) || sid[i] == '.' {
			return false
		}
	}
	return true
}

// Revoke records sid until exp, durably: the file and the directory entry
// are synced before it returns.
func (f *FileRevocations) Revoke(ctx context.Context, sid string, exp time.Time) error {
	if !validSID(sid) {
		return errors.New("identity: invalid session id")
	}
	path := filepath.Join(f.dir, sid)
	tmp, err := os.CreateTemp(f.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("identity: recording revocation: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(strconv.FormatInt(exp.Unix(), 10) + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("identity: recording revocation: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("identity: recording revocation: %w", err)
	}
	// The file exists: forget that sid was not revoked, and make any
	// check that stat-ed before the rename unable to remember it.
	f.cacheMu.Lock()
	delete(f.notRevoked, sid)
	f.gen++
	f.cacheMu.Unlock()
	if err := syncDir(f.dir); err != nil {
		return err
	}
	f.prune()
	return nil
}

// Revoked reports whether sid was revoked.
func (f *FileRevocations) Revoked(ctx context.Context, sid string) (bool, error) {
	if !validSID(sid) {
		return true, errors.New("identity: invalid session id")
	}
	now := f.now()
	f.cacheMu.Lock()
	seen, ok := f.notRevoked[sid]
	gen := f.gen
	f.cacheMu.Unlock()
	// A clock that went back makes the entry useless, not trusted longer.
	if ok && now.Sub(seen) < RevocationRecheck && !now.Before(seen) {
		return false, nil
	}
	_, err := os.Lstat(filepath.Join(f.dir, sid))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		f.remember(sid, now, gen)
		return false, nil
	default:
		return true, fmt.Errorf("identity: checking revocation: %w", err)
	}
}

// remember records that sid's file was absent at now, unless this value
// revoked a session since gen (the stat may have come before it).
func (f *FileRevocations) remember(sid string, now time.Time, gen uint64) {
	f.cacheMu.Lock()
	defer f.cacheMu.Unlock()
	if f.gen != gen {
		return
	}
	if len(f.notRevoked) >= maxNotRevoked {
		for k, t := range f.notRevoked {
			if now.Sub(t) >= RevocationRecheck || now.Before(t) {
				delete(f.notRevoked, k)
			}
		}
		if len(f.notRevoked) >= maxNotRevoked {
			clear(f.notRevoked)
		}
	}
	f.notRevoked[sid] = now
}

// prune drops records of sessions that have expired anyway, at most once
// an hour, so the directory does not grow without bound.
func (f *FileRevocations) prune() {
	f.mu.Lock()
	now := f.now()
	if now.Sub(f.lastPrune) < time.Hour {
		f.mu.Unlock()
		return
	}
	f.lastPrune = now
	f.mu.Unlock()
	entries, err := os.ReadDir(f.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !validSID(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(f.dir, e.Name()))
		if err != nil {
			continue
		}
		sec, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err == nil && now.After(time.Unix(sec, 0).Add(time.Hour)) {
			_ = os.Remove(filepath.Join(f.dir, e.Name()))
		}
	}
}
