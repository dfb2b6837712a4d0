package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/testenv/demoserver"
	"github.com/tipgate/tipgate/internal/web"
)

// TestAssignmentRequired: with [web] assignment = "required", an assigned
// user (by group or by name) gets the dashboard; anyone else is told, on
// a page, that they are not assigned, and the API refuses them too.
func TestAssignmentRequired(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte("dashboard-secret-for-tests-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := demoserver.Start(t, demoserver.Options{Rows: 500, Extra: `
[[idp.clients]]
id = "` + dashboardClient + `"
secret = "dashboard-secret-for-tests-0123456789"
redirect_uris = ["{{URL}}/auth/callback"]
post_logout_redirect_uris = ["{{URL}}/signed-out"]
grants = ["authorization_code"]
[web]
enabled = true
issuer = "{{URL}}/idp"
client_id = "` + dashboardClient + `"
client_secret_file = "` + secret + `"
scopes = ["openid", "email", "profile", "groups"]
assignment = "required"
assigned_groups = ["apac-sales"]
assigned_users = ["Frank@example.com"]
`})
	for _, tc := range []struct {
		email    string
		assigned bool
	}{
		{"ming@example.com", true},
		{"frank@example.com", true},
		{"alex@example.com", false},
	} {
		b := newBrowser(t, s.URL)
		resp, page := b.Follow(s.URL + web.LoginPath + "?return=%2Fapp%2F")
		final, page := b.SubmitLogin(resp, page, map[string]string{"email": tc.email, "password": demoserver.Password})
		var m me
		st := b.GetJSON("/app/api/me", &m)
		if tc.assigned {
			if final.StatusCode != http.StatusOK || st != http.StatusOK {
				t.Errorf("%s: sign-in %d, /me %d", tc.email, final.StatusCode, st)
			}
			continue
		}
		if final.StatusCode != http.StatusForbidden || !strings.Contains(page, "not assigned to the tipgate dashboard") {
			t.Errorf("%s: sign-in answered %d without the not-assigned page", tc.email, final.StatusCode)
		}
		if st != http.StatusUnauthorized && st != http.StatusForbidden {
			t.Errorf("%s: /me answered %d", tc.email, st)
		}
	}
}
