package ssooidc_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"

	"github.com/tipgate/tipgate/internal/awsapi"
	tgoidc "github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/identitytest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	appARN   = "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-redshiftstreamlitdemo"
	narrow   = "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-narrow"
	assigned = "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-assigned"
	akid     = "AKIDTIPGATEAPPUSER01"
	secret   = "app-user-secret-0123456789"
	akidNope = "AKIDTIPGATEOTHERUSR1"
)

type env struct {
	url          string
	idp, foreign *identitytest.IdP
	sealer       *tempcreds.Sealer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	idp, foreign := identitytest.NewIdP(t), identitytest.NewIdP(t)
	// Both issuers are trusted by tipgate; the application trusts only idp.
	ver, err := identity.NewVerifier(context.Background(), []config.Issuer{idp.Config(), foreign.Config()}, identity.VerifierOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sealer, err := tempcreds.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	app, _ := identity.Simulated("app", "IAM", nil)
	other, _ := identity.Simulated("other", "IAM", nil)
	store := awsapi.ChainCredentials{&tempcreds.Store{Sealer: sealer},
		awsapi.StaticCredentials{akid: {SecretAccessKey: secret, Principal: app}, akidNope: {SecretAccessKey: secret, Principal: other}}}
	signer, err := tgoidc.NewFileSigner(filepath.Join(dir, tgoidc.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	h, err := tgoidc.New(tgoidc.Options{Verifier: ver, Sealer: sealer, Credentials: store, Signer: signer, Config: tgoidc.Config{
		Account: "000000000000", Issuer: "https://tipgate.test/sso-oidc", Applications: []tgoidc.Application{
			{ARN: appARN, Issuer: idp.Issuer(), Audiences: []string{"tipgate"}, AuthorizedCallers: []string{"arn:aws:iam::000000000000:user/app"}},
			{ARN: narrow, Issuer: idp.Issuer(), Audiences: []string{"another-client"}, Scopes: []string{"openid"},
				AuthorizedCallers: []string{"arn:aws:iam::000000000000:user/app"}},
			{ARN: assigned, Issuer: idp.Issuer(), Audiences: []string{"tipgate"}, AuthorizedCallers: []string{"arn:aws:iam::000000000000:user/app"},
				AssignmentRequired: true, AssignedUsers: []string{"Frank@example.com"}, AssignedGroups: []string{"apac"}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{url: srv.URL, idp: idp, foreign: foreign, sealer: sealer}
}

func (e *env) client(id string) *ssooidc.Client {
	return ssooidc.New(ssooidc.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

func TestCreateTokenWithIAM(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.idp.Mint(t, e.idp.Claims("ming@example.com", []string{"apac"}, time.Now(), time.Hour))
	out, err := e.client(akid).CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN),
		GrantType: aws.String(tgoidc.GrantJWTBearer), Assertion: aws.String(tok)})
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.sealer.OpenContext(aws.ToString(out.AwsAdditionalDetails.IdentityContext), time.Now())
	if err != nil || g.Identity.User != "AWSIDC:ming@example.com" || g.Application != appARN || !slices.Equal(g.Identity.Groups, []string{"apac"}) ||
		g.Identity.Subject != "sub-ming@example.com" || g.ExpiresAt().After(time.Now().Add(time.Hour)) {
		t.Fatalf("context %+v %v", g, err)
	}
	// A narrower scope without sts:identity_context gives no context.
	out2, err := e.client(akid).CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN),
		GrantType: aws.String(tgoidc.GrantJWTBearer), Assertion: aws.String(tok), Scope: []string{"openid"}})
	if err != nil || out2.AwsAdditionalDetails != nil || !slices.Equal(out2.Scope, []string{"openid"}) {
		t.Fatalf("narrow scope: %+v %v", out2, err)
	}
	wrongApp, _ := e.sealer.SealRefreshToken(tempcreds.Grant{Identity: g.Identity, Application: narrow, IssuedAt: time.Now().Unix(), Expiry: time.Now().Add(time.Hour).Unix()})
	expiredRefresh, _ := e.sealer.SealRefreshToken(tempcreds.Grant{Identity: g.Identity, Application: appARN, IssuedAt: time.Now().Add(-2 * time.Hour).Unix(), Expiry: time.Now().Add(-time.Hour).Unix()})
	call := func(id string, in ssooidc.CreateTokenWithIAMInput) error {
		_, err := e.client(id).CreateTokenWithIAM(ctx, &in)
		return err
	}
	jwt := aws.String(tgoidc.GrantJWTBearer)
	unverified := e.idp.Claims("ming@example.com", nil, time.Now(), time.Hour)
	unverified["email_verified"] = false
	for _, tc := range []struct {
		name, code string
		status     int
		err        error
	}{
		{"issuer trusted by tipgate, not by the application", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(e.foreign.Mint(t, e.foreign.Claims("ming@example.com", nil, time.Now(), time.Hour)))})},
		{"audience not trusted by the application", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(narrow), GrantType: jwt, Assertion: aws.String(tok)})},
		{"expired assertion", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(e.idp.Mint(t, e.idp.Claims("ming@example.com", nil, time.Now().Add(-3*time.Hour), time.Hour)))})},
		{"unverified email", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(e.idp.Mint(t, unverified))})},
		{"no assertion", "InvalidRequestException", 400, call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt})},
		{"scope the application lacks", "InvalidScopeException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(tok), Scope: []string{"admin"}})},
		{"authorization_code", "UnsupportedGrantTypeException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("authorization_code"), Code: aws.String("x"), RedirectUri: aws.String("https://x")})},
		{"unknown grant", "UnsupportedGrantTypeException", 400, call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("password")})},
		{"unknown client", "InvalidClientException", 401, call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String("arn:nope"), GrantType: jwt, Assertion: aws.String(tok)})},
		{"caller not authorized", "AccessDeniedException", 400, call(akidNope, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(tok)})},
		{"refresh token of another application", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"), RefreshToken: aws.String(wrongApp)})},
		{"tampered refresh token", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"), RefreshToken: aws.String((*out.RefreshToken)[:len(*out.RefreshToken)-4] + "AAAA")})},
		{"access token as refresh token", "InvalidGrantException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"), RefreshToken: out.AccessToken})},
		{"expired refresh token", "ExpiredTokenException", 400,
			call(akid, ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"), RefreshToken: aws.String(expiredRefresh)})},
		{"unknown access key", "UnrecognizedClientException", 403,
			call("AKIDTIPGATEUNKNOWN01", ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(appARN), GrantType: jwt, Assertion: aws.String(tok)})},
	} {
		var ae smithy.APIError
		var re *awshttp.ResponseError
		if !errors.As(tc.err, &ae) || ae.ErrorCode() != tc.code || !errors.As(tc.err, &re) || re.HTTPStatusCode() != tc.status {
			t.Errorf("%s: got %v, want %s (%d)", tc.name, tc.err, tc.code, tc.status)
		}
	}
}

// TestWireShapes pins the JSON bodies: OAuth errors and the success
// response's members (testdata/ssooidc/*.json, token values normalised).
func TestWireShapes(t *testing.T) {
	e := newEnv(t)
	tok := e.idp.Mint(t, e.idp.Claims("ming@example.com", []string{"apac"}, time.Now(), time.Hour))
	for _, tc := range []struct {
		name, body string
		status     int
		errType    string
	}{
		{"success", `{"clientId":"` + appARN + `","grantType":"` + tgoidc.GrantJWTBearer + `","assertion":"` + tok + `"}`, 200, ""},
		{"invalid_grant", `{"clientId":"` + appARN + `","grantType":"` + tgoidc.GrantJWTBearer + `","assertion":"a.b.c"}`, 400, "InvalidGrantException"},
		{"invalid_client", `{"clientId":"arn:nope","grantType":"` + tgoidc.GrantJWTBearer + `","assertion":"a.b.c"}`, 401, "InvalidClientException"},
		{"invalid_request", `{"clientId":"` + appARN + `"}`, 400, "InvalidRequestException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.url+"/token?aws_iam=t", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			sum := sha256.Sum256([]byte(tc.body))
			if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, req,
				hex.EncodeToString(sum[:]), "sso-oauth", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.errType {
				t.Fatalf("HTTP %d %q: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), raw)
			}
			var v map[string]any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"accessToken", "refreshToken", "idToken"} {
				if s, ok := v[k].(string); ok && s != "" {
					v[k] = "REDACTED-" + k
				}
			}
			if d, ok := v["awsAdditionalDetails"].(map[string]any); ok {
				d["identityContext"] = "REDACTED-identityContext"
			}
			got, _ := json.MarshalIndent(v, "", "  ")
			got = append(got, '\n')
			path := filepath.Join("..", "..", "..", "testdata", "ssooidc", tc.name+".json")
			if *update {
				os.WriteFile(path, got, 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs:\n got %s\nwant %s", path, got, want)
			}
		})
	}
}

// TestAssignmentRequired: with assignment = "required" only assigned users
// and members of assigned groups get tokens; everyone else gets AWS's
// AccessDeniedException.
func TestAssignmentRequired(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		user   string
		groups []string
		app    string
		want   string
	}{
		{"ming@example.com", []string{"apac"}, assigned, ""},
		{"frank@example.com", nil, assigned, ""},
		{"alex@example.com", []string{"emea"}, assigned, "AccessDeniedException"},
		{"alex@example.com", []string{"emea"}, appARN, ""},
	} {
		tok := e.idp.Mint(t, e.idp.Claims(tc.user, tc.groups, time.Now(), time.Hour))
		_, err := e.client(akid).CreateTokenWithIAM(context.Background(), &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(tc.app),
			GrantType: aws.String(tgoidc.GrantJWTBearer), Assertion: aws.String(tok)})
		var ae smithy.APIError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s at %s: %v", tc.user, tc.app, err)
		case tc.want != "" && (!errors.As(err, &ae) || ae.ErrorCode() != tc.want):
			t.Errorf("%s at %s: %v, want %s", tc.user, tc.app, err, tc.want)
		}
	}
}
