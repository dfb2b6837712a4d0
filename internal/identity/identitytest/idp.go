// Package identitytest is a minimal OpenID Provider for tests of packages
// that consume identity: discovery and a JWKS on an httptest server, and
// ID tokens minted with go-jose. It is for tests only and must not be
// imported by production code.
package identitytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
)

// IdP is a test OpenID Provider with one ES256 key.
type IdP struct {
	srv *httptest.Server
	key *ecdsa.PrivateKey
	kid string
}

// NewIdP starts an IdP on loopback, stopped when the test ends.
func NewIdP(t testing.TB) *IdP {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	idp := &IdP{key: k, kid: "test-key-1"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": idp.Issuer(), "jwks_uri": idp.Issuer() + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &k.PublicKey, KeyID: idp.kid, Algorithm: string(jose.ES256), Use: "sig"},
		}})
	})
	idp.srv = httptest.NewServer(mux)
	t.Cleanup(idp.srv.Close)
	return idp
}

// Issuer is the IdP's issuer URL.
func (idp *IdP) Issuer() string { return idp.srv.URL }

// Close stops the IdP early, to test an unreachable issuer.
func (idp *IdP) Close() { idp.srv.Close() }

// Config is a trusted-issuer entry for this IdP with audience "tipgate".
func (idp *IdP) Config() config.Issuer {
	return config.Issuer{
		Issuer: idp.Issuer(), Audiences: []string{"tipgate"}, UserClaim: config.DefaultUserClaim,
		GroupsClaim: config.DefaultGroupsClaim, Namespace: config.DefaultNamespace,
	}
}

// Claims are valid ID token claims for email at now, valid for ttl.
func (idp *IdP) Claims(email string, groups []string, now time.Time, ttl time.Duration) map[string]any {
	return map[string]any{
		"iss": idp.Issuer(), "aud": "tipgate", "sub": "sub-" + email, "email": email,
		"groups": groups, "iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	}
}

// Mint signs claims as an ID token.
func (idp *IdP) Mint(t testing.TB, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: idp.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", idp.kid))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
