package idp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRefreshTokenGrant(t *testing.T) {
	e := newEnv(t)
	tok := e.codeFlow("cli", cliRedirect, "openid email offline_access", "alex@example.com")
	first, _ := tok["refresh_token"].(string)
	if first == "" {
		t.Fatalf("no refresh token with offline_access: %v", tok)
	}
	refresh := func(rt string) (int, map[string]any) {
		return e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"cli"}, "refresh_token": {rt}}, "", "")
	}
	status, next := refresh(first)
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, next)
	}
	claims := e.verifyIDToken(next["id_token"].(string), "cli")
	if claims["email"] != "alex@example.com" || claims["groups"] == nil {
		t.Errorf("refreshed ID token claims: %v", claims)
	}
	second, _ := next["refresh_token"].(string)
	if second == "" || second == first {
		t.Fatalf("refresh token not rotated")
	}
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"rotated-out token", first, http.StatusBadRequest},
		{"unknown token", "not-a-token", http.StatusBadRequest},
		{"current token", second, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, out := refresh(tc.token); status != tc.want {
				t.Fatalf("got %d %v, want %d", status, out, tc.want)
			}
		})
	}
	// Another client cannot use cli's refresh token.
	status, out := e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second}}, "web", webSecret)
	if status == http.StatusOK {
		t.Errorf("web redeemed cli's refresh token: %v", out)
	}
}

func (e *env) userinfo(accessToken string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.disc.Userinfo, nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestUserinfo(t *testing.T) {
	e := newEnv(t)
	tok := e.codeFlow("cli", cliRedirect, "openid email profile", "frank@example.com")
	at := tok["access_token"].(string)
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"valid token", at, http.StatusOK},
		{"garbage", "garbage", http.StatusUnauthorized},
		{"truncated", at[:len(at)-4], http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, info := e.userinfo(tc.token)
			if status != tc.want {
				t.Fatalf("status %d (%v), want %d", status, info, tc.want)
			}
			if tc.want != http.StatusOK {
				return
			}
			if info["email"] != "frank@example.com" || info["given_name"] != "Frank" || info["family_name"] != "Amer" {
				t.Errorf("userinfo = %v", info)
			}
			if g, _ := info["groups"].([]any); len(g) != 1 || g[0] != "amer-sales" {
				t.Errorf("groups = %v", info["groups"])
			}
		})
	}
}

func TestEndSession(t *testing.T) {
	for _, tc := range []struct {
		name, redirect string
		wantStatus     int
		wantLocation   string
	}{
		{"registered post-logout redirect", cliLoggedOut, http.StatusFound, cliLoggedOut + "?state=bye"},
		{"unregistered post-logout redirect", "https://evil.example/", http.StatusBadRequest, ""},
		{"no redirect: provider's signed-out page", "", http.StatusFound, "/idp/logged-out?state=bye"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tok := e.codeFlow("cli", cliRedirect, "openid email offline_access", "ming@example.com")
			q := url.Values{"id_token_hint": {tok["id_token"].(string)}, "client_id": {"cli"}, "state": {"bye"}}
			if tc.redirect != "" {
				q.Set("post_logout_redirect_uri", tc.redirect)
			}
			resp, err := e.browser.Get(e.disc.EndSession + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			status, loc := resp.StatusCode, ""
			if resp.Request.URL.Path == "/idp/logged-out" { // followed to our own page
				status, loc = http.StatusFound, resp.Request.URL.RequestURI()
			} else {
				loc = resp.Header.Get("Location")
			}
			if status != tc.wantStatus || loc != tc.wantLocation {
				t.Fatalf("got %d %q, want %d %q", status, loc, tc.wantStatus, tc.wantLocation)
			}
			// A completed logout revokes the session's tokens.
			st, _ := e.userinfo(tok["access_token"].(string))
			rs, _ := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"cli"}, "refresh_token": {tok["refresh_token"].(string)}}, "", "")
			revoked := st != http.StatusOK && rs == http.StatusBadRequest
			if revoked != (tc.wantStatus == http.StatusFound) {
				t.Errorf("tokens revoked = %v (userinfo %d, refresh %d)", revoked, st, rs)
			}
		})
	}
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEnv(t)
	if e.disc.Issuer != e.issuer || !strings.HasPrefix(e.disc.Token, e.issuer+"/") || e.disc.Device == "" || e.disc.EndSession == "" {
		t.Fatalf("discovery = %+v", e.disc)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	e.getJSON(e.disc.JWKS, &set)
	if len(set.Keys) != 1 || set.Keys[0]["alg"] != "RS256" || set.Keys[0]["kty"] != "RSA" || set.Keys[0]["d"] != nil {
		t.Fatalf("JWKS = %v", set)
	}
}
