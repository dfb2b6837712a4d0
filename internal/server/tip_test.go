package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	rsdtypes "github.com/aws/aws-sdk-go-v2/service/redshiftdata/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/server"
)

// The reference setup's names.
const (
	bridgeRole    = "arn:aws:iam::000000000000:role/IDCBridgeRole"
	clientRole    = "arn:aws:iam::000000000000:role/RedshiftDataAPIClientRole"
	untrustedRole = "arn:aws:iam::000000000000:role/UntrustedRole"
	appARN        = "arn:aws:sso::000000000000:application/ssoins-tipgatetest0001/apl-tipgatetest0001"
	tipRegion     = "us-east-1"
)

// tipConfig is the reference setup against the embedded IdP.
const tipConfig = `
[[awsapi.applications]]
arn = "` + appARN + `"
name = "RedshiftStreamlitDemo"
issuer = "{{URL}}/idp"
audiences = ["tipgate-cli"]
authorized_callers = ["` + bridgeRole + `"]

[[awsapi.roles]]
arn = "` + bridgeRole + `"
[[awsapi.roles.trust.web_identity]]
issuer = "{{URL}}/idp"
audiences = ["tipgate-cli"]

[[awsapi.roles]]
arn = "` + untrustedRole + `"
[[awsapi.roles.trust.web_identity]]
issuer = "{{URL}}/idp"
audiences = ["tipgate-cli"]

[[awsapi.roles]]
arn = "` + clientRole + `"
max_session_duration = "4h"
[awsapi.roles.trust]
assume_role = ["` + bridgeRole + `"]
set_context = ["` + bridgeRole + `"]
context_applications = ["` + appARN + `"]
`

func creds(c *ststypes.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// regionsAs runs the reference query through the Data API with the given
// credentials, checks that it runs as AWSIDC:<email>, and returns the
// distinct time-zone prefixes it saw.
func regionsAs(t *testing.T, base string, cp aws.CredentialsProvider, name, email string) []string {
	t.Helper()
	ctx := context.Background()
	d := redshiftdata.New(redshiftdata.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: cp})
	ex, err := d.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT DISTINCT split_part(timezone, '/', 1) FROM sales_data"),
		WorkgroupName: aws.String("redshift-tip-enabled"), Database: aws.String("dev")})
	if err != nil {
		t.Fatalf("%s: ExecuteStatement: %v", name, err)
	}
	if aws.ToString(ex.DbUser) != "AWSIDC:"+email {
		t.Errorf("%s: runs as %q", name, aws.ToString(ex.DbUser))
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := d.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: ex.Id})
		if err != nil {
			t.Fatalf("%s: DescribeStatement: %v", name, err)
		}
		if ds.Status == rsdtypes.StatusStringFinished {
			break
		}
		if ds.Status == rsdtypes.StatusStringFailed || time.Now().After(deadline) {
			t.Fatalf("%s: statement %s: %s", name, ds.Status, aws.ToString(ds.Error))
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := d.GetStatementResult(ctx, &redshiftdata.GetStatementResultInput{Id: ex.Id})
	if err != nil {
		t.Fatalf("%s: GetStatementResult: %v", name, err)
	}
	var got []string
	for _, row := range res.Records {
		if v, ok := row[0].(*rsdtypes.FieldMemberStringValue); ok {
			got = append(got, v.Value)
		}
	}
	return got
}

// TestTrustedIdentityPropagation runs the whole reference flow through the
// real server with the real aws-sdk-go-v2 clients, configured only by
// BaseEndpoint: embedded IdP ID token → AssumeRoleWithWebIdentity (bridge
// role) → CreateTokenWithIAM → sts:identity_context → AssumeRole with
// ProvidedContexts (client role) → Data API as the propagated user.
func TestTrustedIdentityPropagation(t *testing.T) {
	srv, logs := startServerWith(t, tipConfig)
	base := srv.URL
	ctx := context.Background()
	stsClient := func(c *ststypes.Credentials) *awssts.Client {
		o := awssts.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1}
		if c != nil {
			o.Credentials = creds(c)
		}
		return awssts.New(o)
	}
	var secrets []string
	idToken := func(email string) string {
		status, tok := postForm(t, base+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {email}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
		idTok, _ := tok["id_token"].(string)
		if status != 200 || idTok == "" {
			t.Fatalf("%s: password grant: %d %v", email, status, tok)
		}
		secrets = append(secrets, idTok)
		return idTok
	}
	webIdentity := func(role, session, tok string) (*ststypes.Credentials, error) {
		out, err := stsClient(nil).AssumeRoleWithWebIdentity(ctx, &awssts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String(role), RoleSessionName: aws.String(session), WebIdentityToken: aws.String(tok)})
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
		return out.Credentials, nil
	}
	jwks := fetchJWKS(t, base+"/sso-oidc/jwks")
	identityContext := func(bridge *ststypes.Credentials, tok string) string {
		out, err := ssooidc.New(ssooidc.Options{Region: tipRegion, BaseEndpoint: aws.String(base), RetryMaxAttempts: 1, Credentials: creds(bridge)}).
			CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN),
				GrantType: aws.String("urn:ietf:params:oauth:grant-type:jwt-bearer"), Assertion: aws.String(tok)})
		if err != nil {
			t.Fatalf("CreateTokenWithIAM: %v", err)
		}
		jws, err := jose.ParseSignedCompact(aws.ToString(out.IdToken), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := jws.Verify(&jwks)
		if err != nil {
			t.Fatalf("idToken does not verify with GET /sso-oidc/jwks: %v", err)
		}
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["iss"] != base+"/sso-oidc" {
			t.Errorf("idToken iss %v, want %s/sso-oidc", claims["iss"], base)
		}
		assertion, _ := claims["sts:identity_context"].(string)
		if assertion == "" || out.AwsAdditionalDetails == nil || aws.ToString(out.AwsAdditionalDetails.IdentityContext) != assertion {
			t.Fatal("sts:identity_context missing, or different from awsAdditionalDetails.identityContext")
		}
		secrets = append(secrets, aws.ToString(out.AccessToken), aws.ToString(out.RefreshToken), aws.ToString(out.IdToken), assertion)
		return assertion
	}
	enhanced := func(caller *ststypes.Credentials, assertion, session string) (*ststypes.Credentials, error) {
		out, err := stsClient(caller).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String(session),
			ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String("arn:aws:iam::aws:contextProvider/IdentityCenter"), ContextAssertion: aws.String(assertion)}}})
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken))
		return out.Credentials, nil
	}

	only := func(region string) func([]string) bool {
		return func(got []string) bool { return slices.Equal(got, []string{region}) }
	}
	every := func(got []string) bool {
		return len(got) > 3 && slices.Contains(got, "Asia") && slices.Contains(got, "America") && slices.Contains(got, "Europe")
	}
	for _, tc := range []struct {
		email string
		sees  func([]string) bool
	}{{"ming@example.com", only("Asia")}, {"frank@example.com", only("America")}, {"alex@example.com", only("Europe")}, {"ethan@example.com", every}} {
		name := strings.Split(tc.email, "@")[0]
		tok := idToken(tc.email)
		bridge, err := webIdentity(bridgeRole, name+"-bridge", tok)
		if err != nil {
			t.Fatalf("%s: AssumeRoleWithWebIdentity: %v", name, err)
		}
		enh, err := enhanced(bridge, identityContext(bridge, tok), name)
		if err != nil {
			t.Fatalf("%s: AssumeRole with ProvidedContexts: %v", name, err)
		}
		who, err := stsClient(enh).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/RedshiftDataAPIClientRole/"+name {
			t.Fatalf("%s: GetCallerIdentity %+v: %v", name, who, err)
		}
		got := regionsAs(t, base, creds(enh), name, tc.email)
		if !tc.sees(got) {
			t.Fatalf("%s sees %v", name, got)
		}
	}

	// Refused: a role the client role's trust rule does not name, even
	// with a valid context for the same user.
	tok := idToken("ming@example.com")
	bridge, err := webIdentity(bridgeRole, "ming-again", tok)
	if err != nil {
		t.Fatal(err)
	}
	assertion := identityContext(bridge, tok)
	other, err := webIdentity(untrustedRole, "ming-untrusted", tok)
	if err != nil {
		t.Fatal(err)
	}
	_, err = enhanced(other, assertion, "ming-untrusted")
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Fatalf("untrusted role in the trust rule: got %v, want AccessDenied (403)", err)
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tipgate_http_requests_total{binding="sts",code="200"}`, `tipgate_http_requests_total{binding="sts",code="403"} 1`,
		`tipgate_http_requests_total{binding="sso-oidc",code="200"}`, `tipgate_http_requests_total{binding="aws",code="200"}`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	time.Sleep(50 * time.Millisecond)
	text := logs.String()
	for _, s := range append(secrets, demoPassword) {
		if s != "" && strings.Contains(text, s) {
			t.Fatal("a token, secret or assertion reached the logs")
		}
	}
}

func fetchJWKS(t *testing.T, u string) jose.JSONWebKeySet {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&set) != nil || len(set.Keys) == 0 {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return set
}

// TestAWSAPIConfigRefused: trust rules naming an issuer or audience the
// verifier does not trust are configuration errors, not run-time
// InvalidIdentityToken surprises.
func TestAWSAPIConfigRefused(t *testing.T) {
	for _, tc := range []struct{ name, extra, want string }{
		{"untrusted issuer", `
[[awsapi.roles]]
arn = "` + bridgeRole + `"
[[awsapi.roles.trust.web_identity]]
issuer = "https://idp.elsewhere.example"
audiences = ["tipgate-cli"]
`, "awsapi.roles[0].trust.web_identity[0]: issuer https://idp.elsewhere.example is not a trusted issuer"},
		{"unknown audience", `
[[awsapi.applications]]
arn = "` + appARN + `"
issuer = "{{URL}}/idp"
audiences = ["someone-else"]
authorized_callers = ["` + bridgeRole + `"]
`, `awsapi.applications[0]: audience "someone-else" is not one of issuer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			u := "http://" + ln.Addr().String()
			cfg, err := config.Parse([]byte(`
[server]
listen = "127.0.0.1:0"
data_dir = "` + filepath.Join(t.TempDir(), "data") + `"
[idp]
enabled = true
users_file = "unused"
[[idp.clients]]
id = "tipgate-cli"
public = true
grants = ["password"]
` + strings.ReplaceAll(tc.extra, "{{URL}}", u)))
			if err != nil {
				t.Fatal(err)
			}
			users, err := idp.DemoUsers(demoPassword)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := server.New(context.Background(), cfg, server.Options{IDPUsers: users, Listener: ln})
			if err == nil {
				srv.Close()
				t.Fatal("server started with an impossible trust rule")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q lacks %q", err, tc.want)
			}
		})
	}
}
