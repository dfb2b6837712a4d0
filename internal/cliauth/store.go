package cliauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// EnvConfigDir overrides the configuration directory (tests, several
// profiles).
const EnvConfigDir = "TIPGATE_CONFIG_DIR"

const sessionFile = "session.json"

// maxSessionFile bounds what Load reads.
const maxSessionFile = 1 << 20

// ErrNotLoggedIn means there is no stored session.
var ErrNotLoggedIn = errors.New("not logged in: run 'tipgate login'")

// PermissionError refuses a session file that others may read.
type PermissionError struct {
	Path string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("refusing to read %s: its mode %04o lets other users read it (the file holds a session token; "+
		"run 'chmod 600 %s' if you trust it, or 'tipgate login' again)", e.Path, e.Mode.Perm(), e.Path)
}

// Session is a signed-in tipgate session.
type Session struct {
	// Server is the tipgate server's base URL; the token is only ever
	// sent there.
	Server string    `json:"server"`
	Token  Secret    `json:"token"`
	Expiry time.Time `json:"expiry"`
	// Issuer and ClientID record how the session was obtained.
	Issuer   string `json:"issuer,omitempty"`
	ClientID string `json:"client_id,omitempty"`
}

// LogValue keeps the token out of slog, whose JSON handler would
// otherwise marshal it.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("server", s.Server), slog.Any("token", s.Token), slog.Time("expiry", s.Expiry),
		slog.String("issuer", s.Issuer), slog.String("client_id", s.ClientID))
}

// Expired reports whether the session has expired at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.Expiry) }

// Store keeps one session in Dir/session.json: directory 0700, file 0600,
// replaced atomically.
type Store struct{ Dir string }

// DefaultStore is $TIPGATE_CONFIG_DIR, or os.UserConfigDir()/tipgate.
func DefaultStore() (Store, error) {
	if d := os.Getenv(EnvConfigDir); d != "" {
		return Store{Dir: d}, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return Store{}, fmt.Errorf("cliauth: no configuration directory (set %s): %w", EnvConfigDir, err)
	}
	return Store{Dir: filepath.Join(base, "tipgate")}, nil
}

// Path is the session file's path.
func (s Store) Path() string { return filepath.Join(s.Dir, sessionFile) }

// Load reads the stored session. It returns ErrNotLoggedIn when there is
// none and a *PermissionError when the file is readable by others.
func (s Store) Load() (Session, error) {
	f, err := os.Open(s.Path())
	if errors.Is(err, fs.ErrNotExist) {
		return Session{}, ErrNotLoggedIn
	}
	if err != nil {
		return Session{}, fmt.Errorf("cliauth: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Session{}, fmt.Errorf("cliauth: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Session{}, fmt.Errorf("cliauth: %s is not a regular file", s.Path())
	}
	// Windows has no mode bits to check; its profile directory is private.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return Session{}, &PermissionError{Path: s.Path(), Mode: fi.Mode()}
	}
	b, err := io.ReadAll(io.LimitReader(f, maxSessionFile))
	if err != nil {
		return Session{}, fmt.Errorf("cliauth: %w", err)
	}
	var sess Session
	if err := json.Unmarshal(b, &sess); err != nil || sess.Server == "" || sess.Token == "" {
		// The decoder's message could quote the file; it is not shown.
		return Session{}, fmt.Errorf("cliauth: %s is damaged: run 'tipgate login' again", s.Path())
	}
	return sess, nil
}

// Save replaces the stored session atomically: a private temporary file in
// the same directory, synced, then renamed over the old one.
func (s Store) Save(sess Session) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("cliauth: %w", err)
	}
	b, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return fmt.Errorf("cliauth: %w", err)
	}
	f, err := os.CreateTemp(s.Dir, ".session-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("cliauth: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("cliauth: write session: %w", err)
	}
	if err := f.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cliauth: write session: %w", err)
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cliauth: write session: %w", err)
	}
	syncDir(s.Dir)
	return nil
}

// Delete removes the stored session; no session is not an error.
func (s Store) Delete() error {
	if err := os.Remove(s.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cliauth: %w", err)
	}
	syncDir(s.Dir)
	return nil
}

// syncDir makes a rename or removal durable where the platform allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
