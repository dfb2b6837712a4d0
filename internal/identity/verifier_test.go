package identity

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
)

func TestVerifyGoodTokens(t *testing.T) {
	e := newCorpusEnv(t, VerifierOptions{})
	for _, k := range []testKey{e.rsa, e.ps, e.ec, e.ed} {
		t.Run(string(k.alg), func(t *testing.T) {
			p, err := e.v.Verify(context.Background(), mintJose(t, k, e.claims()))
			if err != nil {
				t.Fatal(err)
			}
			want := Principal{
				User: "AWSIDC:alice@example.com", Email: "alice@example.com", Namespace: "AWSIDC",
				Groups: []string{"/eng", "/sales"}, Issuer: e.idp.issuer,
			}
			if p.User != want.User || p.Email != want.Email || p.Namespace != want.Namespace ||
				!slices.Equal(p.Groups, want.Groups) || p.Issuer != want.Issuer || p.Superuser {
				t.Errorf("principal = %+v", p)
			}
			if !p.Expiry.Equal(e.clock.Now().Add(time.Hour)) || !p.AuthTime.Equal(e.clock.Now()) {
				t.Errorf("times: exp %v auth %v", p.Expiry, p.AuthTime)
			}
		})
	}
}

func TestVerifyAccommodations(t *testing.T) {
	e := newCorpusEnv(t, VerifierOptions{})
	now := e.clock.Now()
	cases := []struct {
		name   string
		claims map[string]any
		check  func(t *testing.T, p Principal)
	}{
		{"expired within clock skew", with(e.claims(), "exp", now.Add(-30*time.Second).Unix()), nil},
		{"float NumericDate", with(e.claims(), "exp", float64(now.Unix())+3600.5), nil},
		{"aud array containing us", with(e.claims(), "aud", []string{"other", "tipgate-cli"}, "azp", "tipgate-cli"), nil},
		{"single-string groups", with(e.claims(), "groups", "solo"), func(t *testing.T, p Principal) {
			if !slices.Equal(p.Groups, []string{"solo"}) {
				t.Errorf("groups %v", p.Groups)
			}
		}},
		{"no groups", with(e.claims(), "groups", nil), func(t *testing.T, p Principal) {
			if len(p.Groups) != 0 {
				t.Errorf("groups %v", p.Groups)
			}
		}},
		{"email_verified as string true", with(e.claims(), "email_verified", "true"), nil},
		{"exact-case claim wins over look-alike", with(e.claims(), "EMAIL", "mallory@example.com"), func(t *testing.T, p Principal) {
			if p.Email != "alice@example.com" {
				t.Errorf("email %q", p.Email)
			}
		}},
		{"auth_time and sid", with(e.claims(), "auth_time", now.Add(-time.Hour).Unix(), "sid", "idp-session"), func(t *testing.T, p Principal) {
			if !p.AuthTime.Equal(now.Add(-time.Hour)) || p.SessionID != "idp-session" {
				t.Errorf("%+v", p)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := e.v.Verify(context.Background(), mintJose(t, e.rsa, c.claims))
			if err != nil {
				t.Fatal(err)
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
	t.Run("Azure-style x5t header", func(t *testing.T) {
		tok := e.sign(with(e.header(jose.RS256, "rsa-1"), "x5t", "bm90LWEtdGh1bWJwcmludA"), e.claims(), e.rsa)
		if _, err := e.v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no kid, single fitting key", func(t *testing.T) {
		tok := e.sign(e.header(jose.EdDSA, ""), e.claims(), e.ed)
		if _, err := e.v.Verify(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	})
}

func TestIssuerMapping(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	idp := newTestIdP(t, k)
	cfg := idp.issuerConfig()
	cfg.UserClaim = "preferred_username"
	cfg.GroupsClaim = "realm_access.roles"
	cfg.GroupPrefix = "/"
	cfg.Namespace = "CORP"
	cfg.AutoCreateRoles = true
	cfg.IncludeGroupsLike = "sales%"
	cfg.ExcludeGroupsLike = "%\\_admin"
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, cfg)
	claims := goodClaims(idp, clock.Now())
	claims["preferred_username"] = "alice"
	claims["email_verified"] = false // irrelevant: the user claim is not email
	claims["realm_access"] = map[string]any{"roles": []string{"/sales_eu", "/sales_admin", "/eng", "/sales_eu", "/", "salesX"}}
	p, err := v.Verify(context.Background(), mintJose(t, k, claims))
	if err != nil {
		t.Fatal(err)
	}
	if p.User != "CORP:alice" || p.Email != "alice@example.com" || p.Namespace != "CORP" {
		t.Errorf("principal %+v", p)
	}
	if want := []string{"eng", "salesX", "sales_admin", "sales_eu"}; !slices.Equal(p.Groups, want) {
		t.Errorf("groups %v, want %v", p.Groups, want)
	}
	if want := []string{"CORP:salesX", "CORP:sales_eu"}; !slices.Equal(p.AutoCreateRoles, want) {
		t.Errorf("auto-create roles %v, want %v", p.AutoCreateRoles, want)
	}
	if !slices.Equal(p.SessionRoles(), []string{"CORP:eng", "CORP:salesX", "CORP:sales_admin", "CORP:sales_eu"}) {
		t.Errorf("session roles %v", p.SessionRoles())
	}
}

func TestMatchLike(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"sales%", "sales", true}, {"sales%", "salesforce", true}, {"sales%", "Sales", false},
		{"%admin", "db_admin", true}, {"a_c", "abc", true}, {"a_c", "ac", false},
		{"a\\_c", "a_c", true}, {"a\\_c", "abc", false}, {"%", "", true}, {"", "", true}, {"", "x", false},
		{"%a%b%", "xxaxxbxx", true}, {"%a%b%", "xxbxxaxx", false}, {"100\\%", "100%", true}, {"100\\%", "1000", false},
		{"é_", "éx", true}, {strings.Repeat("%a", 50), strings.Repeat("a", 49), false},
	}
	for _, c := range cases {
		if got := matchLike(c.pat, c.s); got != c.want {
			t.Errorf("matchLike(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

func TestIdPKeyRotation(t *testing.T) {
	old := newKey(t, "old", jose.ES256)
	idp := newTestIdP(t, old)
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
	ctx := context.Background()
	oldTok := mintJose(t, old, goodClaims(idp, clock.Now()))
	if _, err := v.Verify(ctx, oldTok); err != nil {
		t.Fatal(err)
	}
	// The IdP adds a key and starts signing with it: the unknown kid
	// triggers one refresh, after which both keys verify.
	newer := newKey(t, "new", jose.EdDSA)
	idp.setKeys(old, newer)
	hits := idp.jwksHits.Load()
	clock.Advance(31 * time.Second)
	if _, err := v.Verify(ctx, mintJose(t, newer, goodClaims(idp, clock.Now()))); err != nil {
		t.Fatalf("new key: %v", err)
	}
	if got := idp.jwksHits.Load() - hits; got != 1 {
		t.Errorf("%d key set fetches, want 1", got)
	}
	if _, err := v.Verify(ctx, oldTok); err != nil {
		t.Fatalf("old key still published: %v", err)
	}
	// A key the IdP withdraws stops verifying once the set is refreshed.
	idp.setKeys(newer)
	clock.Advance(2 * time.Hour)
	oldTok = mintJose(t, old, goodClaims(idp, clock.Now()))
	if _, err := v.Verify(ctx, oldTok); CodeOf(err) != CodeUnknownKey {
		t.Fatalf("withdrawn key: %v", err)
	}
}

func TestIdPDownKeepsCachedKeys(t *testing.T) {
	k := newKey(t, "k", jose.RS256)
	idp := newTestIdP(t, k)
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
	ctx := context.Background()
	if _, err := v.Verify(ctx, mintJose(t, k, goodClaims(idp, clock.Now()))); err != nil {
		t.Fatal(err)
	}
	idp.srv.Close()
	// Even after the key set is stale and an unknown kid forced a failed
	// refresh, the cached key keeps verifying.
	clock.Advance(2 * time.Hour)
	unknown := newKey(t, "other", jose.ES256)
	if _, err := v.Verify(ctx, mintJose(t, unknown, goodClaims(idp, clock.Now()))); CodeOf(err) != CodeUnknownKey {
		t.Fatalf("unknown kid with IdP down: %v", err)
	}
	for range 3 {
		if _, err := v.Verify(ctx, mintJose(t, k, goodClaims(idp, clock.Now()))); err != nil {
			t.Fatalf("cached key with IdP down: %v", err)
		}
		clock.Advance(time.Minute)
	}
}

func TestIssuerUnreachableAtStart(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	idp := newTestIdP(t, k)
	cfg := idp.issuerConfig()
	idp.srv.Close()
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, cfg)
	_, err := v.Verify(context.Background(), mintJose(t, k, goodClaims(idp, clock.Now())))
	if CodeOf(err) != CodeIssuerUnreachable {
		t.Fatalf("err = %v", err)
	}
}

func TestRefreshRateLimit(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	idp := newTestIdP(t, k)
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
	ctx := context.Background()
	start := idp.jwksHits.Load()
	for i := range 50 {
		bogus := newKey(t, "bogus-"+string(rune('a'+i%26)), jose.ES256)
		if _, err := v.Verify(ctx, mintJose(t, bogus, goodClaims(idp, clock.Now()))); CodeOf(err) != CodeUnknownKey {
			t.Fatalf("err = %v", err)
		}
		clock.Advance(100 * time.Millisecond)
	}
	// 5 s of made-up kids: at most one fetch inside the 30 s window, and
	// none at all since the start-up fetch was just made.
	if got := idp.jwksHits.Load() - start; got > 0 {
		t.Errorf("%d key set fetches within the rate limit window", got)
	}
	clock.Advance(30 * time.Second)
	bogus := newKey(t, "bogus", jose.ES256)
	_, _ = v.Verify(ctx, mintJose(t, bogus, goodClaims(idp, clock.Now())))
	if got := idp.jwksHits.Load() - start; got != 1 {
		t.Errorf("%d fetches after the window, want 1", got)
	}
}

func TestDiscoveryRejects(t *testing.T) {
	k := newKey(t, "k", jose.ES256)
	cases := []struct {
		name string
		jwks string
	}{
		{"weak RSA and enc keys only", `{"keys":[{"kty":"RSA","use":"enc","kid":"k","n":"AQAB","e":"AQAB"}]}`},
		{"not JSON", `<html>`},
		{"private key published", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			idp := newTestIdP(t)
			idp.rawJWKS = []byte(c.jwks)
			if c.jwks == "" {
				pk := k.public()
				pk.Key = k.priv
				idp.rawJWKS = []byte(mustJSON(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pk}}))
			}
			clock := newFakeClock()
			v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
			if _, err := v.Verify(context.Background(), mintJose(t, k, goodClaims(idp, clock.Now()))); CodeOf(err) == "" {
				t.Fatalf("accepted with key set %q", c.name)
			}
		})
	}
	t.Run("discovery names another issuer", func(t *testing.T) {
		idp := newTestIdP(t, k)
		cfg := idp.issuerConfig()
		cfg.Issuer = idp.issuer + "/realms/x"
		clock := newFakeClock()
		v := newTestVerifier(t, clock, VerifierOptions{HTTPClient: http.DefaultClient}, cfg)
		c := goodClaims(idp, clock.Now())
		c["iss"] = cfg.Issuer
		if _, err := v.Verify(context.Background(), mintJose(t, k, c)); CodeOf(err) != CodeIssuerUnreachable {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestMixedKeySet: IdPs publish encryption keys and key types tipgate
// does not use beside their signing keys; those are skipped, not fatal.
func TestMixedKeySet(t *testing.T) {
	k := newKey(t, "sig", jose.ES256)
	idp := newTestIdP(t)
	pub := mustJSON(k.public())
	idp.rawJWKS = []byte(`{"keys":[` +
		`{"kty":"RSA","use":"enc","kid":"enc","n":"AQAB","e":"AQAB"},` +
		`{"kty":"OKP","crv":"X25519","kid":"x","x":"` + b64(make([]byte, 32)) + `"},` +
		`{"kty":"oct","kid":"hmac","k":"c2VjcmV0"},` +
		`{"kty":"AKP","alg":"ML-DSA-44","kid":"pq","pub":"AAAA"},` +
		pub + `]}`)
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
	if _, err := v.Verify(context.Background(), mintJose(t, k, goodClaims(idp, clock.Now()))); err != nil {
		t.Fatal(err)
	}
	// The symmetric key in the set must never verify anything.
	tok := mintRaw(t, `{"alg":"HS256","kid":"hmac"}`, mustJSON(goodClaims(idp, clock.Now())), jose.HS256, []byte("secret"))
	if _, err := v.Verify(context.Background(), tok); CodeOf(err) != CodeAlgNotAllowed {
		t.Fatalf("HS256 with a published oct key: %v", err)
	}
}

func TestNewVerifierRejectsBadConfig(t *testing.T) {
	for _, is := range [][]config.Issuer{
		{{Issuer: "https://a"}},
		{{Issuer: "https://a", Audiences: []string{"x"}}, {Issuer: "https://a", Audiences: []string{"y"}}},
		{{Issuer: "https://a", Audiences: []string{"x"}, AutoCreateRoles: true, IncludeGroupsLike: "a\\"}},
	} {
		if _, err := NewVerifier(context.Background(), is, VerifierOptions{HTTPClient: &http.Client{Timeout: time.Millisecond}}); err == nil {
			t.Errorf("accepted %+v", is)
		}
	}
}

// TestConcurrentRefreshCoalesces: many requests with a new kid at once
// cause one key set fetch, and all of them verify.
func TestConcurrentRefreshCoalesces(t *testing.T) {
	old := newKey(t, "old", jose.ES256)
	idp := newTestIdP(t, old)
	clock := newFakeClock()
	v := newTestVerifier(t, clock, VerifierOptions{}, idp.issuerConfig())
	newer := newKey(t, "new", jose.ES256)
	idp.setKeys(old, newer)
	clock.Advance(time.Minute)
	tok := mintJose(t, newer, goodClaims(idp, clock.Now()))
	start := idp.jwksHits.Load()
	errs := make(chan error, 32)
	for range 32 {
		go func() {
			_, err := v.Verify(context.Background(), tok)
			errs <- err
		}()
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := idp.jwksHits.Load() - start; got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
}

// TestVerifySignIn: a sign-in's ID token must be addressed to the client
// that started it and carry its nonce, besides passing every usual check.
func TestVerifySignIn(t *testing.T) {
	e := newCorpusEnv(t, VerifierOptions{})
	for _, tc := range []struct {
		name          string
		edit          func(map[string]any)
		client, nonce string
		wantCode      Code
	}{
		{"good", func(c map[string]any) { c["nonce"] = "n-1" }, "tipgate", "n-1", ""},
		{"no nonce claim", func(map[string]any) {}, "tipgate", "n-1", CodeInvalidClaim},
		{"other sign-in's nonce", func(c map[string]any) { c["nonce"] = "n-2" }, "tipgate", "n-1", CodeInvalidClaim},
		{"sign-in without a nonce", func(c map[string]any) { c["nonce"] = "" }, "tipgate", "", CodeInvalidClaim},
		{"for another client of the issuer", func(c map[string]any) { c["nonce"] = "n-1" }, "tipgate-cli", "n-1", CodeWrongAudience},
		{"expired", func(c map[string]any) { c["nonce"] = "n-1"; c["exp"] = e.clock.Now().Add(-time.Hour).Unix() }, "tipgate", "n-1", CodeTokenExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			claims := e.claims()
			tc.edit(claims)
			p, err := e.v.VerifySignIn(context.Background(), mintJose(t, e.rsa, claims), tc.client, tc.nonce)
			if CodeOf(err) != tc.wantCode {
				t.Fatalf("err = %v, want code %q", err, tc.wantCode)
			}
			if tc.wantCode == "" && p.User != "AWSIDC:alice@example.com" {
				t.Errorf("principal = %+v", p)
			}
		})
	}
}
