package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tipgate/tipgate/internal/config"
)

// TestDemoEnv runs the demo server in-process on a free port and checks
// demo.env: written once the server answers, with the reference names,
// and its values work (the STS endpoint issues the bridge role's session
// for an ID token from the IdP it names).
func TestDemoEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const password = "Demo-Env-Test-Pa55word"
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, []string{"--data-dir", dir, "--rows", "2000", "--listen", "127.0.0.1:0", "--demo-password", password}, &stdout, &stderr)
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("demo: %v\n%s", err, stderr.String())
			}
		}
	}
	defer stop()
	envFile := filepath.Join(dir, DemoEnvFile)
	var raw []byte
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var err error
		if raw, err = os.ReadFile(envFile); err == nil {
			break
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("demo ended before writing demo.env: %v\n%s", err, stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("demo.env never written")
		}
	}
	if fi, err := os.Stat(envFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("demo.env mode: %v %v", fi.Mode(), err)
	}
	env := parseEnv(t, string(raw))
	base := env["AWS_ENDPOINT_URL_STS"]
	// Written after readiness: the server answers right away.
	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz when demo.env exists: %v %v", resp, err)
	}
	resp.Body.Close()
	for k, want := range map[string]string{
		"AWS_REGION":                     "us-east-1",
		"AWS_DEFAULT_REGION":             "us-east-1",
		"AWS_ENDPOINT_URL_SSO_OIDC":      base,
		"AWS_ENDPOINT_URL_REDSHIFT_DATA": base,
		"TIPGATE_APP_ARN":                "arn:aws:sso::000000000000:application/ssoins-tipgatedemo0001/apl-tipgatedemo0001",
		"TIPGATE_APP_NAME":               "RedshiftStreamlitDemo",
		"TIPGATE_BRIDGE_ROLE_ARN":        "arn:aws:iam::000000000000:role/IDCBridgeRole",
		"TIPGATE_CLIENT_ROLE_ARN":        "arn:aws:iam::000000000000:role/RedshiftDataAPIClientRole",
		"TIPGATE_WORKGROUP":              "redshift-tip-enabled",
		"TIPGATE_DATABASE":               "dev",
		"TIPGATE_NAMESPACE":              "AWSIDC",
		"TIPGATE_IDP_ISSUER":             base + "/idp",
		"TIPGATE_IDP_CLIENT_ID":          "tipgate-cli",
		"TIPGATE_IDP_CLIENT_SECRET":      "",
		"TIPGATE_DEMO_PASSWORD":          password,
	} {
		if got, ok := env[k]; !ok || got != want {
			t.Errorf("%s = %q (set: %v), want %q", k, got, ok, want)
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Fatalf("AWS_ENDPOINT_URL_STS = %q", base)
	}
	// The values work: an ID token from TIPGATE_IDP_ISSUER's token endpoint
	// for TIPGATE_IDP_CLIENT_ID, exchanged at AWS_ENDPOINT_URL_STS for the
	// bridge role's credentials.
	form := url.Values{"grant_type": {"password"}, "client_id": {env["TIPGATE_IDP_CLIENT_ID"]}, "username": {"ming@example.com"},
		"password": {env["TIPGATE_DEMO_PASSWORD"]}, "scope": {"openid email profile groups"}}
	resp, err = http.PostForm(env["TIPGATE_IDP_TOKEN_ENDPOINT"], form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.IDToken == "" {
		t.Fatalf("password grant at %s: %d", env["TIPGATE_IDP_TOKEN_ENDPOINT"], resp.StatusCode)
	}
	stsc := awssts.New(awssts.Options{Region: env["AWS_REGION"], BaseEndpoint: aws.String(base), RetryMaxAttempts: 1})
	out, err := stsc.AssumeRoleWithWebIdentity(context.Background(), &awssts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(env["TIPGATE_BRIDGE_ROLE_ARN"]), RoleSessionName: aws.String("demo-env-test"), WebIdentityToken: aws.String(tok.IDToken)})
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS: %v", err)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::000000000000:assumed-role/IDCBridgeRole/demo-env-test" {
		t.Errorf("assumed role %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
	// The demo IdP provisioned its users over SCIM, and the token file
	// demo.env names lets any SCIM client in.
	if want := base + "/scim/v2"; env["TIPGATE_SCIM_URL"] != want {
		t.Errorf("TIPGATE_SCIM_URL = %q, want %q", env["TIPGATE_SCIM_URL"], want)
	}
	if fi, err := os.Stat(env["TIPGATE_SCIM_TOKEN_FILE"]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("TIPGATE_SCIM_TOKEN_FILE: %v %v", fi, err)
	}
	scimTok, _ := os.ReadFile(env["TIPGATE_SCIM_TOKEN_FILE"])
	req, _ := http.NewRequest("GET", env["TIPGATE_SCIM_URL"]+"/Groups?filter="+url.QueryEscape(`displayName eq "apac-sales"`), nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(scimTok)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var groups struct {
		TotalResults int `json:"totalResults"`
		Resources    []struct {
			Members []struct {
				Display string `json:"display"`
			} `json:"members"`
		} `json:"Resources"`
	}
	json.NewDecoder(resp.Body).Decode(&groups)
	resp.Body.Close()
	if groups.TotalResults != 1 || len(groups.Resources[0].Members) != 1 {
		t.Errorf("apac-sales as provisioned: %d %+v", resp.StatusCode, groups)
	}
	stop()
	if !strings.Contains(stdout.String(), envFile) {
		t.Errorf("the demo does not tell where demo.env is:\n%s", stdout.String())
	}
}

// parseEnv reads the demo.env lines with a tiny subset of sh: comments and
// export NAME='value', single-quoted (a quote inside is written as the four characters quote, backslash, quote, quote).
func parseEnv(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		rest, ok := strings.CutPrefix(line, "export ")
		name, val, ok2 := strings.Cut(rest, "=")
		if !ok || !ok2 || len(val) < 2 || val[0] != '\'' || val[len(val)-1] != '\'' {
			t.Fatalf("demo.env: not an export line: %q", line)
		}
		out[name] = strings.ReplaceAll(val[1:len(val)-1], `'\''`, `'`)
	}
	return out
}

// TestDemoConfigMatchesDocs: the complete tipgate.toml in
// docs/redshift-developers.md configures what the demo configures.
func TestDemoConfigMatchesDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/redshift-developers.md")
	if err != nil {
		t.Fatal(err)
	}
	var example string
	for _, block := range strings.Split(string(b), "```toml\n")[1:] {
		if body, _, _ := strings.Cut(block, "```"); strings.Contains(body, "[server]") {
			example = body
			break
		}
	}
	doc, err := config.Parse([]byte(example))
	if err != nil {
		t.Fatal(err)
	}
	demo, err := config.Parse([]byte(demoNames("http://127.0.0.1:8080").config()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.AWSAPI, demo.AWSAPI) {
		t.Errorf("docs [awsapi]:\n%+v\ndemo [awsapi]:\n%+v", doc.AWSAPI, demo.AWSAPI)
	}
}
