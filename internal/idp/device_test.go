package idp

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func (e *env) startDevice(clientID, scope string) map[string]any {
	e.t.Helper()
	resp, err := http.PostForm(e.disc.Device, url.Values{"client_id": {clientID}, "scope": {scope}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		e.t.Fatalf("device authorization: %s %v %v", resp.Status, out, err)
	}
	return out
}

func (e *env) pollDevice(clientID, deviceCode string) (int, map[string]any) {
	return e.token(url.Values{"grant_type": {GrantDeviceCode}, "client_id": {clientID}, "device_code": {deviceCode}}, "", "")
}

func TestDeviceFlow(t *testing.T) {
	e := newEnv(t)
	start := e.startDevice("nopw", "openid email profile")
	deviceCode, userCode := start["device_code"].(string), start["user_code"].(string)
	if !strings.HasPrefix(start["verification_uri"].(string), e.issuer+"/device") {
		t.Fatalf("verification_uri = %v", start["verification_uri"])
	}

	if status, out := e.pollDevice("nopw", deviceCode); status != http.StatusBadRequest || out["error"] != "authorization_pending" {
		t.Fatalf("first poll: %d %v, want authorization_pending", status, out)
	}

	// The person opens the complete verification URI: the code is prefilled.
	resp, body := e.get(start["verification_uri_complete"].(string))
	form := parseForm(t, body)
	if form.fields["user_code"] != userCode || !form.labelled["user_code"] || !form.labelled["password"] {
		t.Fatalf("device page form = %+v", form)
	}
	for _, tc := range []struct{ name, code, password, want string }{
		{"wrong code", "BBBB-BBBB", demoPassword, msgBadUserCode},
		{"wrong password", userCode, "nope", msgBadCredentials},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, body := e.submit(resp.Request.URL, form, map[string]string{"user_code": tc.code, "email": "ming@example.com", "password": tc.password})
			if !strings.Contains(body, tc.want) {
				t.Fatalf("page lacks %q", tc.want)
			}
		})
	}
	if status, out := e.pollDevice("nopw", deviceCode); out["error"] != "authorization_pending" {
		t.Fatalf("poll after failed attempts: %d %v", status, out)
	}
	_, body = e.submit(resp.Request.URL, form, map[string]string{"user_code": strings.ToLower(userCode), "email": "ming@example.com", "password": demoPassword})
	if !strings.Contains(body, "Device connected") {
		t.Fatalf("approval page:\n%s", body)
	}

	if status, out := e.pollDevice("cli", deviceCode); status == http.StatusOK {
		t.Fatalf("another client redeemed the device code: %v", out)
	}
	status, tok := e.pollDevice("nopw", deviceCode)
	if status != http.StatusOK {
		t.Fatalf("poll after approval: %d %v", status, tok)
	}
	claims := e.verifyIDToken(tok["id_token"].(string), "nopw")
	if claims["email"] != "ming@example.com" {
		t.Errorf("device ID token email = %v", claims["email"])
	}
	if status, out := e.pollDevice("nopw", deviceCode); status == http.StatusOK {
		t.Errorf("device code redeemed twice: %v", out)
	}
}

func TestDeviceFlowRefusesClientWithoutGrant(t *testing.T) {
	e := newEnv(t)
	resp, err := http.PostForm(e.disc.Device, url.Values{"client_id": {"web"}, "scope": {"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("device authorization for web: %s, want 400", resp.Status)
	}
}

func TestPasswordGrant(t *testing.T) {
	form := func(client, user, pw string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {client}, "username": {user}, "password": {pw}, "scope": {"openid email offline_access"}}
	}
	for _, tc := range []struct {
		name    string
		enabled bool
		form    url.Values
		basic   [2]string
		status  int
		wantErr string
	}{
		{"enabled, allowed public client", true, form("cli", "ethan@example.com", demoPassword), [2]string{}, http.StatusOK, ""},
		{"enabled, wrong password", true, form("cli", "ethan@example.com", "bad"), [2]string{}, http.StatusBadRequest, "invalid_grant"},
		{"enabled, unknown user", true, form("cli", "eve@example.com", demoPassword), [2]string{}, http.StatusBadRequest, "invalid_grant"},
		{"enabled, client without the grant", true, form("nopw", "ethan@example.com", demoPassword), [2]string{}, http.StatusBadRequest, "unauthorized_client"},
		{"enabled, confidential client with bad secret", true, form("", "ethan@example.com", demoPassword), [2]string{"web", "wrong"}, http.StatusUnauthorized, "invalid_client"},
		{"enabled, confidential client, form secret, grant not allowed", true, withSecret(form("web", "ethan@example.com", demoPassword), webSecret), [2]string{}, http.StatusBadRequest, "unauthorized_client"},
		{"enabled, confidential client, wrong form secret", true, withSecret(form("web", "ethan@example.com", demoPassword), "nope"), [2]string{}, http.StatusUnauthorized, "invalid_client"},
		{"enabled, confidential client, no secret", true, form("web", "ethan@example.com", demoPassword), [2]string{}, http.StatusUnauthorized, "invalid_client"},
		{"disabled", false, form("cli", "ethan@example.com", demoPassword), [2]string{}, http.StatusBadRequest, "unsupported_grant_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.EnablePasswordGrant = tc.enabled })
			status, tok := e.token(tc.form, tc.basic[0], tc.basic[1])
			if status != tc.status || (tc.wantErr != "" && tok["error"] != tc.wantErr) {
				t.Fatalf("got %d %v, want %d %s", status, tok, tc.status, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			claims := e.verifyIDToken(tok["id_token"].(string), "cli")
			if claims["email"] != "ethan@example.com" {
				t.Errorf("email = %v", claims["email"])
			}
			if st, info := e.userinfo(tok["access_token"].(string)); st != http.StatusOK || info["email"] != "ethan@example.com" {
				t.Errorf("userinfo with password-grant token: %d %v", st, info)
			}
			rs, _ := e.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {"cli"}, "refresh_token": {tok["refresh_token"].(string)}}, "", "")
			if rs != http.StatusOK {
				t.Errorf("refresh of password-grant token: %d", rs)
			}
		})
	}
}

func withSecret(v url.Values, secret string) url.Values {
	v.Set("client_secret", secret)
	return v
}
