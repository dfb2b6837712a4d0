package tempcreds_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
)

const role = "arn:aws:iam::000000000000:role/RedshiftDataAPIClientRole"

func newSealer(t *testing.T) *tempcreds.Sealer {
	t.Helper()
	s, err := tempcreds.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func enhanced(now time.Time, ttl time.Duration) tempcreds.Session {
	return tempcreds.Session{RoleARN: role, SessionName: "ming", IssuedAt: now.Unix(), Expiry: now.Add(ttl).Unix(),
		Identity: &tempcreds.Identity{User: "AWSIDC:ming@example.com", Email: "ming@example.com", Namespace: "AWSIDC",
			Groups: []string{"apac"}, Issuer: "https://idp.example.com", Subject: "sub-ming"},
		Application: "arn:aws:sso::000000000000:application/ssoins-1/apl-1"}
}

func TestRoundTrip(t *testing.T) {
	s := newSealer(t)
	now := time.Now()
	creds, _, err := s.Issue(enhanced(now, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !tempcreds.IsTemporaryKeyID(creds.AccessKeyID) || len(creds.SecretAccessKey) != 40 {
		t.Fatalf("not AWS-shaped: akid %q, secret of %d characters", creds.AccessKeyID, len(creds.SecretAccessKey))
	}
	if strings.Contains(creds.String(), creds.SecretAccessKey) || strings.Contains(creds.String(), creds.SessionToken) {
		t.Fatal("String reveals a secret")
	}
	store := &tempcreds.Store{Sealer: s}
	c, err := store.Lookup(context.Background(), creds.AccessKeyID, creds.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Principal
	if c.SecretAccessKey != creds.SecretAccessKey || p.User != "AWSIDC:ming@example.com" || p.Email != "ming@example.com" ||
		len(p.Groups) != 1 || p.Groups[0] != "apac" || p.Issuer != "https://idp.example.com" ||
		p.SessionID != "arn:aws:sts::000000000000:assumed-role/RedshiftDataAPIClientRole/ming" || !p.Expiry.Equal(creds.Expiration) {
		t.Fatalf("principal %+v", p)
	}
	// A role session without identity acts as the role.
	plain := enhanced(now, time.Hour)
	plain.Identity = nil
	creds2, _, err := s.Issue(plain)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := store.Lookup(context.Background(), creds2.AccessKeyID, creds2.SessionToken)
	if err != nil || c2.Principal.User != "IAMR:RedshiftDataAPIClientRole" || len(c2.Principal.Groups) != 0 {
		t.Fatalf("role session principal %+v %v", c2.Principal, err)
	}
}

func TestRefusals(t *testing.T) {
	s := newSealer(t)
	now := time.Now()
	creds, _, err := s.Issue(enhanced(now, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := s.Issue(enhanced(now, time.Hour))
	raw, _ := base64.StdEncoding.DecodeString(creds.SessionToken)
	// Every byte flipped is refused.
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		if _, err := s.Open(creds.AccessKeyID, base64.StdEncoding.EncodeToString(b), now); !errors.Is(err, tempcreds.ErrInvalid) {
			t.Fatalf("byte %d flipped: %v", i, err)
		}
	}
	// Truncated, extended, non-canonical base64.
	for name, tok := range map[string]string{
		"truncated": creds.SessionToken[:len(creds.SessionToken)-4], "extended": creds.SessionToken + "AAAA",
		"empty": "", "not base64": "!!!!", "huge": strings.Repeat("A", tempcreds.MaxSealedLen+4),
	} {
		if _, err := s.Open(creds.AccessKeyID, tok, now); !errors.Is(err, tempcreds.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Wrong akid: another valid key id, and one that is not ASIA-shaped.
	for _, akid := range []string{other.AccessKeyID, "AKIDTIPGATEMING00001", ""} {
		if _, err := s.Open(akid, creds.SessionToken, now); !errors.Is(err, tempcreds.ErrInvalid) {
			t.Errorf("akid %q: %v", akid, err)
		}
	}
	// Expiry, exactly at and after.
	for _, at := range []time.Time{creds.Expiration, creds.Expiration.Add(time.Second)} {
		if _, err := s.Open(creds.AccessKeyID, creds.SessionToken, at); !errors.Is(err, tempcreds.ErrExpired) {
			t.Errorf("at %s: %v", at, err)
		}
	}
	store := &tempcreds.Store{Sealer: s, Now: func() time.Time { return now.Add(2 * time.Hour) }}
	if _, err := store.Lookup(context.Background(), creds.AccessKeyID, creds.SessionToken); !errors.Is(err, awsapi.ErrExpiredToken) {
		t.Errorf("store past expiry: %v", err)
	}
	// Another server's key.
	if _, err := newSealer(t).Open(creds.AccessKeyID, creds.SessionToken, now); !errors.Is(err, tempcreds.ErrInvalid) {
		t.Errorf("other server: %v", err)
	}
	if _, err := (&tempcreds.Store{Sealer: newSealer(t)}).Lookup(context.Background(), creds.AccessKeyID, creds.SessionToken); !errors.Is(err, awsapi.ErrUnknownKey) {
		t.Errorf("other server's store: %v", err)
	}
}

func TestPurposesAreSeparate(t *testing.T) {
	s := newSealer(t)
	now := time.Now()
	g := tempcreds.Grant{Identity: tempcreds.Identity{User: "AWSIDC:ming@example.com", Namespace: "AWSIDC", Issuer: "https://idp"},
		Application: "arn:aws:sso::000000000000:application/ssoins-1/apl-1", IssuedAt: now.Unix(), Expiry: now.Add(time.Hour).Unix()}
	ctxA, err := s.SealContext(g)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := s.SealAccessToken(g)
	ref, _ := s.SealRefreshToken(g)
	if got, err := s.OpenContext(ctxA, now); err != nil || got.Identity.User != g.Identity.User || got.Application != g.Application {
		t.Fatalf("context round trip: %+v %v", got, err)
	}
	if _, err := s.OpenContext(ctxA, g.ExpiresAt()); !errors.Is(err, tempcreds.ErrExpired) {
		t.Errorf("expired context: %v", err)
	}
	for name, f := range map[string]func() error{
		"access as context":  func() error { _, err := s.OpenContext(acc, now); return err },
		"refresh as context": func() error { _, err := s.OpenContext(ref, now); return err },
		"context as refresh": func() error { _, err := s.OpenRefreshToken(ctxA, now); return err },
		"context as access":  func() error { _, err := s.OpenAccessToken(ctxA, now); return err },
		"context as session": func() error { _, err := s.Open("ASIAAAAAAAAAAAAAAAAA", ctxA, now); return err },
	} {
		if err := f(); !errors.Is(err, tempcreds.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Too many groups to fit AWS's 2048-character limit.
	big := g
	for i := range 200 {
		big.Identity.Groups = append(big.Identity.Groups, strings.Repeat("g", 10)+string(rune('a'+i%26)))
	}
	if _, err := s.SealContext(big); err == nil {
		t.Error("an oversized context assertion was sealed")
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, tempcreds.KeyFile)
	var wg sync.WaitGroup
	keys := make([][]byte, 8)
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := tempcreds.LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if string(k) != string(keys[0]) {
			t.Fatal("racing processes created different keys")
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := tempcreds.LoadOrCreateKey(path); err == nil {
		t.Error("a world-readable key was accepted")
	}
	// A replica with the same key verifies the first one's credentials.
	os.Chmod(path, 0o600)
	a, _ := tempcreds.OpenDir(dir)
	b, _ := tempcreds.OpenDir(dir)
	creds, _, _ := a.Issue(enhanced(time.Now(), time.Hour))
	if _, err := b.Open(creds.AccessKeyID, creds.SessionToken, time.Now()); err != nil {
		t.Errorf("replica: %v", err)
	}
}

func TestChain(t *testing.T) {
	s := newSealer(t)
	creds, _, _ := s.Issue(enhanced(time.Now(), time.Hour))
	chain := awsapi.ChainCredentials{awsapi.StaticCredentials{"AKIDTIPGATESTATIC001": {SecretAccessKey: "x"}}, &tempcreds.Store{Sealer: s}}
	ctx := context.Background()
	if c, err := chain.Lookup(ctx, "AKIDTIPGATESTATIC001", ""); err != nil || c.SecretAccessKey != "x" {
		t.Errorf("static: %v", err)
	}
	if c, err := chain.Lookup(ctx, creds.AccessKeyID, creds.SessionToken); err != nil || c.Principal.User != "AWSIDC:ming@example.com" {
		t.Errorf("temporary: %v", err)
	}
	if _, err := chain.Lookup(ctx, "ASIAAAAAAAAAAAAAAAAA", "nope"); !errors.Is(err, awsapi.ErrUnknownKey) {
		t.Errorf("unknown: %v", err)
	}
}
