package idp

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// codeFlow runs authorize → login → token for a client and returns the
// token response.
func (e *env) codeFlow(clientID, redirect, scope, email string) map[string]any {
	e.t.Helper()
	verifier, challenge := pkce()
	loc := e.login(authParams(clientID, redirect, challenge, "S256", scope), email, demoPassword)
	code := loc.Query().Get("code")
	if code == "" || loc.Query().Get("state") != "st-123" {
		e.t.Fatalf("redirect %s: want code and state", loc.Redacted())
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
	user, pass := "", ""
	if clientID == "web" {
		user, pass = "web", webSecret
	} else {
		form.Set("client_id", clientID)
	}
	status, tok := e.token(form, user, pass)
	if status != http.StatusOK {
		e.t.Fatalf("token: %d %v", status, tok)
	}
	// A code works once.
	if status, again := e.token(form, user, pass); status != http.StatusBadRequest || again["error"] != "invalid_grant" {
		e.t.Errorf("reused code: %d %v, want 400 invalid_grant", status, again)
	}
	return tok
}

func TestAuthorizationCodeFlow(t *testing.T) {
	for _, tc := range []struct {
		name, client, redirect, email string
		groups                        []string
	}{
		{"public client with PKCE", "cli", cliRedirect, "ming@example.com", []string{"apac-sales"}},
		{"confidential client with PKCE and basic auth", "web", webRedirect, "ETHAN@example.com", []string{"exec-global"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if !slices.Equal(e.disc.Methods, []string{"S256"}) {
				t.Errorf("code_challenge_methods_supported = %v, want [S256]", e.disc.Methods)
			}
			tok := e.codeFlow(tc.client, tc.redirect, "openid email profile", tc.email)
			claims := e.verifyIDToken(tok["id_token"].(string), tc.client)
			email := strings.ToLower(tc.email)
			for k, want := range map[string]any{"email": email, "email_verified": true, "preferred_username": email, "nonce": "nonce-456"} {
				if claims[k] != want {
					t.Errorf("%s = %v, want %v", k, claims[k], want)
				}
			}
			for _, k := range []string{"name", "given_name", "family_name", "sub"} {
				if s, _ := claims[k].(string); s == "" {
					t.Errorf("claim %s missing", k)
				}
			}
			var groups []string
			for _, g := range claims["groups"].([]any) {
				groups = append(groups, g.(string))
			}
			if !slices.Equal(groups, tc.groups) {
				t.Errorf("groups = %v, want %v", groups, tc.groups)
			}
			if tok["refresh_token"] != nil {
				t.Errorf("refresh token issued without offline_access")
			}
		})
	}
}

func TestPKCERefusals(t *testing.T) {
	e := newEnv(t)
	_, challenge := pkce()
	// Refused at the authorization endpoint, before any login page.
	for _, tc := range []struct{ name, challenge, method string }{
		{"no challenge", "", ""},
		{"plain", challenge, "plain"},
		{"method omitted means plain", challenge, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := e.get(e.disc.Authorization + "?" + authParams("cli", cliRedirect, tc.challenge, tc.method, "openid").Encode())
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), cliRedirect) || loc.Query().Get("error") != "invalid_request" {
				t.Fatalf("got %s to %q, want redirect to the client with error=invalid_request", resp.Status, resp.Header.Get("Location"))
			}
		})
	}
	// Refused at the token endpoint.
	for _, tc := range []struct{ name, verifier, wantErr string }{
		{"wrong verifier", strings.Repeat("w", 64), "invalid_grant"},
		{"missing verifier", "", "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := e.login(authParams("cli", cliRedirect, challenge, "S256", "openid"), "alex@example.com", demoPassword)
			form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"cli"}, "code": {loc.Query().Get("code")}, "redirect_uri": {cliRedirect}}
			if tc.verifier != "" {
				form.Set("code_verifier", tc.verifier)
			}
			if status, tok := e.token(form, "", ""); status != http.StatusBadRequest || tok["error"] != tc.wantErr || tok["id_token"] != nil {
				t.Fatalf("got %d %v, want 400 %s", status, tok, tc.wantErr)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	e := newEnv(t)
	_, challenge := pkce()
	params := authParams("cli", cliRedirect, challenge, "S256", "openid")
	var pages []string
	for _, tc := range []struct{ name, email, password string }{
		{"known user, wrong password", "frank@example.com", "wrong"},
		{"unknown user", "nobody@example.com", demoPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, form := e.startLogin(params)
			resp, body := e.submit(resp.Request.URL, form, map[string]string{"email": tc.email, "password": tc.password})
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, msgBadCredentials) || !strings.Contains(body, `role="alert"`) {
				t.Fatalf("got %s, want the form again with the error:\n%s", resp.Status, body)
			}
			again := parseForm(t, body)
			if again.fields["auth_request_id"] != form.fields["auth_request_id"] || again.fields["password"] != "" {
				t.Errorf("re-rendered form lost the request id or echoed the password")
			}
			pages = append(pages, strings.NewReplacer(tc.email, "EMAIL", again.fields["auth_request_id"], "ID", again.fields["csrf_token"], "CSRF").Replace(body))
		})
	}
	if len(pages) == 2 && pages[0] != pages[1] {
		t.Errorf("wrong password and unknown user render different pages")
	}
	// The same request still completes with the right password.
	loc := e.login(params, "frank@example.com", demoPassword)
	if loc.Query().Get("code") == "" {
		t.Fatalf("no code after a correct retry: %s", loc.Redacted())
	}
}

func TestLoginPageIsPlainAndAccessible(t *testing.T) {
	e := newEnv(t)
	_, challenge := pkce()
	resp, body := e.get(e.disc.Authorization + "?" + authParams("cli", cliRedirect, challenge, "S256", "openid").Encode())
	form := parseForm(t, body)
	if form.method != "post" {
		t.Errorf("form method %q", form.method)
	}
	for _, in := range form.inputs {
		if in["type"] != "hidden" && !form.labelled[in["id"]] {
			t.Errorf("input %q has no label", in["name"])
		}
		if in["type"] == "password" && in["autocomplete"] != "current-password" {
			t.Errorf("password autocomplete = %q", in["autocomplete"])
		}
	}
	for _, bad := range []string{"<script", "src=", "http://", "https://", "<link"} {
		if strings.Contains(body, bad) {
			t.Errorf("login page contains %q", bad)
		}
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestLoginCSRF(t *testing.T) {
	e := newEnv(t)
	_, challenge := pkce()
	resp, form := e.startLogin(authParams("cli", cliRedirect, challenge, "S256", "openid"))
	for _, tc := range []struct {
		name  string
		fill  map[string]string
		clear bool
	}{
		{"forged token", map[string]string{"csrf_token": "forged"}, false},
		{"no cookie (cross-site post)", nil, true},
		{"unknown auth request", map[string]string{"auth_request_id": "guess"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.clear {
				saved := e.browser.Jar
				e.browser.Jar = nil
				defer func() { e.browser.Jar = saved }()
			}
			fill := map[string]string{"email": "ming@example.com", "password": demoPassword}
			for k, v := range tc.fill {
				fill[k] = v
			}
			got, body := e.submit(resp.Request.URL, form, fill)
			if got.StatusCode != http.StatusBadRequest || !strings.Contains(body, msgExpired) {
				t.Fatalf("got %s, want 400 with %q", got.Status, msgExpired)
			}
		})
	}
}
