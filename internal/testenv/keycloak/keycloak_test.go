package keycloak_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/tipgate/tipgate/internal/testenv/keycloak"
)

func TestMain(m *testing.M) { os.Exit(keycloak.Main(m)) }

type claims struct {
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	GivenName     string   `json:"given_name"`
	FamilyName    string   `json:"family_name"`
	Groups        []string `json:"groups"`
	Username      string   `json:"preferred_username"`
}

// kid returns the key id in a JWT's header.
func kid(t *testing.T, jwt string) string {
	t.Helper()
	h, _, ok := strings.Cut(jwt, ".")
	if !ok {
		t.Fatalf("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	var hdr struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	if hdr.Alg != "RS256" || hdr.Kid == "" {
		t.Fatalf("JWT header alg=%q kid=%q, want RS256 with a kid", hdr.Alg, hdr.Kid)
	}
	return hdr.Kid
}

func verifier(t *testing.T, ctx context.Context, kc *keycloak.Keycloak) *oidc.IDTokenVerifier {
	t.Helper()
	p, err := oidc.NewProvider(ctx, kc.Issuer)
	if err != nil {
		t.Fatalf("discovery of %s: %v", kc.Issuer, err)
	}
	return p.Verifier(&oidc.Config{ClientID: kc.ClientID})
}

func verify(t *testing.T, ctx context.Context, v *oidc.IDTokenVerifier, raw string) claims {
	t.Helper()
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var c claims
	if err := tok.Claims(&c); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return c
}

// TestKeycloak runs in order: tokens for every demo user, key rotation, stop.
func TestKeycloak(t *testing.T) {
	ctx := context.Background()
	kc := keycloak.Start(t)
	if again := keycloak.Start(t); again != kc {
		t.Fatalf("second Start returned a different instance")
	}
	t.Logf("Keycloak %s: fetch %s, first start %s", kc.Version,
		kc.FetchDuration.Round(10*time.Millisecond), kc.StartDuration.Round(100*time.Millisecond))

	v := verifier(t, ctx, kc)
	tokens := map[string]string{} // email -> ID token issued before rotation

	t.Run("users", func(t *testing.T) {
		for _, u := range keycloak.Users() {
			t0 := time.Now()
			raw := kc.IDToken(t, u.Email)
			t.Logf("%s: ID token in %s", u.Email, time.Since(t0).Round(time.Millisecond))
			c := verify(t, ctx, v, raw)
			if c.Email != u.Email || !c.EmailVerified || c.Username != u.Email {
				t.Errorf("%s: email=%q verified=%v preferred_username=%q", u.Email, c.Email, c.EmailVerified, c.Username)
			}
			if !slices.Equal(c.Groups, []string{u.Group}) {
				t.Errorf("%s: groups=%q, want [%q]", u.Email, c.Groups, u.Group)
			}
			if c.GivenName != u.GivenName || c.FamilyName != u.FamilyName {
				t.Errorf("%s: given_name=%q family_name=%q, want %q %q", u.Email, c.GivenName, c.FamilyName, u.GivenName, u.FamilyName)
			}
			tokens[u.Email] = raw
		}
	})

	t.Run("latency", func(t *testing.T) {
		const n = 20
		t0 := time.Now()
		for range n {
			kc.IDToken(t, "ming@example.com")
		}
		t.Logf("password grant (warm): %s per ID token over %d", (time.Since(t0) / n).Round(time.Millisecond), n)
	})

	t.Run("public-client", func(t *testing.T) {
		ts := kc.Tokens(t, kc.PublicClientID, "alex@example.com")
		pv := oidc.NewVerifier(kc.Issuer, oidc.NewRemoteKeySet(ctx, kc.Issuer+"/protocol/openid-connect/certs"),
			&oidc.Config{ClientID: kc.PublicClientID})
		c := verify(t, ctx, pv, ts.IDToken)
		if !slices.Equal(c.Groups, []string{"emea-sales"}) {
			t.Errorf("groups=%q", c.Groups)
		}
	})

	t.Run("issuer-fixed", func(t *testing.T) {
		// Discovery through "localhost" still names the 127.0.0.1 issuer.
		resp, err := http.Get(strings.Replace(kc.Issuer, "127.0.0.1", "localhost", 1) + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc struct {
			Issuer string `json:"issuer"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Issuer != kc.Issuer {
			t.Fatalf("issuer via localhost = %q (%v), want %q", doc.Issuer, err, kc.Issuer)
		}
	})

	t.Run("redirect-uris", func(t *testing.T) {
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		auth := kc.Issuer + "/protocol/openid-connect/auth?response_type=code&scope=openid"
		pkce := "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
		for _, tc := range []struct {
			query string
			want  int
		}{
			{"&client_id=tipgate&redirect_uri=http://127.0.0.1:43123/callback", http.StatusOK},
			{"&client_id=tipgate&redirect_uri=http://localhost:8765/cb", http.StatusOK},
			{"&client_id=tipgate-cli&redirect_uri=http://127.0.0.1:5000/cb" + pkce, http.StatusOK},
			{"&client_id=tipgate&redirect_uri=http://evil.example/cb", http.StatusBadRequest},
		} {
			resp, err := noRedirect.Get(auth + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("auth%s: status %d, want %d", tc.query, resp.StatusCode, tc.want)
			}
		}
	})

	oldRaw := tokens["frank@example.com"]
	if oldRaw == "" {
		t.Fatal("no token from the users step")
	}
	oldKid := kid(t, oldRaw)
	var newRaw string

	t.Run("rotate", func(t *testing.T) {
		if got := kc.SigningKeyID(t); got != oldKid {
			t.Fatalf("active RS256 kid %q, but tokens were signed with %q", got, oldKid)
		}
		t0 := time.Now()
		kc.RotateKeys(t)
		t.Logf("rotation via admin REST API: %s", time.Since(t0).Round(time.Millisecond))
		newKid := kc.SigningKeyID(t)
		if newKid == oldKid {
			t.Fatalf("kid unchanged after rotation: %s", newKid)
		}
		newRaw = kc.IDToken(t, "frank@example.com")
		if got := kid(t, newRaw); got != newKid {
			t.Fatalf("new token kid %q, want the new key %q", got, newKid)
		}
		// v cached the old JWKS: an unknown kid makes it refetch.
		if c := verify(t, ctx, v, newRaw); !slices.Equal(c.Groups, []string{"amer-sales"}) {
			t.Errorf("groups=%q", c.Groups)
		}
		// Old tokens (now a passive key) still verify, with the old verifier
		// and with a fresh one.
		verify(t, ctx, v, oldRaw)
		verify(t, ctx, verifier(t, ctx, kc), tokens["ethan@example.com"])
	})

	t.Run("stop-cached-keys", func(t *testing.T) {
		if newRaw == "" {
			t.Fatal("no token from the rotate step")
		}
		kc.Stop(t)
		if _, err := http.Get(kc.Issuer + "/.well-known/openid-configuration"); err == nil {
			t.Fatalf("Keycloak still answers after Stop")
		}
		// v holds both keys from before: it verifies offline.
		for _, raw := range []string{oldRaw, newRaw, tokens["ming@example.com"]} {
			verify(t, ctx, v, raw)
		}
	})
}
