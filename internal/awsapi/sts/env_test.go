package sts_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

	"github.com/tipgate/tipgate/internal/awsapi"
	tgoidc "github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/sts"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/identitytest"
)

// The reference setup's names.
const (
	account    = "000000000000"
	bridgeRole = "arn:aws:iam::000000000000:role/IDCBridgeRole"
	clientRole = "arn:aws:iam::000000000000:role/RedshiftDataAPIClientRole"
	noCtxRole  = "arn:aws:iam::000000000000:role/NoContextRole"
	appARN     = "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-redshiftstreamlitdemo"
	otherApp   = "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-otherapp"
	workgroup  = "redshift-tip-enabled"
	database   = "dev"
	region     = "us-east-1"
)

type env struct {
	url    string
	idp    *identitytest.IdP
	sealer *tempcreds.Sealer
	signer *tgoidc.FileSigner
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	idp := identitytest.NewIdP(t)
	ver, err := identity.NewVerifier(ctx, []config.Issuer{idp.Config()}, identity.VerifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sealer, err := tempcreds.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	store := awsapi.ChainCredentials{&tempcreds.Store{Sealer: sealer}}
	trustIdP := []sts.WebIdentityTrust{{Issuer: idp.Issuer(), Audiences: []string{"tipgate"}}}
	stsH, err := sts.New(sts.Options{Verifier: ver, Sealer: sealer, Credentials: store, Config: sts.Config{Account: account, Roles: []sts.Role{
		{ARN: bridgeRole, Trust: sts.Trust{WebIdentity: trustIdP}},
		{ARN: clientRole, MaxSessionDuration: 4 * time.Hour, Trust: sts.Trust{AssumeRole: []string{bridgeRole}, SetContext: []string{bridgeRole}, ContextApplications: []string{appARN}}},
		{ARN: noCtxRole, Trust: sts.Trust{AssumeRole: []string{bridgeRole}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := tgoidc.NewFileSigner(filepath.Join(dir, tgoidc.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	oidcH, err := tgoidc.New(tgoidc.Options{Verifier: ver, Sealer: sealer, Credentials: store, Signer: signer, Config: tgoidc.Config{
		Account: account, Issuer: "https://tipgate.test/sso-oidc", Applications: []tgoidc.Application{
			{ARN: appARN, Name: "RedshiftStreamlitDemo", Issuer: idp.Issuer(), Audiences: []string{"tipgate"}, AuthorizedCallers: []string{bridgeRole}},
			{ARN: otherApp, Name: "Other", Issuer: idp.Issuer(), Audiences: []string{"tipgate"}, AuthorizedCallers: []string{bridgeRole}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	data := awsapi.NewDataAPI(newWarehouse(t), store, awsapi.Options{})
	mux := http.NewServeMux()
	// The wiring the server needs: Data API by X-Amz-Target, STS by form
	// posts to /, SSO-OIDC at /token.
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.") {
			data.ServeHTTP(w, r)
			return
		}
		stsH.ServeHTTP(w, r)
	})
	mux.Handle("POST "+tgoidc.Path, oidcH)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{url: srv.URL, idp: idp, sealer: sealer, signer: signer}
}

func newWarehouse(t *testing.T) *dataapi.Service {
	t.Helper()
	eng := duckdbtest.New(t, 1,
		"CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2))",
		"INSERT INTO sales VALUES (1, 'asia', 1.50), (2, 'amer', 2.25), (3, 'asia', 3.00)",
		`CREATE ROLE "AWSIDC:apac"`, `CREATE ROLE "AWSIDC:amer"`,
		`GRANT SELECT ON sales TO ROLE "AWSIDC:apac", ROLE "AWSIDC:amer"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		"CREATE RLS POLICY amer WITH (region VARCHAR(10)) USING (region = 'amer')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`,
		`ATTACH RLS POLICY amer ON sales TO ROLE "AWSIDC:amer"`,
		"ALTER TABLE sales ROW LEVEL SECURITY ON",
	)
	svc, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Clients configured only through BaseEndpoint, as unmodified code would be.
func (e *env) sts(c *ststypes.Credentials) *awssts.Client {
	o := awssts.Options{Region: region, BaseEndpoint: aws.String(e.url), RetryMaxAttempts: 1}
	if c != nil {
		o.Credentials = provider(c)
	}
	return awssts.New(o)
}

func (e *env) oidc(c *ststypes.Credentials) *ssooidc.Client {
	return ssooidc.New(ssooidc.Options{Region: region, BaseEndpoint: aws.String(e.url), RetryMaxAttempts: 1, Credentials: provider(c)})
}

func (e *env) data(c *ststypes.Credentials) *redshiftdata.Client {
	return redshiftdata.New(redshiftdata.Options{Region: region, BaseEndpoint: aws.String(e.url), RetryMaxAttempts: 1, Credentials: provider(c)})
}

func provider(c *ststypes.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func (e *env) idToken(t *testing.T, email string, groups []string, ttl time.Duration) string {
	return e.idp.Mint(t, e.idp.Claims(email, groups, time.Now(), ttl))
}

// bridge runs AssumeRoleWithWebIdentity for the bridge role.
func (e *env) bridge(t *testing.T, token, session string) *awssts.AssumeRoleWithWebIdentityOutput {
	t.Helper()
	out, err := e.sts(nil).AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(bridgeRole), RoleSessionName: aws.String(session), WebIdentityToken: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// identityContext runs CreateTokenWithIAM and returns the idToken's
// sts:identity_context, checking the signature and awsAdditionalDetails.
func (e *env) identityContext(t *testing.T, bridge *ststypes.Credentials, app, token string) (string, *ssooidc.CreateTokenWithIAMOutput) {
	t.Helper()
	out, err := e.oidc(bridge).CreateTokenWithIAM(context.Background(), &ssooidc.CreateTokenWithIAMInput{
		ClientId: aws.String(app), GrantType: aws.String(tgoidc.GrantJWTBearer), Assertion: aws.String(token)})
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(aws.ToString(out.IdToken), []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	keys := e.signer.JWKS()
	payload, err := jws.Verify(keys.Keys[0].Key)
	if err != nil {
		t.Fatalf("idToken signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	ctxA, _ := claims["sts:identity_context"].(string)
	if ctxA == "" || out.AwsAdditionalDetails == nil || aws.ToString(out.AwsAdditionalDetails.IdentityContext) != ctxA {
		t.Fatalf("identity context missing or different in idToken and awsAdditionalDetails")
	}
	if claims["aud"] != app {
		t.Fatalf("idToken aud %v", claims["aud"])
	}
	return ctxA, out
}

// enhanced runs AssumeRole with the context for the client role.
func (e *env) enhanced(t *testing.T, bridge *ststypes.Credentials, assertion, session string) (*ststypes.Credentials, error) {
	out, err := e.sts(bridge).AssumeRole(context.Background(), &awssts.AssumeRoleInput{
		RoleArn: aws.String(clientRole), RoleSessionName: aws.String(session),
		ProvidedContexts: []ststypes.ProvidedContext{{ProviderArn: aws.String(sts.IdentityCenterProvider), ContextAssertion: aws.String(assertion)}}})
	if err != nil {
		return nil, err
	}
	return out.Credentials, nil
}

// flow is the whole reference flow for one user, returning the
// identity-enhanced credentials.
func (e *env) flow(t *testing.T, email string, groups []string) *ststypes.Credentials {
	t.Helper()
	tok := e.idToken(t, email, groups, time.Hour)
	b := e.bridge(t, tok, "session-"+strings.Split(email, "@")[0])
	ctxA, _ := e.identityContext(t, b.Credentials, appARN, tok)
	c, err := e.enhanced(t, b.Credentials, ctxA, strings.Split(email, "@")[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantAPIError checks the error code and HTTP status.
func wantAPIError(t *testing.T, what string, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
		return
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("%s: HTTP %d, want %d", what, re.HTTPStatusCode(), status)
	}
}

// query runs sql with c through the Data API and returns the rows' first
// column as strings.
func (e *env) query(t *testing.T, c *ststypes.Credentials, sql string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	d := e.data(c)
	out, err := d.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String(sql), WorkgroupName: aws.String(workgroup), Database: aws.String(database)})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := d.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: out.Id})
		if err != nil {
			t.Fatal(err)
		}
		if ds.Status == rsdtypes.StatusStringFinished {
			break
		}
		if ds.Status == rsdtypes.StatusStringFailed || time.Now().After(deadline) {
			t.Fatalf("statement %s: %s", ds.Status, aws.ToString(ds.Error))
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := d.GetStatementResult(ctx, &redshiftdata.GetStatementResultInput{Id: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, row := range res.Records {
		switch v := row[0].(type) {
		case *rsdtypes.FieldMemberStringValue:
			vals = append(vals, v.Value)
		default:
			t.Fatalf("unexpected field %T", v)
		}
	}
	return aws.ToString(out.Id), vals
}

// flip changes one character in the middle of a base64 string.
func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func newUntrustedIdP(t *testing.T) *identitytest.IdP { return identitytest.NewIdP(t) }
