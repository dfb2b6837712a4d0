package tokenapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/identitytest"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

// syncBuffer collects log output from concurrent handlers.
type syncBuffer = logbuf.Buffer

type env struct {
	idp      *identitytest.IdP
	sessions *identity.Sessions
	srv      *httptest.Server
	logs     *syncBuffer
	dataDir  string
	// secrets are every token the test handled, checked against logs.
	secrets []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{idp: identitytest.NewIdP(t), logs: &syncBuffer{}, dataDir: t.TempDir()}
	log := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v, err := identity.NewVerifier(context.Background(), []config.Issuer{e.idp.Config()}, identity.VerifierOptions{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	sc := config.DefaultSessions()
	mux := http.NewServeMux()
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	sc.Issuer = e.srv.URL
	e.sessions, err = identity.NewSessions(identity.SessionOptions{DataDir: e.dataDir, Config: sc, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	api, err := New(Options{Verifier: v, Sessions: e.sessions, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	api.Register(mux)
	return e
}

func (e *env) idToken(t *testing.T, mod func(map[string]any)) string {
	c := e.idp.Claims("alice@example.com", []string{"sales"}, time.Now(), time.Hour)
	if mod != nil {
		mod(c)
	}
	tok := e.idp.Mint(t, c)
	e.secrets = append(e.secrets, tok)
	return tok
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (e *env) do(t *testing.T, method, path, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("response is not JSON: %q", raw)
		}
	}
	return r
}

func (e *env) post(t *testing.T, path string, form url.Values) response {
	return e.do(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode())
}

func exchangeForm(tok string) url.Values {
	return url.Values{
		"grant_type":         {GrantTokenExchange},
		"subject_token":      {tok},
		"subject_token_type": {TokenTypeIDToken},
	}
}

func TestTokenExchangeEndToEnd(t *testing.T) {
	e := newEnv(t)
	r := e.post(t, PathToken, exchangeForm(e.idToken(t, nil)))
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if r.body["issued_token_type"] != TokenTypeJWT || r.body["token_type"] != "Bearer" || r.body["expires_in"] != float64(3600) {
		t.Errorf("response %v", r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	at, _ := r.body["access_token"].(string)
	e.secrets = append(e.secrets, at)
	p, err := e.sessions.Verify(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if p.User != "AWSIDC:alice@example.com" || p.Issuer != e.idp.Issuer() || len(p.Groups) != 1 {
		t.Errorf("principal %+v", p)
	}

	// A third party can verify the session token from discovery + JWKS.
	d := e.do(t, http.MethodGet, PathDiscovery, "", "")
	if d.status != 200 || d.body["issuer"] != e.srv.URL || d.body["jwks_uri"] != e.srv.URL+PathJWKS ||
		d.body["token_endpoint"] != e.srv.URL+PathToken {
		t.Fatalf("discovery %d %v", d.status, d.body)
	}
	j := e.do(t, http.MethodGet, PathJWKS, "", "")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(j.raw), &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("jwks %v %s", err, j.raw)
	}
	jws, err := jose.ParseSignedCompact(at, []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Key(jws.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid not in JWKS")
	}
	if _, err := jws.Verify(keys[0].Key); err != nil {
		t.Fatalf("third-party verification: %v", err)
	}
	for _, k := range set.Keys {
		if !k.IsPublic() {
			t.Fatal("JWKS publishes a private key")
		}
	}

	// RFC 7523 JWT bearer yields the same kind of session.
	r = e.post(t, PathToken, url.Values{"grant_type": {GrantJWTBearer}, "assertion": {e.idToken(t, nil)}})
	if r.status != 200 || r.body["issued_token_type"] != nil || r.body["token_type"] != "Bearer" {
		t.Fatalf("jwt-bearer %d %v", r.status, r.body)
	}
	bt, _ := r.body["access_token"].(string)
	e.secrets = append(e.secrets, bt)

	// Revocation: the session is refused afterwards; unknown tokens get
	// 200 as RFC 7009 requires.
	if r := e.post(t, PathRevoke, url.Values{"token": {at}}); r.status != 200 {
		t.Fatalf("revoke %d %s", r.status, r.raw)
	}
	if _, err := e.sessions.Verify(context.Background(), at); identity.CodeOf(err) != identity.CodeSessionRevoked {
		t.Fatalf("after revoke: %v", err)
	}
	if _, err := e.sessions.Verify(context.Background(), bt); err != nil {
		t.Fatalf("other session after revoke: %v", err)
	}
	if r := e.post(t, PathRevoke, url.Values{"token": {"garbage"}}); r.status != 200 {
		t.Fatalf("revoke garbage %d", r.status)
	}
	if r := e.post(t, PathRevoke, url.Values{"token": {at}}); r.status != 200 {
		t.Fatalf("revoke twice %d", r.status)
	}
	e.assertLogsClean(t)
}

func TestTokenEndpointErrors(t *testing.T) {
	e := newEnv(t)
	good := e.idToken(t, nil)
	expired := e.idToken(t, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	none := header + "." + strings.Split(good, ".")[1] + "."
	e.secrets = append(e.secrets, none)
	form := "application/x-www-form-urlencoded"
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		code                            string
	}{
		{"GET token", http.MethodGet, PathToken, "", "", 405, "invalid_request"},
		{"JSON body", http.MethodPost, PathToken, "application/json", `{"grant_type":"x"}`, 400, "invalid_request"},
		{"no content type", http.MethodPost, PathToken, "", "grant_type=x", 400, "invalid_request"},
		{"params in URL", http.MethodPost, PathToken + "?subject_token=" + good, form, "", 400, "invalid_request"},
		{"missing grant_type", http.MethodPost, PathToken, form, "a=b", 400, "invalid_request"},
		{"password grant", http.MethodPost, PathToken, form, "grant_type=password&username=a&password=b", 400, "unsupported_grant_type"},
		{"missing subject_token", http.MethodPost, PathToken, form, url.Values{"grant_type": {GrantTokenExchange}, "subject_token_type": {TokenTypeJWT}}.Encode(), 400, "invalid_request"},
		{"missing subject_token_type", http.MethodPost, PathToken, form, url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {good}}.Encode(), 400, "invalid_request"},
		{"access token as subject", http.MethodPost, PathToken, form, with(exchangeForm(good), "subject_token_type", TokenTypeAccess), 400, "invalid_request"},
		{"unsupported requested type", http.MethodPost, PathToken, form, with(exchangeForm(good), "requested_token_type", "urn:ietf:params:oauth:token-type:saml2"), 400, "invalid_request"},
		{"foreign audience", http.MethodPost, PathToken, form, with(exchangeForm(good), "audience", "other-service"), 400, "invalid_target"},
		{"delegation", http.MethodPost, PathToken, form, with(exchangeForm(good), "actor_token", good), 400, "invalid_request"},
		{"repeated subject_token", http.MethodPost, PathToken, form, exchangeForm(good).Encode() + "&subject_token=x", 400, "invalid_request"},
		{"body too large", http.MethodPost, PathToken, form, "grant_type=x&pad=" + strings.Repeat("a", 70<<10), 413, "invalid_request"},
		{"bad form encoding", http.MethodPost, PathToken, form, "grant_type=%zz", 400, "invalid_request"},
		{"expired ID token", http.MethodPost, PathToken, form, exchangeForm(expired).Encode(), 400, "invalid_grant"},
		{"alg none ID token", http.MethodPost, PathToken, form, exchangeForm(none).Encode(), 400, "invalid_grant"},
		{"missing assertion", http.MethodPost, PathToken, form, "grant_type=" + url.QueryEscape(GrantJWTBearer), 400, "invalid_request"},
		{"garbage assertion", http.MethodPost, PathToken, form, url.Values{"grant_type": {GrantJWTBearer}, "assertion": {"not.a.jwt"}}.Encode(), 400, "invalid_grant"},
		{"session token as ID token", http.MethodPost, PathToken, form, "", 400, "invalid_grant"},
		{"GET revoke", http.MethodGet, PathRevoke, "", "", 405, "invalid_request"},
		{"revoke without token", http.MethodPost, PathRevoke, form, "token_type_hint=access_token", 400, "invalid_request"},
		{"revoke body too large", http.MethodPost, PathRevoke, form, "token=x&pad=" + strings.Repeat("a", 70<<10), 413, "invalid_request"},
		{"POST jwks", http.MethodPost, PathJWKS, form, "", 405, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if c.name == "session token as ID token" {
				sess, err := e.sessions.Issue(context.Background(), identity.Principal{User: "AWSIDC:a", Namespace: "AWSIDC", Issuer: "x", Expiry: time.Now().Add(time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				e.secrets = append(e.secrets, sess.Token)
				body = exchangeForm(sess.Token).Encode()
			}
			r := e.do(t, c.method, c.path, c.ctype, body)
			if r.status != c.status || r.body["error"] != c.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.raw, c.status, c.code)
			}
			if d, _ := r.body["error_description"].(string); d == "" {
				t.Errorf("no error_description")
			}
			if r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", r.header)
			}
			for _, s := range e.secrets {
				if strings.Contains(r.raw, s) || strings.Contains(r.raw, strings.Split(s, ".")[1]) {
					t.Fatal("response echoes a token")
				}
			}
		})
	}
	e.assertLogsClean(t)
}

func with(v url.Values, k, val string) string {
	v.Set(k, val)
	return v.Encode()
}

func TestIssuerUnreachable(t *testing.T) {
	e := newEnv(t)
	// A fresh verifier whose IdP is gone before any key was fetched.
	idp := identitytest.NewIdP(t)
	cfg := idp.Config()
	tok := idp.Mint(t, idp.Claims("bob@example.com", nil, time.Now(), time.Hour))
	idp.Close()
	v, err := identity.NewVerifier(context.Background(), []config.Issuer{cfg}, identity.VerifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	api, _ := New(Options{Verifier: v, Sessions: e.sessions})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(exchangeForm(tok).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	api.TokenHandler().ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"temporarily_unavailable"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

// assertLogsClean checks that nothing logged contains a token, a token
// part or session key material.
func (e *env) assertLogsClean(t *testing.T) {
	t.Helper()
	logs := e.logs.String()
	if os.Getenv("TIPGATE_SHOW_LOGS") != "" {
		t.Log(logs)
	}
	if !strings.Contains(logs, `"path":"/oauth2/token"`) {
		t.Fatalf("requests were not logged:\n%s", logs)
	}
	var secrets []string
	for _, s := range e.secrets {
		secrets = append(secrets, s)
		for _, p := range strings.Split(s, ".") {
			if len(p) >= 16 {
				secrets = append(secrets, p)
			}
		}
	}
	keyFiles, _ := filepath.Glob(filepath.Join(e.dataDir, "keys", "*.pem"))
	if len(keyFiles) == 0 {
		t.Fatal("no key files to check")
	}
	for _, f := range keyFiles {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			if len(line) >= 16 && !strings.Contains(line, ":") && !strings.HasPrefix(line, "-----") {
				secrets = append(secrets, line)
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("secret material found in logs")
		}
	}
}
