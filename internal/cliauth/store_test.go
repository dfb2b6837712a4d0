package cliauth

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const testToken = "eyJhbGciOiJFUzI1NiJ9.c2Vzc2lvbg.c2lnbmF0dXJl"

func testSession() Session {
	return Session{Server: "http://127.0.0.1:8080", Token: testToken, Expiry: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Issuer: "http://127.0.0.1:8080/idp", ClientID: "tipgate-cli"}
}

func TestStoreRoundTrip(t *testing.T) {
	s := Store{Dir: filepath.Join(t.TempDir(), "nested", "tipgate")}
	if _, err := s.Load(); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("empty store: %v, want ErrNotLoggedIn", err)
	}
	want := testSession()
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("loaded %+v, want %+v", got, want)
	}
	if runtime.GOOS != "windows" {
		for path, mode := range map[string]os.FileMode{s.Dir: 0o700, s.Path(): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != mode {
				t.Errorf("%s: mode %04o, want %04o", path, fi.Mode().Perm(), mode)
			}
		}
	}
	// Replacing leaves exactly one file: no temporary files behind.
	want.Token = "another-token"
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(s.Dir)
	if len(entries) != 1 || entries[0].Name() != sessionFile {
		t.Fatalf("directory holds %v", entries)
	}
	if got, _ := s.Load(); got.Token != "another-token" {
		t.Fatal("the second save did not replace the session")
	}
	if err := s.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("after delete: %v", err)
	}
	if err := s.Delete(); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
}

func TestStoreRefusesSharedFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits")
	}
	for _, tc := range []struct {
		mode   os.FileMode
		refuse bool
	}{
		{0o600, false}, {0o400, false}, {0o640, true}, {0o604, true}, {0o644, true}, {0o660, true}, {0o666, true},
	} {
		t.Run(fmt.Sprintf("%04o", tc.mode), func(t *testing.T) {
			s := Store{Dir: t.TempDir()}
			if err := s.Save(testSession()); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(s.Path(), tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load()
			var pe *PermissionError
			if got := errors.As(err, &pe); got != tc.refuse {
				t.Fatalf("Load: %v, want refused=%v", err, tc.refuse)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Fatal("the error quotes the token")
			}
		})
	}
}

func TestStoreRejectsDamagedFile(t *testing.T) {
	for _, body := range []string{"", "{", `{"server":"http://x"}`, `{"token":"` + testToken + `"}`, `"` + testToken + `"`} {
		s := Store{Dir: t.TempDir()}
		if err := os.WriteFile(s.Path(), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load()
		if err == nil || errors.Is(err, ErrNotLoggedIn) || strings.Contains(err.Error(), testToken) {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestDefaultStoreHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvConfigDir, dir)
	s, err := DefaultStore()
	if err != nil || s.Path() != filepath.Join(dir, "session.json") {
		t.Fatalf("%v %v", s, err)
	}
}

func TestSecretNeverPrints(t *testing.T) {
	sess := testSession()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "session", sess, "token", sess.Token)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "token", sess.Token)
	out := logs.String()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s"} {
		out += fmt.Sprintf(verb, sess) + fmt.Sprintf(verb, sess.Token)
	}
	out += fmt.Sprint(sess, sess.Token) + fmt.Sprintln(&sess)
	if strings.Contains(out, "c2Vzc2lvbg") || strings.Contains(out, fmt.Sprintf("%x", testToken)) {
		t.Fatalf("a token was printed:\n%s", out)
	}
	if !strings.Contains(out, redacted) {
		t.Fatal("no redaction marker: nothing was printed?")
	}
	if sess.Token.Reveal() != testToken {
		t.Fatal("Reveal lost the value")
	}
}
