package idp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/testenv/logbuf"
	"github.com/tipgate/tipgate/internal/testenv/webclient"
)

const (
	demoPassword = "correct horse battery staple"
	webSecret    = "web-client-secret-0123456789"
	cliRedirect  = "http://127.0.0.1/callback"
	webRedirect  = "https://rp.example/callback"
	cliLoggedOut = "http://127.0.0.1/signed-out"
)

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer = logbuf.Buffer

// env is a provider on a loopback httptest server plus a browser-like client.
type env struct {
	t      *testing.T
	p      *Provider
	issuer string
	logs   *lockedBuffer
	disc   struct {
		Issuer        string   `json:"issuer"`
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		Userinfo      string   `json:"userinfo_endpoint"`
		JWKS          string   `json:"jwks_uri"`
		EndSession    string   `json:"end_session_endpoint"`
		Device        string   `json:"device_authorization_endpoint"`
		Methods       []string `json:"code_challenge_methods_supported"`
	}
	browser *http.Client
}

var testUsers = sync.OnceValues(func() ([]User, error) { return DemoUsers(demoPassword) })

func newEnv(t *testing.T, mutate ...func(*Config)) *env {
	t.Helper()
	users, err := testUsers()
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	e := &env{t: t, issuer: srv.URL + "/idp", logs: &lockedBuffer{}}
	cfg := Config{
		Issuer: e.issuer,
		Users:  users,
		Clients: []Client{
			{ID: "cli", Public: true, RedirectURIs: []string{cliRedirect}, PostLogoutRedirectURIs: []string{cliLoggedOut},
				Grants: []string{GrantAuthorizationCode, GrantRefreshToken, GrantDeviceCode, GrantPassword}},
			{ID: "web", Secret: webSecret, RedirectURIs: []string{webRedirect}},
			{ID: "nopw", Public: true, Grants: []string{GrantDeviceCode}},
		},
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	e.issuer = cfg.Issuer // a mutation may move it (the Okta layout is at the root)
	if e.p, err = New(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(strings.TrimPrefix(e.issuer, srv.URL)+"/", e.p.Handler())
	h = mux
	jar, _ := cookiejar.New(nil)
	host := srv.Listener.Addr().String()
	e.browser = &http.Client{Jar: jar, Timeout: 10 * time.Second,
		// Follow the provider's own redirects; stop at the relying party's.
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if r.URL.Host != host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	e.getJSON(e.issuer+"/.well-known/openid-configuration", &e.disc)
	return e
}

func (e *env) getJSON(u string, v any) {
	e.t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		e.t.Fatal(err)
	}
}

// pkce returns a fresh verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	verifier = randomToken()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authParams(clientID, redirect, challenge, method, scope string) url.Values {
	v := url.Values{"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {scope}, "state": {"st-123"}, "nonce": {"nonce-456"}}
	if challenge != "" {
		v.Set("code_challenge", challenge)
	}
	if method != "" {
		v.Set("code_challenge_method", method)
	}
	return v
}

// do sends a request with the browser and returns status, headers and body.
func (e *env) do(req *http.Request) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.browser.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (e *env) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return e.do(req)
}

// submit fills a parsed form and posts it like a browser.
func (e *env) submit(base *url.URL, f htmlForm, fill map[string]string) (*http.Response, string) {
	e.t.Helper()
	vals := url.Values{}
	for k, v := range f.fields {
		vals.Set(k, v)
	}
	for k, v := range fill {
		vals.Set(k, v)
	}
	action, err := base.Parse(f.action)
	if err != nil {
		e.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

// startLogin follows the authorize redirect to the login page and parses it.
func (e *env) startLogin(params url.Values) (*http.Response, htmlForm) {
	e.t.Helper()
	resp, body := e.get(e.disc.Authorization + "?" + params.Encode())
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("authorize: %s, location %q", resp.Status, resp.Header.Get("Location"))
	}
	return resp, parseForm(e.t, body)
}

// login runs the browser part of the code flow and returns the redirect to
// the relying party.
func (e *env) login(params url.Values, email, password string) *url.URL {
	e.t.Helper()
	resp, form := e.startLogin(params)
	resp, body := e.submit(resp.Request.URL, form, map[string]string{"email": email, "password": password})
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("login: %s\n%s", resp.Status, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return loc
}

// token posts to the token endpoint, optionally with HTTP Basic client auth.
func (e *env) token(form url.Values, basicUser, basicPass string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.disc.Token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, out
}

// verifyIDToken checks the signature against the provider's JWKS and the
// standard claims, and returns all claims.
func (e *env) verifyIDToken(raw, audience string) map[string]any {
	e.t.Helper()
	var set jose.JSONWebKeySet
	e.getJSON(e.disc.JWKS, &set)
	sig, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		e.t.Fatalf("parse ID token: %v", err)
	}
	keys := set.Key(sig.Signatures[0].Header.KeyID)
	if len(keys) != 1 {
		e.t.Fatalf("JWKS has %d keys for kid %q", len(keys), sig.Signatures[0].Header.KeyID)
	}
	payload, err := sig.Verify(keys[0].Key)
	if err != nil {
		e.t.Fatalf("ID token signature: %v", err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(payload, &claims); err != nil {
		e.t.Fatal(err)
	}
	if claims["iss"] != e.issuer {
		e.t.Errorf("iss = %v, want %s", claims["iss"], e.issuer)
	}
	if aud, _ := claims["aud"].([]any); len(aud) != 1 || aud[0] != audience {
		e.t.Errorf("aud = %v, want [%s]", claims["aud"], audience)
	}
	if exp, _ := claims["exp"].(float64); time.Unix(int64(exp), 0).Before(time.Now()) {
		e.t.Errorf("exp %v is in the past", claims["exp"])
	}
	return claims
}

// htmlForm is the first form of a page, with its non-empty fields.
type htmlForm struct {
	action, method string
	fields         map[string]string // every named input, with its value
	labelled       map[string]bool   // ids that have a <label for>
	inputs         []map[string]string
}

// parseForm reads our login page's first form.
func parseForm(t *testing.T, body string) htmlForm {
	t.Helper()
	f := webclient.FirstForm(t, body)
	out := htmlForm{action: f.Action, method: f.Method, fields: map[string]string{}, labelled: f.Labelled, inputs: f.Inputs}
	for k := range f.Fields {
		out.fields[k] = f.Fields.Get(k)
	}
	return out
}
