package idp

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// oktaLayout moves the provider to the origin with Okta's paths.
func oktaLayout(c *Config) {
	c.Issuer = strings.TrimSuffix(c.Issuer, "/idp")
	c.Layout = LayoutOkta
}

// TestOktaDiscovery pins the discovery document of the Okta layout: an
// app written for Okta's org authorization server finds every endpoint
// where Okta has it.
func TestOktaDiscovery(t *testing.T) {
	e := newEnv(t, oktaLayout)
	var doc map[string]any
	e.getJSON(e.issuer+"/.well-known/openid-configuration", &doc)
	// The port changes per run: the golden file has ISSUER in its place.
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := bytes.ReplaceAll(raw, []byte(e.issuer), []byte("ISSUER"))
	got = append(got, '\n')
	golden := filepath.Join("testdata", "okta-discovery.golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("discovery document differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
	for path, status := range map[string]int{
		"/oauth2/v1/keys": http.StatusOK,
		"/keys":           http.StatusNotFound, // the library's own paths are not answered as well
		"/oauth/token":    http.StatusNotFound,
	} {
		resp, _ := e.get(e.issuer + path)
		if resp.StatusCode != status {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, status)
		}
	}
}

// TestOktaConfidentialClient runs the code flow of an Okta web app: a
// confidential client authenticating with client_secret_basic or
// client_secret_post, always with PKCE (the provider requires it of
// every client, confidential ones included), and the refusals.
func TestOktaConfidentialClient(t *testing.T) {
	for _, tc := range []struct {
		name        string
		auth        string // basic, post, none
		secret      string
		verifier    string // overrides the right verifier when set
		status      int
		wantErr     string
		redirectArg string
	}{
		{name: "basic with PKCE", auth: "basic", secret: webSecret, status: 200},
		{name: "post with PKCE", auth: "post", secret: webSecret, status: 200},
		{name: "wrong secret (basic)", auth: "basic", secret: "not-the-secret", status: 401, wantErr: "invalid_client"},
		{name: "wrong secret (post)", auth: "post", secret: "not-the-secret", status: 401, wantErr: "invalid_client"},
		{name: "no client authentication", auth: "none", status: 401, wantErr: "invalid_client"},
		{name: "wrong PKCE verifier", auth: "basic", secret: webSecret, verifier: strings.Repeat("x", 50), status: 400, wantErr: "invalid_grant"},
		{name: "PKCE verifier missing", auth: "basic", secret: webSecret, verifier: "-", status: 400, wantErr: "invalid_request"},
		{name: "another redirect URI", auth: "basic", secret: webSecret, redirectArg: webRedirect + "/", status: 400, wantErr: "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oktaLayout)
			if e.disc.Token != e.issuer+"/oauth2/v1/token" || e.disc.Authorization != e.issuer+"/oauth2/v1/authorize" {
				t.Fatalf("discovery: token %s, authorize %s", e.disc.Token, e.disc.Authorization)
			}
			verifier, challenge := pkce()
			loc := e.login(authParams("web", webRedirect, challenge, "S256", "openid profile email"), "frank@example.com", demoPassword)
			code := loc.Query().Get("code")
			if code == "" {
				t.Fatalf("redirect %s: no code", loc.Redacted())
			}
			redirect := webRedirect
			if tc.redirectArg != "" {
				redirect = tc.redirectArg
			}
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
			switch {
			case tc.verifier == "-":
			case tc.verifier != "":
				form.Set("code_verifier", tc.verifier)
			default:
				form.Set("code_verifier", verifier)
			}
			user, pass := "", ""
			switch tc.auth {
			case "basic":
				user, pass = "web", tc.secret
			case "post":
				form.Set("client_id", "web")
				form.Set("client_secret", tc.secret)
			default:
				form.Set("client_id", "web")
			}
			status, tok := e.token(form, user, pass)
			if status != tc.status || (tc.wantErr != "" && tok["error"] != tc.wantErr) {
				t.Fatalf("token: %d %v, want %d %s", status, tok, tc.status, tc.wantErr)
			}
			if tc.status != http.StatusOK {
				if _, ok := tok["id_token"]; ok {
					t.Fatal("a refused request got an ID token")
				}
				return
			}
			claims := e.verifyIDToken(tok["id_token"].(string), "web")
			if claims["email"] != "frank@example.com" {
				t.Errorf("email = %v", claims["email"])
			}
		})
	}
}

func TestOktaAuthorizeWithoutPKCE(t *testing.T) {
	e := newEnv(t, oktaLayout)
	resp, _ := e.get(e.disc.Authorization + "?" + authParams("web", webRedirect, "", "", "openid").Encode())
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
		t.Fatalf("authorize without code_challenge: %s, location %q; want a redirect with error=invalid_request", resp.Status, resp.Header.Get("Location"))
	}
}

func TestOktaLayoutNeedsAnOrigin(t *testing.T) {
	users, err := testUsers()
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(t.Context(), Config{Issuer: "https://127.0.0.1:8081/idp", Layout: LayoutOkta, Users: users,
		Clients: []Client{{ID: "web", Secret: webSecret, RedirectURIs: []string{webRedirect}}}})
	if err == nil || !strings.Contains(err.Error(), "layout okta: the issuer must be an origin") {
		t.Fatalf("err = %v, want the layout's refusal", err)
	}
}
