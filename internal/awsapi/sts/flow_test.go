package sts_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	tgoidc "github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/sts"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
)

// TestReferenceFlow is trusted identity propagation end to end with the
// real aws-sdk-go-v2 clients: external ID token → AssumeRoleWithWebIdentity
// → CreateTokenWithIAM → sts:identity_context → AssumeRole with
// ProvidedContexts → Data API as AWSIDC:<email>, each user seeing only
// their region.
func TestReferenceFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok := e.idToken(t, "ming@example.com", []string{"apac"}, time.Hour)
	before := time.Now()
	b := e.bridge(t, tok, "ming-session")
	if aws.ToString(b.SubjectFromWebIdentityToken) != "sub-ming@example.com" || aws.ToString(b.Audience) != "tipgate" ||
		aws.ToString(b.Provider) != e.idp.Issuer() ||
		aws.ToString(b.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/IDCBridgeRole/ming-session" ||
		!strings.HasPrefix(aws.ToString(b.AssumedRoleUser.AssumedRoleId), "AROA") ||
		!strings.HasSuffix(aws.ToString(b.AssumedRoleUser.AssumedRoleId), ":ming-session") {
		t.Fatalf("AssumeRoleWithWebIdentity output: %+v %+v", b, b.AssumedRoleUser)
	}
	exp := aws.ToTime(b.Credentials.Expiration)
	if !strings.HasPrefix(aws.ToString(b.Credentials.AccessKeyId), "ASIA") || exp.Before(before.Add(59*time.Minute)) || exp.After(time.Now().Add(time.Hour)) {
		t.Fatalf("bridge credentials: %s expire %s", aws.ToString(b.Credentials.AccessKeyId), exp)
	}
	// The bridge session acts as the role, not as the person.
	who, err := e.sts(b.Credentials).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/IDCBridgeRole/ming-session" || aws.ToString(who.Account) != account {
		t.Fatalf("bridge GetCallerIdentity: %+v %v", who, err)
	}

	ctxA, tokOut := e.identityContext(t, b.Credentials, appARN, tok)
	if aws.ToString(tokOut.TokenType) != "Bearer" || tokOut.ExpiresIn != 3600 || aws.ToString(tokOut.AccessToken) == "" ||
		aws.ToString(tokOut.RefreshToken) == "" || aws.ToString(tokOut.IssuedTokenType) != "urn:ietf:params:oauth:token-type:access_token" ||
		!slices.Contains(tokOut.Scope, "sts:identity_context") {
		t.Fatalf("CreateTokenWithIAM output: %+v", tokOut)
	}
	enh, err := e.enhanced(t, b.Credentials, ctxA, "ming")
	if err != nil {
		t.Fatal(err)
	}
	who, err = e.sts(enh).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::000000000000:assumed-role/RedshiftDataAPIClientRole/ming" ||
		!strings.HasSuffix(aws.ToString(who.UserId), ":ming") {
		t.Fatalf("enhanced GetCallerIdentity: %+v %v", who, err)
	}
	// The statement runs as the propagated user, under RLS.
	out, err := e.data(enh).ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"), WorkgroupName: aws.String(workgroup), Database: aws.String(database)})
	if err != nil || aws.ToString(out.DbUser) != "AWSIDC:ming@example.com" || !slices.Contains(out.DbGroups, "AWSIDC:apac") {
		t.Fatalf("ExecuteStatement as %q %v: %v", aws.ToString(out.DbUser), out.DbGroups, err)
	}
	mingID, rows := e.query(t, enh, "SELECT region FROM sales ORDER BY id")
	if !slices.Equal(rows, []string{"asia", "asia"}) {
		t.Fatalf("ming sees %v", rows)
	}
	_, who2 := e.query(t, enh, "SELECT current_user")
	if !slices.Equal(who2, []string{"AWSIDC:ming@example.com"}) {
		t.Fatalf("current_user %v", who2)
	}
	frank := e.flow(t, "frank@example.com", []string{"amer"})
	if _, rows := e.query(t, frank, "SELECT region FROM sales ORDER BY id"); !slices.Equal(rows, []string{"amer"}) {
		t.Fatalf("frank sees %v", rows)
	}
	// ming's statement is not frank's.
	_, err = e.data(frank).DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: aws.String(mingID)})
	wantAPIError(t, "frank describes ming's statement", err, "ResourceNotFoundException", 404)
	// DbUser cannot override the propagated identity.
	_, err = e.data(enh).ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"), Database: aws.String(database), DbUser: aws.String("admin")})
	wantAPIError(t, "DbUser on an identity-enhanced call", err, "ValidationException", 400)

	// The refresh_token grant gives a fresh context for the same user.
	ref, err := e.oidc(b.Credentials).CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{
		ClientId: aws.String(appARN), GrantType: aws.String("refresh_token"), RefreshToken: tokOut.RefreshToken})
	if err != nil || ref.AwsAdditionalDetails == nil {
		t.Fatalf("refresh: %v", err)
	}
	again, err := e.enhanced(t, b.Credentials, aws.ToString(ref.AwsAdditionalDetails.IdentityContext), "ming2")
	if err != nil {
		t.Fatal(err)
	}
	if _, rows := e.query(t, again, "SELECT region FROM sales ORDER BY id"); !slices.Equal(rows, []string{"asia", "asia"}) {
		t.Fatalf("after refresh ming sees %v", rows)
	}
}

// TestRefusals: each refusal with AWS's error code and HTTP status.
func TestRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mingTok := e.idToken(t, "ming@example.com", []string{"apac"}, time.Hour)
	ming := e.bridge(t, mingTok, "ming").Credentials
	mingCtx, _ := e.identityContext(t, ming, appARN, mingTok)
	frank := e.bridge(t, e.idToken(t, "frank@example.com", []string{"amer"}, time.Hour), "frank").Credentials
	enh, err := e.enhanced(t, ming, mingCtx, "ming")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	expiredCtx, err := e.sealer.SealContext(tempcreds.Grant{Identity: tempcreds.Identity{User: "AWSIDC:ming@example.com", Namespace: "AWSIDC",
		Issuer: e.idp.Issuer(), Subject: "sub-ming@example.com"}, Application: appARN, IssuedAt: now.Add(-2 * time.Hour).Unix(), Expiry: now.Add(-time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	otherCtx, _ := e.identityContext(t, ming, otherApp, mingTok)
	expiredCreds, _, err := e.sealer.Issue(tempcreds.Session{RoleARN: clientRole, SessionName: "old", IssuedAt: now.Add(-2 * time.Hour).Unix(), Expiry: now.Add(-time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	expired := &ststypes.Credentials{AccessKeyId: aws.String(expiredCreds.AccessKeyID), SecretAccessKey: aws.String(expiredCreds.SecretAccessKey), SessionToken: aws.String(expiredCreds.SessionToken)}
	wrongSecret := *ming
	wrongSecret.SecretAccessKey = aws.String(strings.Repeat("x", 40))
	otherIdP := newUntrustedIdP(t)

	webIdentity := func(role, tok string, dur int32) error {
		in := &awssts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1"), WebIdentityToken: aws.String(tok)}
		if dur != 0 {
			in.DurationSeconds = aws.Int32(dur)
		}
		_, err := e.sts(nil).AssumeRoleWithWebIdentity(ctx, in)
		return err
	}
	assume := func(c *ststypes.Credentials, role, assertion string) error {
		in := &awssts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s2")}
		if assertion != "" {
			in.ProvidedContexts = []ststypes.ProvidedContext{{ProviderArn: aws.String(sts.IdentityCenterProvider), ContextAssertion: aws.String(assertion)}}
		}
		_, err := e.sts(c).AssumeRole(ctx, in)
		return err
	}
	createToken := func(c *ststypes.Credentials, app, assertion string) error {
		_, err := e.oidc(c).CreateTokenWithIAM(ctx, &ssooidc.CreateTokenWithIAMInput{ClientId: aws.String(app), GrantType: aws.String(tgoidc.GrantJWTBearer), Assertion: aws.String(assertion)})
		return err
	}
	listDBs := func(c *ststypes.Credentials) error {
		_, err := e.data(c).ListDatabases(ctx, &redshiftdata.ListDatabasesInput{Database: aws.String(database), WorkgroupName: aws.String(workgroup)})
		return err
	}
	callerID := func(c *ststypes.Credentials) error {
		_, err := e.sts(c).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
		return err
	}
	for _, tc := range []struct {
		name   string
		err    error
		code   string
		status int
	}{
		{"tampered context assertion", assume(ming, clientRole, flip(mingCtx)), "InvalidParameterValue", 400},
		{"context assertion used a second time", assume(ming, clientRole, mingCtx), "InvalidParameterValue", 400},
		{"expired context assertion", assume(ming, clientRole, expiredCtx), "ExpiredTokenException", 400},
		{"context replayed for another application", assume(ming, clientRole, otherCtx), "AccessDenied", 403},
		{"context of one user with another's credentials", assume(frank, clientRole, mingCtx), "AccessDenied", 403},
		{"session token presented as a context", assume(ming, clientRole, aws.ToString(ming.SessionToken)), "InvalidParameterValue", 400},
		{"caller may assume but not set context", assume(ming, noCtxRole, mingCtx), "AccessDenied", 403},
		{"trust rule does not name the caller (AssumeRole)", assume(ming, bridgeRole, ""), "AccessDenied", 403},
		{"identity-enhanced session re-assuming", assume(enh, clientRole, mingCtx), "AccessDenied", 403},
		{"unknown role", assume(ming, "arn:aws:iam::000000000000:role/Nope", ""), "AccessDenied", 403},
		{"trust rule does not name the issuer", webIdentity(clientRole, mingTok, 0), "AccessDenied", 403},
		{"unknown role (web identity)", webIdentity("arn:aws:iam::000000000000:role/Nope", mingTok, 0), "AccessDenied", 403},
		{"untrusted issuer (STS)", webIdentity(bridgeRole, otherIdP.Mint(t, otherIdP.Claims("ming@example.com", nil, now, time.Hour)), 0), "InvalidIdentityToken", 400},
		{"tampered ID token", webIdentity(bridgeRole, mingTok[:len(mingTok)-4]+"AAAA", 0), "InvalidIdentityToken", 400},
		{"expired ID token", webIdentity(bridgeRole, e.idp.Mint(t, e.idp.Claims("ming@example.com", nil, now.Add(-2*time.Hour), time.Hour)), 0), "ExpiredTokenException", 400},
		{"duration above the role's maximum", webIdentity(bridgeRole, mingTok, 7200), "ValidationError", 400},
		{"duration below 900", webIdentity(bridgeRole, mingTok, 60), "ValidationError", 400},
		{"untrusted issuer (SSO-OIDC)", createToken(ming, appARN, otherIdP.Mint(t, otherIdP.Claims("ming@example.com", nil, now, time.Hour))), "InvalidGrantException", 400},
		{"unknown application", createToken(ming, "arn:aws:sso::000000000000:application/ssoins-0000000000000000/apl-nope", mingTok), "InvalidClientException", 401},
		{"caller not authorized for the application", createToken(enh, appARN, mingTok), "AccessDeniedException", 400},
		{"credentials past expiry (Data API)", listDBs(expired), "ExpiredTokenException", 400},
		{"credentials past expiry (STS)", callerID(expired), "ExpiredToken", 400},
		{"credentials past expiry (SSO-OIDC)", createToken(expired, appARN, mingTok), "ExpiredTokenException", 403},
		{"wrong signature (Data API)", listDBs(&wrongSecret), "InvalidSignatureException", 400},
		{"wrong signature (STS)", callerID(&wrongSecret), "SignatureDoesNotMatch", 403},
		{"wrong signature (SSO-OIDC)", createToken(&wrongSecret, appARN, mingTok), "InvalidSignatureException", 403},
		{"tampered session token (STS)", callerID(&ststypes.Credentials{AccessKeyId: ming.AccessKeyId, SecretAccessKey: ming.SecretAccessKey, SessionToken: aws.String(flip(aws.ToString(ming.SessionToken)))}), "InvalidClientTokenId", 403},
	} {
		wantAPIError(t, tc.name, tc.err, tc.code, tc.status)
	}
	// Role chaining is capped at one hour even when the role allows more.
	_, err = e.sts(ming).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(clientRole), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7200)})
	wantAPIError(t, "role chaining beyond 1 h", err, "ValidationError", 400)
	// Credentials never outlive the web identity token.
	short := e.bridge(t, e.idToken(t, "ming@example.com", nil, 20*time.Minute), "short")
	if exp := aws.ToTime(short.Credentials.Expiration); exp.After(time.Now().Add(20 * time.Minute)) {
		t.Errorf("credentials expire %s, after the token", exp)
	}
}
