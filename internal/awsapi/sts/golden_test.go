package sts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

var update = flag.Bool("update", false, "rewrite golden files")

var normalizers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`ASIA[A-Z2-7]{16}`), "ASIAXXXXXXXXXXXXXXXX"},
	{regexp.MustCompile(`<SecretAccessKey>[^<]*</SecretAccessKey>`), "<SecretAccessKey>SECRET</SecretAccessKey>"},
	{regexp.MustCompile(`<SessionToken>[^<]*</SessionToken>`), "<SessionToken>TOKEN</SessionToken>"},
	{regexp.MustCompile(`<Expiration>[^<]*</Expiration>`), "<Expiration>2000-01-01T00:00:00Z</Expiration>"},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "00000000-0000-0000-0000-000000000000"},
	{regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`), "https://idp.example.com"},
}

// TestGoldenXML pins the awsQuery XML of every action and of the error
// envelope: testdata/sts/NAME.xml, ids and times normalised.
func TestGoldenXML(t *testing.T) {
	e := newEnv(t)
	tok := e.idToken(t, "ming@example.com", []string{"apac"}, 2*time.Hour)
	ming := e.bridge(t, tok, "ming").Credentials
	ctxA, _ := e.identityContext(t, ming, appARN, tok)
	for _, tc := range []struct {
		name   string
		form   url.Values
		signer *ststypes.Credentials
		status int
	}{
		{"assume_role_with_web_identity", url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {bridgeRole},
			"RoleSessionName": {"ming"}, "WebIdentityToken": {tok}, "DurationSeconds": {"900"}}, nil, 200},
		{"assume_role_with_context", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {clientRole}, "RoleSessionName": {"ming"},
			"ProvidedContexts.member.1.ProviderArn": {"arn:aws:iam::aws:contextProvider/IdentityCenter"}, "ProvidedContexts.member.1.ContextAssertion": {ctxA}}, ming, 200},
		{"get_caller_identity", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, ming, 200},
		{"error_invalid_identity_token", url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {bridgeRole},
			"RoleSessionName": {"ming"}, "WebIdentityToken": {"a.b.c"}}, nil, 400},
		{"error_access_denied", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {bridgeRole}, "RoleSessionName": {"ming"}}, ming, 403},
		{"error_invalid_action", url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"}}, nil, 400},
		{"error_missing_parameter", url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {bridgeRole}}, nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.form.Encode()
			req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if tc.signer != nil {
				sum := sha256.Sum256([]byte(body))
				req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
				creds := aws.Credentials{AccessKeyID: aws.ToString(tc.signer.AccessKeyId), SecretAccessKey: aws.ToString(tc.signer.SecretAccessKey), SessionToken: aws.ToString(tc.signer.SessionToken)}
				if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", region, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || resp.Header.Get("Content-Type") != "text/xml" {
				t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), got)
			}
			for _, n := range normalizers {
				got = n.re.ReplaceAll(got, []byte(n.with))
			}
			got = append(got, '\n')
			path := filepath.Join("..", "..", "..", "testdata", "sts", tc.name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs:\n got %s\nwant %s", path, got, want)
			}
		})
	}
}
