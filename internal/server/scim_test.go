package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/testenv/demoserver"
	"github.com/tipgate/tipgate/internal/testenv/webclient"
	"github.com/tipgate/tipgate/internal/web"
)

// scimCall sends one SCIM request as the provisioning client.
func scimCall(t *testing.T, base, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+scim.Path+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// TestSCIMLifecycle is the reference lifecycle end to end through the real
// server: the IdP provisions ming and apac-sales over SCIM; ming signs in
// (token exchange, the dashboard, and the trusted identity propagation
// flow with the AWS SDKs for Go, JavaScript and Python); removing her from apac-sales makes her
// next statement see no rows on every binding; deactivating her (as Entra
// ID sends it) refuses her REST session, her identity-enhanced
// credentials and her dashboard session within a second; reactivating
// restores access; every change is in the audit log.
func TestSCIMLifecycle(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte("dashboard-secret-for-tests-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := demoserver.Start(t, demoserver.Options{IDPClients: `groups_source = "scim"
[[idp.clients]]
id = "tipgate-cli"
public = true
grants = ["password", "refresh_token"]
`, Extra: `
[[idp.clients]]
id = "tipgate-dashboard"
secret = "dashboard-secret-for-tests-0123456789"
redirect_uris = ["{{URL}}/auth/callback"]
post_logout_redirect_uris = ["{{URL}}/signed-out"]
grants = ["authorization_code"]
` + tipConfig + `
[web]
enabled = true
issuer = "{{URL}}/idp"
client_id = "tipgate-dashboard"
client_secret_file = "` + secret + `"
scopes = ["openid", "email", "profile", "groups"]
`})
	base := s.URL
	ctx := context.Background()
	store, err := scim.OpenFileStore(filepath.Join(s.DataDir(), "scim"))
	if err != nil {
		t.Fatal(err)
	}
	token, err := scim.IssueClientToken(ctx, store, "demo-idp", time.Now())
	if err != nil {
		t.Fatal(err)
	}

	idToken := func(email string) string {
		status, tok := postForm(t, base+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {email}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
		idTok, _ := tok["id_token"].(string)
		if status != 200 || idTok == "" {
			t.Fatalf("%s: password grant: %d %v", email, status, tok)
		}
		return idTok
	}
	exchange := func(idTok string) (int, string) {
		status, ex := postForm(t, base+"/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token": {idTok}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
		tok, _ := ex["access_token"].(string)
		return status, tok
	}

	// Not provisioned yet: the IdP's token alone does not make a principal.
	if status, _ := exchange(idToken("ming@example.com")); status == 200 {
		t.Fatal("token exchange for a user not provisioned succeeded")
	}

	// Provisioning, as the IdP does it.
	st, u := scimCall(t, base, token, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":"ming@example.com","externalId":"00uming","active":true,"emails":[{"primary":true,"type":"work","value":"ming@example.com"}]}`)
	if st != 201 {
		t.Fatalf("provision ming: %d %v", st, u)
	}
	ming := u["id"].(string)
	st, g := scimCall(t, base, token, "POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"displayName":"apac-sales","members":[{"value":%q}]}`, ming))
	if st != 201 {
		t.Fatalf("provision apac-sales: %d %v", st, g)
	}
	apac := g["id"].(string)

	// REST session.
	status, session := exchange(idToken("ming@example.com"))
	if status != 200 {
		t.Fatalf("token exchange after provisioning: %d", status)
	}
	restRegions := func() (int, []string) {
		status, out := rest(t, "POST", base+"/v1/statements", session,
			`{"Sql":"SELECT DISTINCT split_part(timezone, '/', 1) FROM sales_data","WaitTimeSeconds":20}`)
		if status != 200 {
			return status, nil
		}
		_, res := rest(t, "GET", base+"/v1/statements/"+out["Id"].(string)+"/result", session, "")
		var got []string
		recs, _ := res["Records"].([]any)
		for _, r := range recs {
			got = append(got, r.([]any)[0].(map[string]any)["stringValue"].(string))
		}
		return status, got
	}

	// Identity-enhanced credentials (trusted identity propagation).
	stsClient := func(c *ststypes.Credentials) *awssts.Client {
		o := awssts.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1}
		if c != nil {
			o.Credentials = creds(c)
		}
		return awssts.New(o)
	}
	tok := idToken("ming@example.com")
	bridge, err := stsClient(nil).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(bridgeRole), RoleSessionName: aws.String("bridge"), WebIdentityToken: aws.String(tok)})
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	tti, err := ssooidc.New(ssooidc.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: creds(bridge.Credentials)}).
		CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN),
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:jwt-bearer"), Assertion: aws.String(tok)})
	if err != nil {
		t.Fatalf("CreateTokenWithIAM: %v", err)
	}
	enh, err := stsClient(bridge.Credentials).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String("ming"),
		ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"),
			ContextAssertion: tti.AwsAdditionalDetails.IdentityContext}}})
	if err != nil {
		t.Fatalf("AssumeRole with context: %v", err)
	}
	sdk := redshiftdata.New(redshiftdata.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: creds(enh.Credentials)})
	sdkStatement := func() error {
		_, err := sdk.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"),
			WorkgroupName: aws.String("redshift-tip-enabled"), Database: aws.String("dev")})
		return err
	}

	// Dashboard session.
	b := webclient.New(t, base)
	resp, page := b.Follow(base + web.LoginPath + "?return=%2Fapp%2F")
	final, _ := b.SubmitLogin(resp, page, map[string]string{"email": "ming@example.com", "password": demoserver.Password})
	if final.StatusCode != 200 {
		t.Fatalf("dashboard sign-in: %d %s", final.StatusCode, final.Request.URL)
	}
	dashboard := func() (int, []string) {
		var me struct {
			Groups []string `json:"groups"`
		}
		st := b.GetJSON("/app/api/me", &me)
		return st, me.Groups
	}

	// The JavaScript and Python SDKs hold on to their own identity-enhanced
	// credentials (TIPGATE_CREDENTIALS_FILE) across the changes below.
	runners := sdkRunners(t)
	credDir := t.TempDir()
	sdkFlows := func(step string, wantRegions []string, wantErr string) {
		t.Helper()
		for _, r := range runners {
			got, errName, stderr := runFlow(t, r, sdkEnv(t, base, tok, map[string]string{
				"TIPGATE_SESSION_NAME": "scim-" + r.name, "TIPGATE_CREDENTIALS_FILE": filepath.Join(credDir, r.name+".json")}))
			if wantErr != "" {
				if errName != wantErr {
					t.Errorf("%s: %s SDK: rows %v, error %q; want %s\n%s", step, r.name, got, errName, wantErr, stderr)
				}
				continue
			}
			if errName != "" || !slices.Equal(got, wantRegions) {
				t.Errorf("%s: %s SDK: rows %v, error %q; want %v\n%s", step, r.name, got, errName, wantRegions, stderr)
			}
		}
	}
	sdkFlows("provisioned in apac-sales", []string{"Asia"}, "")

	check := func(step string, wantRegions []string) {
		t.Helper()
		if st, got := restRegions(); st != 200 || !slices.Equal(got, wantRegions) {
			t.Errorf("%s: REST sees %v (%d), want %v", step, got, st, wantRegions)
		}
		if got := regionsAs(t, base, creds(enh.Credentials), step, "ming@example.com"); !slices.Equal(got, wantRegions) {
			t.Errorf("%s: SDK sees %v, want %v", step, got, wantRegions)
		}
	}
	check("provisioned in apac-sales", []string{"Asia"})
	// The provisioned directory is visible to each user as their own row
	// (frank is provisioned too, and not shown to ming).
	if st, _ := scimCall(t, base, token, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"frank@example.com"}`); st != 201 {
		t.Fatalf("provision frank: %d", st)
	}
	if st, out := rest(t, "POST", base+"/v1/statements", session,
		`{"Sql":"SELECT user_name, active, groups, provisioned_by FROM svv_provisioned_users","WaitTimeSeconds":20}`); st != 200 || out["Status"] != "FINISHED" {
		t.Errorf("svv_provisioned_users: %d %v", st, out)
	} else {
		_, res := rest(t, "GET", base+"/v1/statements/"+out["Id"].(string)+"/result", session, "")
		if got := fmt.Sprint(res["Records"]); got != "[[map[stringValue:ming@example.com] map[booleanValue:true] map[stringValue:apac-sales] map[stringValue:demo-idp]]]" {
			t.Errorf("ming's svv_provisioned_users: %s", got)
		}
	}
	// From here on the catalog must not change: a principal's roles come
	// with its identity, and the policy contexts are keyed by them.
	before := s.Engine().Catalog()
	if st, gs := dashboard(); st != 200 || !slices.Equal(gs, []string{"apac-sales"}) {
		t.Fatalf("dashboard /me: %d %v", st, gs)
	}

	// Okta removes the membership: the next statement sees no rows.
	if st, body := scimCall(t, base, token, "PATCH", "/Groups/"+apac, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, ming)); st != 200 {
		t.Fatalf("remove member: %d %v", st, body)
	}
	// With no group she holds no role that may read sales_data: Redshift's
	// permission error, so no rows, on both bindings.
	if st, out := rest(t, "POST", base+"/v1/statements", session,
		`{"Sql":"SELECT DISTINCT split_part(timezone, '/', 1) FROM sales_data","WaitTimeSeconds":20}`); st != 200 ||
		out["Status"] != "FAILED" {
		t.Errorf("REST after removal: %d %v", st, out)
	} else if _, d := rest(t, "GET", base+"/v1/statements/"+out["Id"].(string), session, ""); !strings.Contains(fmt.Sprint(d["Error"]), "permission denied") {
		t.Errorf("REST after removal: %v", d)
	}
	ex, err := sdk.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT count(*) FROM sales_data"),
		WorkgroupName: aws.String("redshift-tip-enabled"), Database: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ds, err := sdk.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: ex.Id})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Status == "FAILED" {
			if !strings.Contains(aws.ToString(ds.Error), "permission denied") {
				t.Errorf("SDK after removal: %s", aws.ToString(ds.Error))
			}
			break
		}
		if ds.Status == "FINISHED" || time.Now().After(deadline) {
			t.Fatalf("SDK after removal: %s, want permission denied", ds.Status)
		}
	}
	if st, gs := dashboard(); st != 200 || len(gs) != 0 {
		t.Errorf("dashboard after removal: %d %v", st, gs)
	}
	sdkFlows("removed from apac-sales", nil, "StatementFAILED")

	// Entra ID deactivates: every entry refuses within a second. Each entry
	// is probed first thing after a deactivation of its own (and ming is
	// reactivated after it), so the refusal is shown for a request that
	// starts right when the SCIM change has been answered; ID tokens are
	// minted beforehand, as a client would hold them.
	deactivate := func() {
		t.Helper()
		if st, body := scimCall(t, base, token, "PATCH", "/Users/"+ming, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"False"}]}`); st != 200 {
			t.Fatalf("deactivate: %d %v", st, body)
		}
	}
	reactivate := func() {
		t.Helper()
		if st, body := scimCall(t, base, token, "PATCH", "/Users/"+ming, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"Replace","path":"active","value":"True"}]}`); st != 200 {
			t.Fatalf("reactivate: %d %v", st, body)
		}
	}
	heldTokens := []string{idToken("ming@example.com"), idToken("ming@example.com")}
	for _, probe := range []struct {
		entry   string
		refused func() (bool, string)
	}{
		{"REST session token", func() (bool, string) { st, _ := restRegions(); return st == 401, fmt.Sprint(st) }},
		{"identity-enhanced SigV4 credentials", func() (bool, string) {
			err := sdkStatement()
			return err != nil && strings.Contains(err.Error(), "UnrecognizedClientException"), fmt.Sprint(err)
		}},
		{"dashboard session", func() (bool, string) { st, _ := dashboard(); return st == 401 || st == 403, fmt.Sprint(st) }},
		{"token exchange", func() (bool, string) { st, _ := exchange(heldTokens[0]); return st != 200, fmt.Sprint(st) }},
		{"SSO-OIDC refresh token", func() (bool, string) {
			_, err := ssooidc.New(ssooidc.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: creds(bridge.Credentials)}).
				CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"),
					RefreshToken: tti.RefreshToken})
			return err != nil && strings.Contains(err.Error(), "InvalidGrantException"), fmt.Sprint(err)
		}},
		{"STS AssumeRole with a held context assertion", func() (bool, string) {
			_, err := stsClient(bridge.Credentials).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String("ming2"),
				ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"),
					ContextAssertion: tti.AwsAdditionalDetails.IdentityContext}}})
			return err != nil && strings.Contains(err.Error(), "AccessDenied"), fmt.Sprint(err)
		}},
		{"STS AssumeRoleWithWebIdentity", func() (bool, string) {
			_, err := stsClient(nil).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
				RoleArn: aws.String(bridgeRole), RoleSessionName: aws.String("bridge2"), WebIdentityToken: aws.String(heldTokens[1])})
			return err != nil && strings.Contains(err.Error(), "InvalidIdentityToken"), fmt.Sprint(err)
		}},
	} {
		deactivate()
		answered := time.Now()
		ok, detail := probe.refused()
		took := time.Since(answered)
		if !ok {
			t.Errorf("%s of a deactivated user was not refused: %s", probe.entry, detail)
		}
		if took > time.Second {
			t.Errorf("%s: the refusal took %v", probe.entry, took)
		}
		t.Logf("%s refused %v after the deactivation was answered", probe.entry, took.Round(time.Millisecond))
		reactivate()
	}
	deactivate()
	sdkFlows("deactivated", nil, "UnrecognizedClientException")

	// Reactivated and back in the group: the same credentials work again.
	reactivate()
	scimCall(t, base, token, "PATCH", "/Groups/"+apac, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, ming))
	check("reactivated", []string{"Asia"})
	sdkFlows("reactivated", []string{"Asia"}, "")
	if st, gs := dashboard(); st != 200 || !slices.Equal(gs, []string{"apac-sales"}) {
		t.Errorf("dashboard after reactivation: %d %v", st, gs)
	}

	if after := s.Engine().Catalog(); after.Version != before.Version || after.PolicyVersion != before.PolicyVersion {
		t.Errorf("provisioning changes moved the catalog: version %d → %d, policy version %d → %d",
			before.Version, after.Version, before.PolicyVersion, after.PolicyVersion)
	}

	// Every change is in the audit log, with the provisioning client.
	time.Sleep(50 * time.Millisecond)
	auditLog, err := os.ReadFile(filepath.Join(s.DataDir(), "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"create User " + ming + ": active=true", "create Group " + apac + ": +member " + ming,
		"patch Group " + apac + ": -member " + ming, "patch User " + ming + ": active=false",
		"patch User " + ming + ": active=true", "patch Group " + apac + ": +member " + ming,
	} {
		if !bytes.Contains(auditLog, []byte(want)) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	if strings.Contains(s.Logs.String(), token) || bytes.Contains(auditLog, []byte(token)) {
		t.Error("the provisioning token reached the log or the audit")
	}
}
