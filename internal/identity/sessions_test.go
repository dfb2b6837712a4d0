package identity

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
)

func testSessionConfig() config.Sessions {
	c := config.DefaultSessions()
	c.Issuer = "https://tipgate.test"
	return c
}

func newTestSessions(t testing.TB, dir string, clock *fakeClock, mod func(*SessionOptions)) *Sessions {
	t.Helper()
	opts := SessionOptions{DataDir: dir, Config: testSessionConfig(), Now: clock.Now}
	if mod != nil {
		mod(&opts)
	}
	s, err := NewSessions(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func federated(clock *fakeClock, exp time.Duration) Principal {
	return Principal{
		User: "AWSIDC:alice@example.com", Email: "alice@example.com", Namespace: "AWSIDC",
		Groups: []string{"eng", "sales"}, Issuer: "https://idp.test", SessionID: "idp-sid",
		Expiry: clock.Now().Add(exp), AuthTime: clock.Now().Add(-time.Minute),
		AutoCreateRoles: []string{"AWSIDC:sales"},
	}
}

func TestSessionIssueVerify(t *testing.T) {
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			clock := newFakeClock()
			dir := t.TempDir()
			s := newTestSessions(t, dir, clock, func(o *SessionOptions) { o.Algorithm = alg })
			ctx := context.Background()
			sess, err := s.Issue(ctx, federated(clock, 8*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !sess.Expiry.Equal(clock.Now().Add(time.Hour)) {
				t.Errorf("expiry %v, want lifetime 1h", sess.Expiry)
			}
			p, err := s.Verify(ctx, sess.Token)
			if err != nil {
				t.Fatal(err)
			}
			if p.User != "AWSIDC:alice@example.com" || p.Email != "alice@example.com" || p.Namespace != "AWSIDC" ||
				!slices.Equal(p.Groups, []string{"eng", "sales"}) || p.Issuer != "https://idp.test" ||
				p.SessionID != sess.ID || p.Superuser || !slices.Equal(p.AutoCreateRoles, []string{"AWSIDC:sales"}) ||
				!p.AuthTime.Equal(clock.Now().Add(-time.Minute)) {
				t.Errorf("principal %+v", p)
			}
			if strings.Contains(fmt.Sprint(sess), sess.Token) || strings.Contains(fmt.Sprintf("%+v", sess), sess.Token) {
				t.Error("Session formats its token")
			}
			// Key files are owner-only.
			fi, err := os.Stat(filepath.Join(dir, "keys"))
			if err != nil || fi.Mode().Perm() != 0o700 {
				t.Errorf("key dir mode %v %v", fi.Mode().Perm(), err)
			}
			files, _ := filepath.Glob(filepath.Join(dir, "keys", "session-*.pem"))
			if len(files) != 1 {
				t.Fatalf("key files %v", files)
			}
			if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
				t.Errorf("key file mode %v", fi.Mode().Perm())
			}
			// Expiry is exact.
			clock.Advance(time.Hour)
			if _, err := s.Verify(ctx, sess.Token); CodeOf(err) != CodeTokenExpired {
				t.Errorf("after expiry: %v", err)
			}
		})
	}
}

func TestSessionLifetimeCapping(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	s := newTestSessions(t, t.TempDir(), clock, nil)
	sess, err := s.Issue(ctx, federated(clock, 10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !sess.Expiry.Equal(clock.Now().Add(10 * time.Minute)) {
		t.Errorf("capped expiry %v", sess.Expiry)
	}
	if _, err := s.Issue(ctx, federated(clock, -time.Second)); CodeOf(err) != CodeTokenExpired {
		t.Errorf("expired external token: %v", err)
	}
	longer := newTestSessions(t, t.TempDir(), clock, func(o *SessionOptions) { o.Config.AllowLongerThanExternal = true })
	sess, err = longer.Issue(ctx, federated(clock, 10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !sess.Expiry.Equal(clock.Now().Add(time.Hour)) {
		t.Errorf("uncapped expiry %v", sess.Expiry)
	}
	if _, err := s.Issue(ctx, LocalSuperuser()); err == nil {
		t.Error("issued a session for the local superuser")
	}
}

func TestSessionKeyRotationOverlap(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	s := newTestSessions(t, t.TempDir(), clock, func(o *SessionOptions) {
		o.Config.KeyRotation = 2 * time.Hour
		o.Config.KeyOverlap = time.Hour
	})
	// Issue at the very end of a rotation period.
	clock.Advance(s.period(clock.Now()).Add(2*time.Hour - time.Minute).Sub(clock.Now()))
	old, err := s.Issue(ctx, federated(clock, 8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Minute) // next period: a new key signs
	fresh, err := s.Issue(ctx, federated(clock, 8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, old.Token) == kidOf(t, fresh.Token) {
		t.Fatal("key did not rotate")
	}
	if n := len(s.JWKS().Keys); n != 2 {
		t.Errorf("JWKS has %d keys during overlap, want 2", n)
	}
	if _, err := s.Verify(ctx, old.Token); err != nil {
		t.Fatalf("old-key token during overlap: %v", err)
	}
	// Past the overlap the old key is retired and leaves the JWKS; its
	// tokens have expired by then anyway.
	clock.Advance(time.Hour)
	if n := len(s.JWKS().Keys); n != 1 {
		t.Errorf("JWKS has %d keys after overlap, want 1", n)
	}
	if _, err := s.Verify(ctx, fresh.Token); CodeOf(err) != CodeTokenExpired {
		t.Errorf("fresh token after its lifetime: %v", err)
	}
}

func kidOf(t *testing.T, tok string) string {
	pt, err := parseToken(tok, []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return pt.kid
}

func TestSessionRejects(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	dir := t.TempDir()
	s := newTestSessions(t, dir, clock, nil)
	otherDir := newTestSessions(t, t.TempDir(), clock, nil)
	otherIssuer := newTestSessions(t, t.TempDir(), clock, func(o *SessionOptions) { o.Config.Issuer = "https://evil.test" })
	otherAud := newTestSessions(t, dir, clock, func(o *SessionOptions) { o.Config.Audience = "other" })
	issue := func(s *Sessions) string {
		sess, err := s.Issue(ctx, federated(clock, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return sess.Token
	}
	good := issue(s)
	k := s.ring.Load().keys[0]
	cases := []struct {
		name string
		tok  string
		code Code
	}{
		{"signed by another data directory", issue(otherDir), CodeUnknownKey},
		{"other tipgate issuer", issue(otherIssuer), CodeWrongIssuer},
		{"other audience", issue(otherAud), CodeWrongAudience},
		{"alg none", mintRaw(t, `{"alg":"none","kid":"`+k.kid+`"}`, `{"iss":"https://tipgate.test"}`, "none", nil), CodeAlgNotAllowed},
		{"RS256 not accepted for sessions", mintRaw(t, `{"alg":"RS256","kid":"`+k.kid+`"}`, `{}`, jose.RS256, rsaA0(t)), CodeAlgNotAllowed},
		{"duplicate sub", mintRaw(t, `{"alg":"ES256","kid":"`+k.kid+`"}`,
			`{"iss":"https://tipgate.test","sub":"a","sub":"b"}`, jose.ES256, k.priv), CodeDuplicateClaim},
		{"missing sid", mintRaw(t, `{"alg":"ES256","kid":"`+k.kid+`"}`, mustJSON(map[string]any{
			"iss": "https://tipgate.test", "aud": "tipgate-data-api", "sub": "AWSIDC:x", "namespace": "AWSIDC",
			"idp_iss": "https://idp.test", "iat": clock.Now().Unix(), "exp": clock.Now().Add(time.Minute).Unix(),
		}), jose.ES256, k.priv), CodeMissingClaim},
		{"tampered payload", tamper(good), CodeBadSignature},
		{"issued in the future", mintRaw(t, `{"alg":"ES256","kid":"`+k.kid+`"}`, mustJSON(map[string]any{
			"iss": "https://tipgate.test", "aud": "tipgate-data-api", "sub": "AWSIDC:x", "namespace": "AWSIDC", "sid": "AAAAAAAAAAAAAAAAAAAAAA",
			"idp_iss": "https://idp.test", "iat": clock.Now().Add(time.Minute).Unix(), "exp": clock.Now().Add(time.Hour).Unix(),
		}), jose.ES256, k.priv), CodeTokenNotYetValid},
		// Control: the hand-built payload above is otherwise accepted.
		{"hand-built with the real key", mintRaw(t, `{"alg":"ES256","kid":"`+k.kid+`"}`, mustJSON(map[string]any{
			"iss": "https://tipgate.test", "aud": "tipgate-data-api", "sub": "AWSIDC:x", "namespace": "AWSIDC", "sid": "AAAAAAAAAAAAAAAAAAAAAA",
			"idp_iss": "https://idp.test", "iat": clock.Now().Unix(), "exp": clock.Now().Add(time.Hour).Unix(),
		}), jose.ES256, k.priv), ""},
		{"no kid", mintRaw(t, `{"alg":"ES256"}`, `{"iss":"https://tipgate.test"}`, jose.ES256, k.priv), CodeUnknownKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Verify(ctx, c.tok)
			if CodeOf(err) != c.code || (c.code == "") != (err == nil) {
				t.Fatalf("code %q (%v), want %q", CodeOf(err), err, c.code)
			}
			if err != nil {
				assertNoSecret(t, err.Error(), c.tok)
			}
		})
	}
}

func rsaA0(t testing.TB) any { a, _ := rsaKeys(t); return a }

func TestSessionRevocationAcrossInstances(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	dir := t.TempDir()
	a := newTestSessions(t, dir, clock, nil)
	b := newTestSessions(t, dir, clock, nil)
	sess, err := a.Issue(ctx, federated(clock, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.Issue(ctx, federated(clock, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(ctx, sess.Token); err != nil {
		t.Fatalf("second instance: %v", err)
	}
	if err := b.Revoke(ctx, sess.ID, sess.Expiry); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*Sessions{"revoking": b, "other": a} {
		if _, err := s.Verify(ctx, sess.Token); CodeOf(err) != CodeSessionRevoked {
			t.Errorf("%s instance: %v", name, err)
		}
	}
	if _, err := a.Verify(ctx, other.Token); err != nil {
		t.Errorf("unrelated session: %v", err)
	}
	if err := a.Revoke(ctx, "../../etc/passwd", sess.Expiry); err == nil {
		t.Error("path-like session id accepted")
	}
}

// TestSessionChildProcess runs a second process on the same data
// directory: it verifies a token this process issued (shared keys) and
// revokes it; this process must then refuse it.
func TestSessionChildProcess(t *testing.T) {
	if os.Getenv("TIPGATE_SESSION_CHILD") != "" {
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	s := newTestSessions(t, dir, &fakeClock{t: time.Now()}, func(o *SessionOptions) { o.Now = time.Now })
	sess, err := s.Issue(ctx, Principal{User: "AWSIDC:bob@example.com", Namespace: "AWSIDC", Issuer: "https://idp.test",
		Expiry: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	tokFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokFile, []byte(sess.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSessionChildHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TIPGATE_SESSION_CHILD="+dir, "TIPGATE_SESSION_TOKEN_FILE="+tokFile)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "child: verified and revoked") {
		t.Fatalf("child output:\n%s", out)
	}
	// This process last stat-ed the revocation before the child started,
	// so it refuses the session within RevocationRecheck of now at most.
	deadline := time.Now().Add(RevocationRecheck + 50*time.Millisecond)
	for {
		_, err := s.Verify(ctx, sess.Token)
		if CodeOf(err) == CodeSessionRevoked {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still accepted %s after the child revoked it: %v", RevocationRecheck, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSessionChildHelper(t *testing.T) {
	dir := os.Getenv("TIPGATE_SESSION_CHILD")
	if dir == "" {
		t.Skip("helper for TestSessionChildProcess")
	}
	tok, err := os.ReadFile(os.Getenv("TIPGATE_SESSION_TOKEN_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSessions(SessionOptions{DataDir: dir, Config: testSessionConfig()})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Verify(context.Background(), string(tok))
	if err != nil {
		t.Fatalf("child verify: %v", err)
	}
	if err := s.Revoke(context.Background(), p.SessionID, p.Expiry); err != nil {
		t.Fatal(err)
	}
	fmt.Println("child: verified and revoked")
}

func TestSessionKeyDirPermissions(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSessions(SessionOptions{DataDir: dir, Config: testSessionConfig()}); err == nil {
		t.Fatal("accepted a world-readable key directory")
	}
}

// tamper swaps the payload of tok for one granting more groups.
func tamper(tok string) string {
	p := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(p[1])
	payload = []byte(strings.Replace(string(payload), `"groups":[`, `"groups":["admin",`, 1))
	return p[0] + "." + b64(payload) + "." + p[2]
}

// TestVerifiedSessionCache: a token verified once is not trusted beyond
// what can change: revocation and expiry apply on the cached path, and a
// caller changing the principal it got does not change the next caller's.
func TestVerifiedSessionCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := NewSessions(SessionOptions{DataDir: t.TempDir(), Config: testSessionConfig(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sess, err := s.Issue(ctx, Principal{User: "AWSIDC:ann@example.com", Email: "ann@example.com", Namespace: "AWSIDC", Groups: []string{"a", "b"}, Issuer: "https://idp.test"})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := s.Verify(ctx, sess.Token)
	if err != nil {
		t.Fatal(err)
	}
	p1.Groups[0] = "admin"
	p2, err := s.Verify(ctx, sess.Token)
	if err != nil || p2.Groups[0] != "a" {
		t.Fatalf("second use: %v %v", p2.Groups, err)
	}
	if err := s.Revoke(ctx, sess.ID, sess.Expiry); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, sess.Token); CodeOf(err) != CodeSessionRevoked {
		t.Fatalf("revoked session: %v", err)
	}
	sess2, err := s.Issue(ctx, Principal{User: "AWSIDC:bo@example.com", Namespace: "AWSIDC", Issuer: "https://idp.test"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, sess2.Token); err != nil {
		t.Fatal(err)
	}
	now = sess2.Expiry.Add(time.Second)
	if _, err := s.Verify(ctx, sess2.Token); CodeOf(err) != CodeTokenExpired {
		t.Fatalf("expired session: %v", err)
	}
}
