package server

import (
	"reflect"
	"testing"

	"github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/sts"
	"github.com/tipgate/tipgate/internal/config"
)

// TestOktaFaceIsTheSameIssuer: roles and applications that trust the
// embedded IdP at /idp also trust its Okta face, for the same audiences;
// trust in any other issuer is left alone, and without an Okta listener
// nothing changes.
func TestOktaFaceIsTheSameIssuer(t *testing.T) {
	const main, okta, other = "https://127.0.0.1:8080", "https://127.0.0.1:8081", "https://idp.example"
	roles := func(extra ...sts.WebIdentityTrust) sts.Config {
		return sts.Config{Roles: []sts.Role{
			{ARN: "bridge", Trust: sts.Trust{WebIdentity: append([]sts.WebIdentityTrust{{Issuer: main + "/idp", Audiences: []string{"cli", "streamlit"}}}, extra...)}},
			{ARN: "external", Trust: sts.Trust{WebIdentity: []sts.WebIdentityTrust{{Issuer: other, Audiences: []string{"x"}}}}},
			{ARN: "client", Trust: sts.Trust{AssumeRole: []string{"bridge"}}},
		}}
	}
	apps := func(same ...string) ssooidc.Config {
		return ssooidc.Config{Applications: []ssooidc.Application{
			{ARN: "a", Issuer: main + "/idp", Audiences: []string{"cli"}, SameIssuers: same},
			{ARN: "b", Issuer: other, Audiences: []string{"x"}},
		}}
	}
	for _, tc := range []struct {
		name     string
		oktaURL  string
		wantSTS  sts.Config
		wantOIDC ssooidc.Config
	}{
		{"with the Okta face", okta, roles(sts.WebIdentityTrust{Issuer: okta, Audiences: []string{"cli", "streamlit"}}), apps(okta)},
		{"without it", "", roles(), apps()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{cfg: &config.Config{}, URL: main, OktaURL: tc.oktaURL}
			if got := s.sameIssuerSTS(roles()); !reflect.DeepEqual(got, tc.wantSTS) {
				t.Errorf("STS:\n got %+v\nwant %+v", got, tc.wantSTS)
			}
			if got := s.sameIssuerSSOOIDC(apps()); !reflect.DeepEqual(got, tc.wantOIDC) {
				t.Errorf("SSO-OIDC:\n got %+v\nwant %+v", got, tc.wantOIDC)
			}
		})
	}
}
