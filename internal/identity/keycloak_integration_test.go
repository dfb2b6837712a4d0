package identity_test

// Integration test against a real Keycloak (internal/testenv/keycloak):
// real ID tokens → identity.Verifier → tokenapi token exchange → session
// tokens → the DuckDB warehouse with the reference scenario, then key
// rotation, refusals of real-but-wrong tokens, an IdP outage, and a check
// that no secret reached the logs. It never skips: if Keycloak cannot be
// fetched or started the test fails with the harness's message.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/tokenapi"
	"github.com/tipgate/tipgate/internal/sqlscan"
	"github.com/tipgate/tipgate/internal/testenv/keycloak"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

// kcUser is one demo user's state as the test goes along.
type kcUser struct {
	keycloak.User
	idToken   string             // from the confidential client, before any rotation
	kcExp     time.Time          // the ID token's exp
	principal identity.Principal // from Verifier.Verify(idToken)
	session   identity.Principal // from Sessions.Verify(token-exchange session token)
}

// TestKeycloakIntegration runs, in order and against one Keycloak: ID token
// verification, token exchange, the warehouse, refusals, key rotation, an
// IdP outage (Stop, always last to touch Keycloak) and the log check.
func TestKeycloakIntegration(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	kc := keycloak.Start(t)
	t.Logf("keycloak %s at %s: fetch %s, start %s (Start returned after %s)", kc.Version, kc.Issuer,
		kc.FetchDuration.Round(10*time.Millisecond), kc.StartDuration.Round(100*time.Millisecond),
		time.Since(t0).Round(100*time.Millisecond))

	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	secrets := &secretSet{}
	secrets.add("test password", keycloak.TestPassword)
	secrets.add("client secret", kc.ClientSecret)

	// The verifier runs on a clock the test can move forward, so key
	// refreshes (rate limited to one per 30 s per issuer by default) are
	// deterministic. Every option except Now and Logger is the default.
	clock := &testClock{}
	issuer := config.Issuer{Issuer: kc.Issuer, Audiences: []string{kc.ClientID}, GroupsClaim: keycloak.GroupsClaim}
	verifier, err := identity.NewVerifier(ctx, []config.Issuer{issuer}, identity.VerifierOptions{Logger: logger, Now: clock.Now})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}

	// tipgate's token endpoint over real sessions in a temporary data dir.
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	scfg := config.DefaultSessions()
	scfg.Issuer = srv.URL
	sessions, err := identity.NewSessions(identity.SessionOptions{DataDir: t.TempDir(), Config: scfg, Logger: logger})
	if err != nil {
		t.Fatalf("NewSessions: %v", err)
	}
	api, err := tokenapi.New(tokenapi.Options{Verifier: verifier, Sessions: sessions, Logger: logger})
	if err != nil {
		t.Fatalf("tokenapi.New: %v", err)
	}
	api.Register(mux)
	tokenURL := srv.URL + tokenapi.PathToken

	users := make([]*kcUser, 0, 4)
	for _, u := range keycloak.Users() {
		users = append(users, &kcUser{User: u})
	}

	ok := t.Run("verify-id-tokens", func(t *testing.T) {
		for _, u := range users {
			t1 := time.Now()
			ts := kc.Tokens(t, kc.ClientID, u.Email)
			secrets.addTokenSet(u.Email, ts)
			if ts.IDToken == "" {
				t.Fatalf("%s: no id_token", u.Email)
			}
			u.idToken = ts.IDToken
			claims := jwtPart(t, u.idToken, 1)
			u.kcExp = time.Unix(int64(claims["exp"].(float64)), 0)
			p, err := verifier.Verify(ctx, u.idToken)
			if err != nil {
				t.Fatalf("%s: Verify: %v", u.Email, err)
			}
			u.principal = p
			want := identity.Principal{
				User: "AWSIDC:" + u.Email, Email: u.Email, Namespace: identity.DefaultNamespace,
				Groups: []string{u.Group}, Issuer: kc.Issuer,
			}
			checkPrincipal(t, u.Email+": ID token", p, want)
			if !p.Expiry.Equal(u.kcExp) {
				t.Errorf("%s: Expiry %v, want the token's exp %v", u.Email, p.Expiry, u.kcExp)
			}
			if p.Superuser || p.AutoCreateRoles != nil {
				t.Errorf("%s: Superuser=%v AutoCreateRoles=%q, want false and none", u.Email, p.Superuser, p.AutoCreateRoles)
			}
			if p.AuthTime.IsZero() || p.AuthTime.After(time.Now().Add(time.Minute)) {
				t.Errorf("%s: AuthTime %v", u.Email, p.AuthTime)
			}
			t.Logf("%s: token (kid %s, exp in %s, sid set=%v) verified in %s",
				u.Email, jwtPart(t, u.idToken, 0)["kid"], time.Until(u.kcExp).Round(time.Second),
				p.SessionID != "", time.Since(t1).Round(time.Millisecond))
		}
	})
	ok = ok && t.Run("token-exchange", func(t *testing.T) {
		for _, u := range users {
			grants := []struct {
				name string
				form url.Values
			}{
				{"rfc8693", url.Values{
					"grant_type":         {tokenapi.GrantTokenExchange},
					"subject_token":      {u.idToken},
					"subject_token_type": {tokenapi.TokenTypeIDToken},
				}},
				{"rfc7523", url.Values{
					"grant_type": {tokenapi.GrantJWTBearer},
					"assertion":  {u.idToken},
				}},
			}
			for _, g := range grants {
				status, hdr, body := postForm(t, tokenURL, g.form)
				if status != http.StatusOK {
					t.Fatalf("%s %s: status %d, body %v", u.Email, g.name, status, body)
				}
				if cc := hdr.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("%s %s: Cache-Control %q, want no-store", u.Email, g.name, cc)
				}
				tok, _ := body["access_token"].(string)
				secrets.add(u.Email+" session "+g.name, tok)
				if body["token_type"] != "Bearer" {
					t.Errorf("%s %s: token_type %v", u.Email, g.name, body["token_type"])
				}
				wantType := any(nil)
				if g.name == "rfc8693" {
					wantType = tokenapi.TokenTypeJWT
				}
				if body["issued_token_type"] != wantType {
					t.Errorf("%s %s: issued_token_type %v, want %v", u.Email, g.name, body["issued_token_type"], wantType)
				}
				sp, err := sessions.Verify(ctx, tok)
				if err != nil {
					t.Fatalf("%s %s: Sessions.Verify: %v", u.Email, g.name, err)
				}
				checkPrincipal(t, u.Email+" "+g.name+" session", sp, u.principal)
				if !sp.AuthTime.Equal(u.principal.AuthTime) {
					t.Errorf("%s %s: session AuthTime %v, want %v", u.Email, g.name, sp.AuthTime, u.principal.AuthTime)
				}
				if sp.SessionID == "" || sp.SessionID == u.principal.SessionID {
					t.Errorf("%s %s: session id %q: want tipgate's own, not the IdP's", u.Email, g.name, sp.SessionID)
				}
				// Default config: a session never outlives the external token.
				sc := jwtPart(t, tok, 1)
				exp := time.Unix(int64(sc["exp"].(float64)), 0)
				if exp.After(u.kcExp) || sp.Expiry.After(u.kcExp) {
					t.Errorf("%s %s: session exp %v (principal %v) is after the Keycloak token's exp %v",
						u.Email, g.name, exp, sp.Expiry, u.kcExp)
				}
				if ein, _ := body["expires_in"].(float64); ein <= 0 || time.Now().Add(time.Duration(ein)*time.Second).After(u.kcExp.Add(5*time.Second)) {
					t.Errorf("%s %s: expires_in %v reaches past the Keycloak token's exp %v", u.Email, g.name, body["expires_in"], u.kcExp)
				}
				if sc["iss"] != srv.URL || sc["aud"] != sessions.Audience() || sc["idp_iss"] != kc.Issuer {
					t.Errorf("%s %s: session iss=%v aud=%v idp_iss=%v", u.Email, g.name, sc["iss"], sc["aud"], sc["idp_iss"])
				}
				if g.name == "rfc8693" {
					u.session = sp
				} else if u.Email == users[len(users)-1].Email {
					// RFC 7009 revocation of a real session, then refused.
					if st, _, b := postForm(t, srv.URL+tokenapi.PathRevoke, url.Values{"token": {tok}}); st != http.StatusOK {
						t.Fatalf("revoke: status %d %v", st, b)
					}
					if _, err := sessions.Verify(ctx, tok); identity.CodeOf(err) != identity.CodeSessionRevoked {
						t.Errorf("revoked session: Verify error %v, want %s", err, identity.CodeSessionRevoked)
					}
				}
			}
		}
	})
	if !ok {
		t.Errorf("skipping the warehouse, refusal and rotation steps: they need verified principals and sessions")
	} else {
		t.Run("warehouse", func(t *testing.T) { testWarehouse(t, ctx, users, logger) })
		t.Run("refusals", func(t *testing.T) {
			testRefusals(t, ctx, kc, verifier, tokenURL, users, secrets)
		})
	}
	var beforeStop []string // tokens issued before Stop, verified after it
	for _, u := range users {
		if u.idToken != "" {
			beforeStop = append(beforeStop, u.idToken)
		}
	}
	if ok {
		t.Run("key-rotation", func(t *testing.T) {
			beforeStop = append(beforeStop, testRotation(t, ctx, kc, verifier, clock, secrets)...)
		})
	}
	t.Run("keycloak-stopped", func(t *testing.T) {
		kc.Stop(t)
		for i, tok := range beforeStop {
			if _, err := verifier.Verify(ctx, tok); err != nil {
				t.Errorf("token %d (kid %v) issued before the stop: Verify with cached keys: %v", i, jwtPart(t, tok, 0)["kid"], err)
			}
		}
		if len(beforeStop) > 0 {
			// The token endpoint keeps working on cached keys.
			status, _, body := postForm(t, tokenURL, url.Values{"grant_type": {tokenapi.GrantJWTBearer}, "assertion": {beforeStop[0]}})
			if status != http.StatusOK {
				t.Errorf("exchange after the IdP stopped: status %d %v", status, body)
			} else {
				secrets.add("session after stop", body["access_token"].(string))
			}
		}
		fresh, err := identity.NewVerifier(ctx, []config.Issuer{issuer}, identity.VerifierOptions{Logger: logger})
		if err != nil {
			t.Fatalf("NewVerifier with the IdP down must not fail (keys are fetched again on use): %v", err)
		}
		for i, tok := range beforeStop {
			_, err := fresh.Verify(ctx, tok)
			if code := identity.CodeOf(err); code != identity.CodeIssuerUnreachable {
				t.Errorf("token %d: fresh verifier with the IdP down: %v (code %q), want %s", i, err, code, identity.CodeIssuerUnreachable)
			}
		}
		// Through the token endpoint that is 503 temporarily_unavailable.
		if len(beforeStop) > 0 {
			fapi, err := tokenapi.New(tokenapi.Options{Verifier: fresh, Sessions: sessions, Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, tokenapi.PathToken, strings.NewReader(url.Values{
				"grant_type": {tokenapi.GrantJWTBearer}, "assertion": {beforeStop[0]},
			}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			fapi.TokenHandler().ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"temporarily_unavailable"`) {
				t.Errorf("token endpoint with a fresh verifier and the IdP down: %d %s", rec.Code, rec.Body.String())
			}
		}
	})
	t.Run("no-secrets-in-logs", func(t *testing.T) {
		out := logs.String()
		if !strings.Contains(out, "tokenapi: request") || !strings.Contains(out, "identity: issuer keys refreshed") {
			t.Fatalf("log capture is not wired: no tokenapi request or key refresh line in %d bytes", len(out))
		}
		if n := secrets.leaks(t, "log", out); n == 0 {
			t.Logf("%d log bytes, %d lines; none holds any of %d secrets (tokens, token parts, password, client secret)",
				len(out), strings.Count(out, "\n"), len(secrets.values))
		}
	})
}

// testWarehouse loads the reference scenario and runs queries as the
// principals from the ID tokens and from the session tokens.
func testWarehouse(t *testing.T, ctx context.Context, users []*kcUser, logger *slog.Logger) {
	t0 := time.Now()
	dir := t.TempDir()
	s3 := filepath.Join(dir, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: 2000, Seed: 1}); err != nil {
		t.Fatalf("gendata: %v", err)
	}
	eng, err := engines.Open(ctx, engines.Config{DataDir: filepath.Join(dir, "warehouse"), S3Root: s3, Logger: logger, Threads: 1})
	if err != nil {
		t.Fatalf("engines.Open: %v", err)
	}
	defer eng.Close()
	stmts, err := sqlscan.Split(demo.PolicyScript)
	if err != nil {
		t.Fatalf("split the policy script: %v", err)
	}
	su := identity.LocalSuperuser()
	for _, st := range stmts {
		rows, err := eng.Query(ctx, su, st.Text)
		if err != nil {
			t.Fatalf("policy script line %d: %v", st.Line, err)
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			t.Fatalf("policy script line %d: %v", st.Line, err)
		}
	}
	t.Logf("reference scenario loaded (%d statements, 2000 rows) in %s", len(stmts), time.Since(t0).Round(time.Millisecond))

	want := map[string][]string{
		"frank@example.com": {"America"},
		"alex@example.com":  {"Europe"},
		"ming@example.com":  {"Asia"},
	}
	demoRoles := []string{"AWSIDC:exec-global", "AWSIDC:amer-sales", "AWSIDC:emea-sales", "AWSIDC:apac-sales"}
	for _, u := range users {
		for _, via := range []struct {
			name string
			p    identity.Principal
		}{{"id-token", u.principal}, {"session", u.session}} {
			label := u.Email + " (" + via.name + " principal)"
			prefixes := queryColumn(t, ctx, eng, via.p, "SELECT DISTINCT split_part(timezone, '/', 1) FROM sales_data")
			slices.Sort(prefixes)
			if w, ok := want[u.Email]; ok {
				if !slices.Equal(prefixes, w) {
					t.Errorf("%s: time zone prefixes %q, want %q", label, prefixes, w)
				}
			} else {
				// ethan (exec-global, IGNORE RLS) sees every region.
				for _, p := range []string{"America", "Europe", "Asia"} {
					if !slices.Contains(prefixes, p) {
						t.Errorf("%s: time zone prefixes %q lack %s", label, prefixes, p)
					}
				}
				if len(prefixes) < 4 {
					t.Errorf("%s: only %d time zone prefixes %q, want every region", label, len(prefixes), prefixes)
				}
			}
			if cu := queryColumn(t, ctx, eng, via.p, "SELECT current_user"); !slices.Equal(cu, []string{"AWSIDC:" + u.Email}) {
				t.Errorf("%s: current_user = %q, want AWSIDC:%s", label, cu, u.Email)
			}
			roles := eng.Catalog().Subject(via.p).Roles
			for _, r := range demoRoles {
				if has, own := slices.Contains(roles, r), r == "AWSIDC:"+u.Group; has != own {
					t.Errorf("%s: roles %q: holds %s = %v, want %v", label, roles, r, has, own)
				}
			}
			t.Logf("%s: prefixes %q, roles %q", label, prefixes, roles)
		}
	}
}

// testRefusals presents real Keycloak tokens that must not become a
// principal.
func testRefusals(t *testing.T, ctx context.Context, kc *keycloak.Keycloak, v *identity.Verifier, tokenURL string, users []*kcUser, secrets *secretSet) {
	refuse := func(t *testing.T, what, tok string, codes ...identity.Code) {
		t.Helper()
		p, err := v.Verify(ctx, tok)
		if err == nil {
			t.Errorf("%s: accepted as %q (groups %q), want refusal %q", what, p.User, p.Groups, codes)
			return
		}
		if code := identity.CodeOf(err); !slices.Contains(codes, code) {
			t.Errorf("%s: refused with %v (code %q), want one of %q", what, err, code, codes)
		}
		secrets.leaks(t, what+": error message", err.Error())
		status, _, body := postForm(t, tokenURL, url.Values{"grant_type": {tokenapi.GrantJWTBearer}, "assertion": {tok}})
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("%s: token endpoint answered %d %v, want 400 invalid_grant", what, status, body)
		}
		b, _ := json.Marshal(body)
		secrets.leaks(t, what+": token endpoint error body", string(b))
		t.Logf("%s: refused: %v", what, err)
	}

	t.Run("public-client-id-token", func(t *testing.T) {
		ts := kc.Tokens(t, kc.PublicClientID, "alex@example.com")
		secrets.addTokenSet("alex public client", ts)
		c := jwtPart(t, ts.IDToken, 1)
		t.Logf("public client ID token: aud=%v azp=%v", c["aud"], c["azp"])
		refuse(t, "ID token of the public client tipgate-cli", ts.IDToken, identity.CodeWrongAudience)
	})

	t.Run("access-token", func(t *testing.T) {
		// An access token of the confidential client tipgate is signed by
		// the same key and carries email and groups; it is not an ID token.
		ts := kc.Tokens(t, kc.ClientID, "frank@example.com")
		secrets.addTokenSet("frank access", ts)
		c := jwtPart(t, ts.AccessToken, 1)
		t.Logf("Keycloak access token: typ=%v aud=%v azp=%v (JOSE typ %v)", c["typ"], c["aud"], c["azp"], jwtPart(t, ts.AccessToken, 0)["typ"])
		// What the verifier does: it has no notion of token type (neither
		// the JOSE "typ" nor Keycloak's "typ" claim is read), so whether
		// the access token is refused depends on its aud alone. This
		// realm's access tokens carry no aud at all (no client roles, no
		// audience mapper): missing_claim. An aud without tipgate would be
		// wrong_audience. An aud naming tipgate (an audience mapper on the
		// realm) would make it accepted as if it were an ID token: a known
		// gap of the verifier, not exercised here.
		want := identity.CodeWrongAudience
		if _, has := c["aud"]; !has {
			want = identity.CodeMissingClaim
		}
		refuse(t, "access token of the confidential client", ts.AccessToken, want)
	})

	t.Run("tampered-id-token", func(t *testing.T) {
		frank := users[1]
		if frank.Email != "frank@example.com" {
			t.Fatalf("users[1] is %s", frank.Email)
		}
		parts := strings.Split(frank.idToken, ".")
		// Privilege escalation: frank's token claiming exec-global, with
		// valid JSON and the original signature.
		claims := jwtPart(t, frank.idToken, 1)
		claims["groups"] = []string{"exec-global"}
		b, err := json.Marshal(claims)
		if err != nil {
			t.Fatal(err)
		}
		escalated := parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
		refuse(t, "ID token with groups rewritten", escalated, identity.CodeBadSignature)

		// One payload character flipped, in the middle of the payload.
		p := []byte(parts[1])
		i := len(p) / 2
		if p[i] == 'A' {
			p[i] = 'B'
		} else {
			p[i] = 'A'
		}
		flipped := parts[0] + "." + string(p) + "." + parts[2]
		refuse(t, "ID token with a payload character flipped", flipped, identity.CodeBadSignature, identity.CodeTokenMalformed)

		// And one signature character flipped.
		s := []byte(parts[2])
		if s[len(s)/2] == 'A' {
			s[len(s)/2] = 'B'
		} else {
			s[len(s)/2] = 'A'
		}
		refuse(t, "ID token with a signature character flipped", parts[0]+"."+parts[1]+"."+string(s), identity.CodeBadSignature)
	})
}

// testRotation rotates Keycloak's signing key and checks the verifier that
// cached the old keys. It returns the tokens it took (old and new kid).
func testRotation(t *testing.T, ctx context.Context, kc *keycloak.Keycloak, v *identity.Verifier, clock *testClock, secrets *secretSet) []string {
	const email = "ming@example.com"
	oldTok := kc.IDToken(t, email)
	secrets.add("rotation old", oldTok)
	oldKid := jwtKid(t, oldTok)
	if active := kc.SigningKeyID(t); active != oldKid {
		t.Fatalf("token kid %s, realm's active key %s", oldKid, active)
	}
	if _, err := v.Verify(ctx, oldTok); err != nil {
		t.Fatalf("before rotation: %v", err)
	}

	// Spend the verifier's refresh allowance now with a real token whose
	// kid is unknown (an unknown kid triggers a refresh before any
	// signature check), so the rate limit below is deterministic: first
	// move past any earlier fetch's interval, so this one really fetches.
	const minRefresh = 30 * time.Second // VerifierOptions' default MinRefreshInterval
	clock.advance(minRefresh + time.Second)
	parts := strings.Split(oldTok, ".")
	hdr := jwtPart(t, oldTok, 0)
	hdr["kid"] = "no-such-kid"
	hb, _ := json.Marshal(hdr)
	bogus := base64.RawURLEncoding.EncodeToString(hb) + "." + parts[1] + "." + parts[2]
	if _, err := v.Verify(ctx, bogus); identity.CodeOf(err) != identity.CodeUnknownKey {
		t.Fatalf("unknown kid: %v, want %s", err, identity.CodeUnknownKey)
	}
	spent := time.Now()

	t0 := time.Now()
	kc.RotateKeys(t)
	newKid := kc.SigningKeyID(t)
	newTok := kc.IDToken(t, email)
	secrets.add("rotation new", newTok)
	t.Logf("rotation took %s: kid %s → %s", time.Since(t0).Round(time.Millisecond), oldKid, newKid)
	if newKid == oldKid {
		t.Fatalf("RotateKeys left the active kid at %s", oldKid)
	}
	if got := jwtKid(t, newTok); got != newKid {
		t.Fatalf("token after rotation has kid %s, want the new active key %s", got, newKid)
	}

	// Within 30 s (the default MinRefreshInterval) of the last fetch the
	// new kid is not fetched: unknown_key.
	_, err := v.Verify(ctx, newTok)
	if time.Since(spent) < minRefresh-2*time.Second {
		if identity.CodeOf(err) != identity.CodeUnknownKey {
			t.Errorf("new kid within the refresh rate limit: %v, want %s", err, identity.CodeUnknownKey)
		}
	} else {
		t.Logf("rotation took longer than the refresh interval; rate-limit check skipped (Verify: %v)", err)
	}
	clock.advance(minRefresh + time.Second)
	p, err := v.Verify(ctx, newTok)
	if err != nil {
		t.Fatalf("new kid after the refresh interval: %v", err)
	}
	if p.User != "AWSIDC:"+email || !slices.Equal(p.Groups, []string{"apac-sales"}) {
		t.Errorf("new-kid principal %q %q", p.User, p.Groups)
	}
	// The refreshed set still holds the now passive old key.
	if _, err := v.Verify(ctx, oldTok); err != nil {
		t.Errorf("old-kid token after the refresh: %v", err)
	}
	return []string{oldTok, newTok}
}

// ---- helpers ----

func checkPrincipal(t *testing.T, what string, got, want identity.Principal) {
	t.Helper()
	if got.User != want.User || got.Email != want.Email || got.Namespace != want.Namespace ||
		got.Issuer != want.Issuer || !slices.Equal(got.Groups, want.Groups) || got.Superuser {
		t.Errorf("%s: principal User=%q Email=%q Namespace=%q Groups=%q Issuer=%q Superuser=%v, want %q %q %q %q %q false",
			what, got.User, got.Email, got.Namespace, got.Groups, got.Issuer, got.Superuser,
			want.User, want.Email, want.Namespace, want.Groups, want.Issuer)
	}
}

func queryColumn(t *testing.T, ctx context.Context, eng engine.Engine, p identity.Principal, sql string) []string {
	t.Helper()
	rows, err := eng.Query(ctx, p, sql)
	if err != nil {
		t.Fatalf("%s as %s: %v", sql, p.User, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		out = append(out, fmt.Sprint(rows.Values()[0]))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s as %s: %v", sql, p.User, err)
	}
	return out
}

func postForm(t *testing.T, u string, form url.Values) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	var body map[string]any
	if len(b) > 0 {
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatalf("POST %s: status %d, body is not JSON: %v", u, resp.StatusCode, err)
		}
	}
	return resp.StatusCode, resp.Header, body
}

// jwtPart decodes part i (0 header, 1 payload) of a JWT, unverified.
func jwtPart(t *testing.T, jwt string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT (%d parts)", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("JWT part %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT part %d: %v", i, err)
	}
	return m
}

func jwtKid(t *testing.T, jwt string) string {
	t.Helper()
	h := jwtPart(t, jwt, 0)
	kid, _ := h["kid"].(string)
	if h["alg"] != "RS256" || kid == "" {
		t.Fatalf("JWT header alg=%v kid=%v, want RS256 with a kid", h["alg"], h["kid"])
	}
	return kid
}

type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// syncBuffer collects log output from concurrent handlers.
type syncBuffer = logbuf.Buffer

// secretSet is every secret the test has seen, to look for in logs and
// error messages. Tokens are also added by part (a JWS signature, a
// payload), since logging either is a leak.
type secretSet struct {
	names, values []string
}

func (s *secretSet) add(name, v string) {
	if len(v) < 8 {
		return
	}
	s.names, s.values = append(s.names, name), append(s.values, v)
	if parts := strings.Split(v, "."); len(parts) == 3 {
		s.names = append(s.names, name+" (payload)", name+" (signature)")
		s.values = append(s.values, parts[1], parts[2])
	}
}

func (s *secretSet) addTokenSet(name string, ts keycloak.TokenSet) {
	s.add(name+" id_token", ts.IDToken)
	s.add(name+" access_token", ts.AccessToken)
	s.add(name+" refresh_token", ts.RefreshToken)
}

// leaks reports (as test errors) every secret found in text; it returns
// how many.
func (s *secretSet) leaks(t *testing.T, where, text string) int {
	t.Helper()
	n := 0
	for i, v := range s.values {
		if strings.Contains(text, v) {
			t.Errorf("%s contains the %s", where, s.names[i])
			n++
		}
	}
	return n
}
