package ssooidc

import "testing"

// TestTrustedIssuer: an application trusts its issuer and the other URLs
// of the same issuer (the embedded IdP's Okta face), nothing else; a
// trailing slash does not make another issuer.
func TestTrustedIssuer(t *testing.T) {
	app := &Application{Issuer: "https://127.0.0.1:8080/idp", SameIssuers: []string{"https://127.0.0.1:8081"}}
	for _, tc := range []struct {
		iss  string
		want bool
	}{
		{"https://127.0.0.1:8080/idp", true},
		{"https://127.0.0.1:8080/idp/", true},
		{"https://127.0.0.1:8081", true},
		{"https://127.0.0.1:8081/", true},
		{"https://127.0.0.1:8080", false},
		{"https://127.0.0.1:8081/idp", false},
		{"http://127.0.0.1:8081", false},
		{"", false},
	} {
		if got := app.trusts(tc.iss); got != tc.want {
			t.Errorf("trusts(%q) = %v, want %v", tc.iss, got, tc.want)
		}
	}
	if (&Application{Issuer: "https://idp.example"}).trusts("https://127.0.0.1:8081") {
		t.Error("an application without SameIssuers trusts another issuer")
	}
}
