package idp

import (
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNoSecretsInLogs runs every flow, successful and failing, with both the
// provider's logger and the process default logger (which zitadel/oidc
// uses) captured, then looks for every secret the flows handled.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.EnablePasswordGrant = true })
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	secrets := map[string]string{"demo password": demoPassword, "client secret": webSecret, "typo password": "Tr0ub4dor&3"}
	keep := func(what string, v any) {
		if s, _ := v.(string); s != "" {
			secrets[what+" "+s[:min(8, len(s))]] = s
		}
	}

	// Code flow with refresh, userinfo and logout; a password typed into the
	// email field; a wrong password; a PKCE failure.
	tok := e.codeFlow("web", webRedirect, "openid email profile offline_access", "alex@example.com")
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		keep(k, tok[k])
	}
	_, next := e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}}, "web", webSecret)
	keep("refreshed", next["refresh_token"])
	keep("refreshed access", next["access_token"])
	e.userinfo(next["access_token"].(string))
	verifier, challenge := pkce()
	keep("verifier", verifier)
	resp, form := e.startLogin(authParams("cli", cliRedirect, challenge, "S256", "openid"))
	keep("auth request", form.fields["auth_request_id"])
	keep("csrf", form.fields["csrf_token"])
	e.submit(resp.Request.URL, form, map[string]string{"email": secrets["typo password"], "password": "x"})
	e.submit(resp.Request.URL, form, map[string]string{"email": "ming@example.com", "password": demoPassword + "!"})
	loc := e.login(authParams("cli", cliRedirect, challenge, "S256", "openid"), "ming@example.com", demoPassword)
	keep("code", loc.Query().Get("code"))
	e.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {"cli"}, "code": {loc.Query().Get("code")}, "redirect_uri": {cliRedirect}, "code_verifier": {"wrong-verifier-wrong-verifier-wrong-verifier"}}, "", "")
	e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"cli"}, "refresh_token": {"stolen-" + tok["refresh_token"].(string)}}, "", "")
	e.browser.Get(e.disc.EndSession + "?" + url.Values{"id_token_hint": {tok["id_token"].(string)}, "post_logout_redirect_uri": {"https://evil.example/"}}.Encode())

	// Device flow and password grant, with failures.
	start := e.startDevice("nopw", "openid")
	keep("device code", start["device_code"])
	e.pollDevice("nopw", start["device_code"].(string))
	resp, body := e.get(start["verification_uri_complete"].(string))
	dform := parseForm(t, body)
	e.submit(resp.Request.URL, dform, map[string]string{"email": "ming@example.com", "password": "wrong-device-password"})
	secrets["wrong device password"] = "wrong-device-password"
	e.submit(resp.Request.URL, dform, map[string]string{"email": "ming@example.com", "password": demoPassword})
	_, dtok := e.pollDevice("nopw", start["device_code"].(string))
	keep("device access", dtok["access_token"])
	_, ptok := e.token(url.Values{"grant_type": {"password"}, "client_id": {"cli"}, "username": {"frank@example.com"}, "password": {demoPassword}, "scope": {"openid"}}, "", "")
	keep("password grant access", ptok["access_token"])
	e.token(url.Values{"grant_type": {"password"}, "client_id": {"cli"}, "username": {"frank@example.com"}, "password": {"pw-grant-wrong"}, "scope": {"openid"}}, "", "")
	secrets["wrong grant password"] = "pw-grant-wrong"
	e.token(url.Values{"grant_type": {"password"}, "username": {"frank@example.com"}, "password": {demoPassword}, "scope": {"openid"}}, "web", "bad-basic-secret")
	secrets["bad basic secret"] = "bad-basic-secret"

	// Key and hash material.
	k := e.p.store.key.key
	secrets["private exponent"] = base64.RawURLEncoding.EncodeToString(k.D.Bytes())[:24]
	secrets["prime"] = base64.RawURLEncoding.EncodeToString(k.Primes[0].Bytes())[:24]
	secrets["PEM"] = "PRIVATE KEY"
	for _, u := range e.p.cfg.Users {
		secrets["hash of "+u.Email] = u.PasswordHash[len(u.PasswordHash)-20:]
	}

	logs := e.logs.String()
	if !strings.Contains(logs, "login failed") || !strings.Contains(logs, "invalid_grant") {
		t.Fatalf("logs were not captured:\n%s", logs)
	}
	for what, s := range secrets {
		for _, form := range []string{s, url.QueryEscape(s)} {
			if strings.Contains(logs, form) {
				t.Errorf("logs contain the %s", what)
			}
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", logs)
	}
	if resp := mustGet(t, e.issuer+"/.well-known/openid-configuration"); resp != http.StatusOK {
		t.Errorf("discovery after flows: %d", resp)
	}
}

func mustGet(t *testing.T, u string) int {
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
