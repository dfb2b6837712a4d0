package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
)

// testKey is a signing key an IdP in the tests publishes.
type testKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv crypto.Signer
}

func (k testKey) public() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// Test keys are generated once per test binary: RSA generation is slow
// and the keys carry no state.
var (
	keysOnce sync.Once
	rsaA     *rsa.PrivateKey
	rsaB     *rsa.PrivateKey
)

func rsaKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if rsaA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if rsaB, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaA, rsaB
}

func newKey(t testing.TB, kid string, alg jose.SignatureAlgorithm) testKey {
	t.Helper()
	switch alg {
	case jose.RS256, jose.PS256:
		a, _ := rsaKeys(t)
		return testKey{kid: kid, alg: alg, priv: a}
	case jose.ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return testKey{kid: kid, alg: alg, priv: k}
	case jose.EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return testKey{kid: kid, alg: alg, priv: k}
	}
	t.Fatalf("no key for %s", alg)
	return testKey{}
}

// testIdP serves OpenID discovery and a JWKS that tests can change.
type testIdP struct {
	srv      *httptest.Server
	issuer   string
	mu       sync.Mutex
	keys     []jose.JSONWebKey
	rawJWKS  []byte // when set, served instead of keys
	jwksHits atomic.Int64
}

func newTestIdP(t testing.TB, keys ...testKey) *testIdP {
	t.Helper()
	idp := &testIdP{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": idp.issuer, "jwks_uri": idp.issuer + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		idp.jwksHits.Add(1)
		idp.mu.Lock()
		defer idp.mu.Unlock()
		if idp.rawJWKS != nil {
			_, _ = w.Write(idp.rawJWKS)
			return
		}
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: idp.keys})
	})
	idp.srv = httptest.NewServer(mux)
	idp.issuer = idp.srv.URL
	t.Cleanup(idp.srv.Close)
	idp.setKeys(keys...)
	return idp
}

func (idp *testIdP) setKeys(keys ...testKey) {
	idp.mu.Lock()
	defer idp.mu.Unlock()
	idp.keys = nil
	for _, k := range keys {
		idp.keys = append(idp.keys, k.public())
	}
}

func (idp *testIdP) issuerConfig() config.Issuer {
	return config.Issuer{
		Issuer: idp.issuer, Audiences: []string{"tipgate", "tipgate-cli"},
		UserClaim: "email", GroupsClaim: "groups", Namespace: "AWSIDC",
	}
}

// fakeClock is a settable clock for the injectable Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestVerifier(t testing.TB, clock *fakeClock, opts VerifierOptions, issuers ...config.Issuer) *Verifier {
	t.Helper()
	opts.Now = clock.Now
	v, err := NewVerifier(context.Background(), issuers, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// claims builds a valid ID token payload for idp at the clock's time.
func goodClaims(idp *testIdP, now time.Time) map[string]any {
	return map[string]any{
		"iss":    idp.issuer,
		"aud":    "tipgate",
		"sub":    "user-123",
		"email":  "alice@example.com",
		"groups": []string{"/sales", "/eng", "/sales"},
		"iat":    now.Unix(),
		"exp":    now.Add(time.Hour).Unix(),
	}
}

// mintJose signs claims with go-jose, as a real IdP library would.
func mintJose(t testing.TB, k testKey, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
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

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// mintRaw signs arbitrary header and payload bytes with the algorithm
// named by sigAlg, so tests can build tokens no library would: duplicate
// members, forbidden headers, mismatched algorithms.
func mintRaw(t testing.TB, header, payload string, sigAlg jose.SignatureAlgorithm, key any) string {
	t.Helper()
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	h := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch sigAlg {
	case jose.RS256:
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, h[:])
	case jose.PS256:
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case jose.ES256:
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, key.(*ecdsa.PrivateKey), h[:])
		if err == nil {
			// Low s, as tipgate's session keys sign: the session tests'
			// hand-built tokens must not fail on their form half the time.
			if s.Cmp(p256HalfOrder) > 0 {
				s.Sub(elliptic.P256().Params().N, s)
			}
			sig = make([]byte, 64)
			r.FillBytes(sig[:32])
			s.FillBytes(sig[32:])
		}
	case jose.EdDSA:
		sig = ed25519.Sign(key.(ed25519.PrivateKey), []byte(input))
	case jose.HS256:
		m := hmac.New(sha256.New, key.([]byte))
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "none":
	default:
		t.Fatalf("mintRaw: %s", sigAlg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
