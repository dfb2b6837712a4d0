package server_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/tipgate/tipgate/internal/testenv/keycloak"
	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
	"github.com/tipgate/tipgate/internal/testenv/webclient"
	"github.com/tipgate/tipgate/internal/web"
)

// One Keycloak for every test of this package.
// TestMain: one Keycloak and one Trino cluster (with its PostgreSQL) for the
// whole binary, each started by the first test that needs it.
func TestMain(m *testing.M) { os.Exit(trinoserver.Run(func() int { return keycloak.Main(m) })) }

// keycloakTIPConfig is the reference setup with a real Keycloak realm as
// the external IdP: a trusted issuer (audience = its confidential client),
// the application and the bridge role's web-identity trust naming it.
func keycloakTIPConfig(kc *keycloak.Keycloak) string {
	return `
[[identity.issuers]]
issuer = "` + kc.Issuer + `"
audiences = ["` + kc.ClientID + `"]
groups_claim = "` + keycloak.GroupsClaim + `"

[[awsapi.applications]]
arn = "` + appARN + `"
name = "RedshiftStreamlitDemo"
issuer = "` + kc.Issuer + `"
audiences = ["` + kc.ClientID + `"]
user_claim = "email"
authorized_callers = ["` + bridgeRole + `"]

[[awsapi.roles]]
arn = "` + bridgeRole + `"
[[awsapi.roles.trust.web_identity]]
issuer = "` + kc.Issuer + `"
audiences = ["` + kc.ClientID + `"]

[[awsapi.roles]]
arn = "` + clientRole + `"
[awsapi.roles.trust]
assume_role = ["` + bridgeRole + `"]
set_context = ["` + bridgeRole + `"]
context_applications = ["` + appARN + `"]
`
}

// TestKeycloakTrustedIdentityPropagation runs the reference flow with the
// real aws-sdk-go-v2 clients and ID tokens from a real Keycloak: Keycloak ID
// token → AssumeRoleWithWebIdentity (bridge role) → CreateTokenWithIAM →
// sts:identity_context → AssumeRole with ProvidedContexts → Data API. ming
// sees only Asia, frank only the Americas. It never skips: if Keycloak cannot
// be fetched or started the test fails with the harness's message.
func TestKeycloakTrustedIdentityPropagation(t *testing.T) {
	t0 := time.Now()
	kc := keycloak.Start(t)
	t.Logf("keycloak %s at %s: fetch %s, start %s", kc.Version, kc.Issuer,
		kc.FetchDuration.Round(10*time.Millisecond), kc.StartDuration.Round(100*time.Millisecond))
	srv, logs := startServerWith(t, keycloakTIPConfig(kc))
	base := srv.URL
	ctx := context.Background()
	secrets := []string{keycloak.TestPassword, kc.ClientSecret}

	for _, tc := range []struct{ email, sees string }{{"ming@example.com", "Asia"}, {"frank@example.com", "America"}} {
		name := strings.Split(tc.email, "@")[0]
		tok := kc.IDToken(t, tc.email)
		secrets = append(secrets, tok)
		if iss := jwtClaims(t, tok)["iss"]; iss != kc.Issuer {
			t.Fatalf("%s: ID token iss %v, want %s", name, iss, kc.Issuer)
		}

		web, err := awssts.New(awssts.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1}).
			AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(bridgeRole), RoleSessionName: aws.String(name + "-bridge"), WebIdentityToken: aws.String(tok)})
		if err != nil {
			t.Fatalf("%s: AssumeRoleWithWebIdentity with a Keycloak ID token: %v", name, err)
		}
		if got := aws.ToString(web.Provider); got != kc.Issuer && got != strings.TrimPrefix(kc.Issuer, "http://") {
			t.Errorf("%s: Provider %q, want the Keycloak issuer", name, got)
		}
		if got := aws.ToString(web.Audience); got != kc.ClientID {
			t.Errorf("%s: Audience %q, want %s", name, got, kc.ClientID)
		}
		bridge := creds(web.Credentials)

		out, err := ssooidc.New(ssooidc.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: bridge}).
			CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN),
				GrantType: aws.String("urn:ietf:params:oauth:grant-type:jwt-bearer"), Assertion: aws.String(tok)})
		if err != nil {
			t.Fatalf("%s: CreateTokenWithIAM with a Keycloak ID token: %v", name, err)
		}
		assertion, _ := jwtClaims(t, aws.ToString(out.IdToken))["sts:identity_context"].(string)
		if assertion == "" {
			t.Fatalf("%s: idToken has no sts:identity_context", name)
		}
		secrets = append(secrets, aws.ToString(out.AccessToken), aws.ToString(out.RefreshToken), aws.ToString(out.IdToken), assertion)

		enh, err := awssts.New(awssts.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: bridge}).
			AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String(name),
				ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"), ContextAssertion: aws.String(assertion)}}})
		if err != nil {
			t.Fatalf("%s: AssumeRole with ProvidedContexts: %v", name, err)
		}
		secrets = append(secrets, aws.ToString(web.Credentials.SecretAccessKey), aws.ToString(enh.Credentials.SecretAccessKey), aws.ToString(enh.Credentials.SessionToken))

		got := regionsAs(t, base, creds(enh.Credentials), name, tc.email)
		if !slices.Equal(got, []string{tc.sees}) {
			t.Fatalf("%s sees %v, want only %s", name, got, tc.sees)
		}
	}
	t.Logf("whole test %s", time.Since(t0).Round(100*time.Millisecond))

	time.Sleep(50 * time.Millisecond)
	text := logs.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Fatal("a token, secret or assertion reached the logs")
		}
	}
}

// jwtClaims decodes a JWT's payload without verifying it.
func jwtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT (%d parts)", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestKeycloakDashboardSignIn signs in to the dashboard through Keycloak's
// real login page (authorization code + PKCE, confidential client), checks
// that ming's panels show Asia only, and signs out of tipgate and of
// Keycloak (RP-initiated logout): the next sign-in asks for the password
// again.
func TestKeycloakDashboardSignIn(t *testing.T) {
	kc := keycloak.Start(t)
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte(kc.ClientSecret), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, logs := startServerWith(t, keycloakTIPConfig(kc)+`
[web]
enabled = true
issuer = "`+kc.Issuer+`"
client_id = "`+kc.ClientID+`"
client_secret_file = "`+secret+`"
`)
	b := webclient.New(t, srv.URL)
	resp, page := b.Follow(srv.URL + web.LoginPath + "?return=%2Fapp%2F")
	if !strings.HasPrefix(resp.Request.URL.String(), kc.Issuer) {
		t.Fatalf("sign-in went to %s, not to Keycloak", resp.Request.URL)
	}
	final, _ := b.SubmitLogin(resp, page, map[string]string{"username": "ming@example.com", "password": keycloak.TestPassword})
	if final.StatusCode != http.StatusOK || final.Request.URL.String() != srv.URL+web.AppPath {
		t.Fatalf("after Keycloak's login page: %d %s", final.StatusCode, final.Request.URL)
	}
	var me struct {
		User      string
		Groups    []string
		CSRFToken string
	}
	if b.GetJSON("/app/api/me", &me); me.User != "AWSIDC:ming@example.com" || !slices.Equal(me.Groups, []string{"apac-sales"}) {
		t.Fatalf("me = %+v", me)
	}
	var regions struct{ Rows []map[string]any }
	b.GetJSON("/app/api/panels/regions", &regions)
	if len(regions.Rows) != 1 || regions.Rows[0]["region"] != "Asia" {
		t.Fatalf("ming's regions through Keycloak sign-in: %+v", regions.Rows)
	}
	var out struct{ Redirect string }
	if st := b.SendJSON(http.MethodPost, web.LogoutPath, me.CSRFToken, nil, &out); st != http.StatusOK || !strings.HasPrefix(out.Redirect, kc.Issuer) {
		t.Fatalf("logout: %d %q", st, out.Redirect)
	}
	final, _ = b.Follow(out.Redirect)
	if final.Request.URL.String() != srv.URL+web.SignedOutPath {
		t.Fatalf("Keycloak's logout ended at %s", final.Request.URL)
	}
	// Keycloak's session is gone too: signing in again shows its login form.
	resp, page = b.Follow(srv.URL + web.LoginPath)
	if !strings.HasPrefix(resp.Request.URL.String(), kc.Issuer) || !strings.Contains(page, `type="password"`) {
		t.Errorf("after sign-out, sign-in did not ask Keycloak for a password: %s", resp.Request.URL)
	}
	if strings.Contains(logs.String(), kc.ClientSecret) || strings.Contains(logs.String(), keycloak.TestPassword) {
		t.Error("a secret reached the log")
	}
}
