package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// sdkRunner is one of the other two real AWS SDKs, run as a child process
// on a client script in tests/sdk (installed by scripts/sdk-deps.sh).
type sdkRunner struct {
	name string
	// errName maps an AWS error code on the wire to the name the SDK gives
	// the error: the JavaScript SDK v3 names a modeled error by its shape
	// (InvalidIdentityToken → InvalidIdentityTokenException), boto3 by the
	// wire code.
	errName func(code string) string
	argv    []string // program and script, absolute
	install []string // files that exist once scripts/sdk-deps.sh has run
}

// sdkRunners finds the SDK client scripts and their installed
// dependencies. Missing dependencies fail the test: make test installs them.
func sdkRunners(t *testing.T) []sdkRunner {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH: the JavaScript SDK test needs Node >= 20; then run scripts/sdk-deps.sh (make test runs it)")
	}
	runners := []sdkRunner{
		{name: "js", errName: func(code string) string {
			if code == "InvalidIdentityToken" { // STS's modeled errors; AccessDenied is not one
				return "InvalidIdentityTokenException"
			}
			return code
		}, argv: []string{node, filepath.Join(root, "tests", "sdk", "js", "flow.mjs")},
			install: []string{filepath.Join(root, "tests", "sdk", "js", "node_modules", "@aws-sdk", "client-sts", "package.json"),
				filepath.Join(root, "tests", "sdk", "js", "node_modules", "@aws-sdk", "client-sso-oidc", "package.json"),
				filepath.Join(root, "tests", "sdk", "js", "node_modules", "@aws-sdk", "client-redshift-data", "package.json")}},
		{name: "python", errName: func(code string) string { return code }, argv: []string{filepath.Join(root, ".cache", "sdk-venv", "bin", "python"), filepath.Join(root, "tests", "sdk", "python", "flow.py")},
			install: []string{filepath.Join(root, ".cache", "sdk-venv", "bin", "python")}},
	}
	// The Go flow is built from this module (its SDK is in go.mod).
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go is not on PATH")
	}
	bin := filepath.Join(t.TempDir(), "flow")
	if out, err := exec.Command(goTool, "build", "-o", bin, filepath.Join(root, "tests", "sdk", "go")).CombinedOutput(); err != nil {
		t.Fatalf("building tests/sdk/go: %v\n%s", err, out)
	}
	runners = append(runners, sdkRunner{name: "go", errName: func(code string) string { return code }, argv: []string{bin}})
	for _, r := range runners {
		for _, f := range r.install {
			if _, err := os.Stat(f); err != nil {
				t.Fatalf("%s SDK not installed (%s missing): run scripts/sdk-deps.sh (make test runs it)", r.name, f)
			}
		}
	}
	return runners
}

// sdkEnv is the whole environment of a client script: PATH, a fresh HOME
// (no ~/.aws), the standard AWS endpoint settings and the demo.env names.
// No AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: the flow's only credentials are
// those STS returns.
func sdkEnv(t *testing.T, base, idToken string, over map[string]string) []string {
	home := t.TempDir()
	vars := map[string]string{
		"PATH":       os.Getenv("PATH"),
		"HOME":       home,
		"AWS_REGION": tipRegion,
		// boto3 (botocore 1.44) reads the region only from
		// AWS_DEFAULT_REGION, never AWS_REGION: demo.env must export both.
		"AWS_DEFAULT_REGION":             tipRegion,
		"AWS_ENDPOINT_URL_STS":           base,
		"AWS_ENDPOINT_URL_SSO_OIDC":      base,
		"AWS_ENDPOINT_URL_REDSHIFT_DATA": base,
		"AWS_EC2_METADATA_DISABLED":      "true",
		"AWS_CONFIG_FILE":                filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE":    filepath.Join(home, "no-aws-credentials"),
		"TIPGATE_APP_ARN":                appARN,
		"TIPGATE_BRIDGE_ROLE_ARN":        bridgeRole,
		"TIPGATE_CLIENT_ROLE_ARN":        clientRole,
		"TIPGATE_WORKGROUP":              "redshift-tip-enabled",
		"TIPGATE_DATABASE":               "dev",
		"TIPGATE_ID_TOKEN":               idToken,
	}
	for k, v := range over {
		vars[k] = v
	}
	var out []string
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// runFlow runs one client script; it returns the "r" column of the rows it
// printed, or the AWS error name it reported.
func runFlow(t *testing.T, r sdkRunner, env []string) (regions []string, errName string, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.argv[0], r.argv[1:]...)
	cmd.Env = env
	cmd.Dir = t.TempDir()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s flow: %v in %s", r.name, err, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		t.Fatalf("%s flow timed out\nstderr:\n%s", r.name, errb.String())
	}
	if err != nil {
		for _, line := range strings.Split(errb.String(), "\n") {
			if name, ok := strings.CutPrefix(line, "error: "); ok {
				errName = strings.TrimSpace(name)
			}
		}
		if errName == "" {
			t.Fatalf("%s flow failed without an AWS error name: %v\nstderr:\n%s", r.name, err, errb.String())
		}
		return nil, errName, errb.String()
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var row map[string]any
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("%s flow printed %q: %v", r.name, sc.Text(), err)
		}
		s, _ := row["r"].(string)
		regions = append(regions, s)
	}
	return regions, "", errb.String()
}

// TestSDKFlows runs the complete reference flow with the AWS SDK for
// JavaScript v3 (Node) and boto3 (Python), configured only by
// AWS_ENDPOINT_URL_STS / _SSO_OIDC / _REDSHIFT_DATA and AWS_REGION, against
// the real server with the embedded IdP and the reference names: each demo
// user sees exactly their region; a tampered ID token and a client role
// whose trust rule does not name the bridge role are refused with AWS's
// error names.
//
// It runs on the three engines: the embedded DuckDB, a real PostgreSQL and a
// real Trino cluster.
func TestSDKFlows(t *testing.T) {
	runners := sdkRunners(t)
	t.Run("duckdb", func(t *testing.T) { testSDKFlows(t, runners, "") })
	t.Run("postgres", func(t *testing.T) {
		pg := pgserver.Start(t)
		testSDKFlows(t, runners, `engine = "postgres"`+"\n"+`dsn = "`+pg.DSN(pg.NewDatabase(t))+`"`)
	})
	t.Run("trino", func(t *testing.T) { testSDKFlows(t, runners, trinoWarehouse(t)) })
}

func testSDKFlows(t *testing.T, runners []sdkRunner, warehouse string) {
	srv, logs := startServerOn(t, warehouse, tipConfig)
	base := srv.URL
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
	ming, frank := idToken("ming@example.com"), idToken("frank@example.com")

	// ming's token claiming to be frank's, signature unchanged.
	parts := strings.Split(ming, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.ReplaceAll(payload, []byte("ming@example.com"), []byte("frank@example.com"))) + "." + parts[2]
	if tampered == ming {
		t.Fatal("tampering changed nothing")
	}

	for _, r := range runners {
		t.Run(r.name, func(t *testing.T) {
			for _, tc := range []struct {
				name, token string
				over        map[string]string
				sees        []string
				err         string
			}{
				{name: "ming", token: ming, sees: []string{"Asia"}},
				{name: "frank", token: frank, sees: []string{"America"}},
				{name: "tampered-id-token", token: tampered, err: "InvalidIdentityToken"},
				// UntrustedRole's trust rule names no caller for sts:AssumeRole.
				{name: "untrusted-client-role", token: ming, over: map[string]string{"TIPGATE_CLIENT_ROLE_ARN": untrustedRole}, err: "AccessDenied"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					over := map[string]string{"TIPGATE_SESSION_NAME": r.name + "-" + tc.name}
					for k, v := range tc.over {
						over[k] = v
					}
					got, errName, stderr := runFlow(t, r, sdkEnv(t, base, tc.token, over))
					if tc.err != "" {
						if want := r.errName(tc.err); errName != want {
							t.Fatalf("got rows %v, error %q; want error %s\nstderr:\n%s", got, errName, want, stderr)
						}
						return
					}
					if errName != "" {
						t.Fatalf("flow failed with %s\nstderr:\n%s", errName, stderr)
					}
					if !slices.Equal(got, tc.sees) {
						t.Fatalf("%s sees %v, want exactly %v\nstderr:\n%s", tc.name, got, tc.sees, stderr)
					}
					if want := "runs as AWSIDC:" + tc.name + "@example.com"; !strings.Contains(stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, stderr)
					}
				})
			}
		})
	}

	time.Sleep(50 * time.Millisecond)
	text := logs.String()
	for _, s := range append(secrets, tampered, demoPassword) {
		if strings.Contains(text, s) {
			t.Fatal("an ID token or the password reached the logs")
		}
	}
}

// TestDeveloperDocShowsTheTestedFlows: docs/redshift-developers.md shows
// the three client programs TestSDKFlows runs, each verbatim in a fenced
// block of its language, so the documented code is the tested code.
func TestDeveloperDocShowsTheTestedFlows(t *testing.T) {
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "redshift-developers.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string][]string{}
	lang, body, in := "", []string{}, false
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case !in && strings.HasPrefix(line, "```"):
			lang, body, in = strings.TrimPrefix(line, "```"), nil, true
		case in && line == "```":
			blocks[lang] = append(blocks[lang], strings.Join(body, "\n")+"\n")
			in = false
		case in:
			body = append(body, line)
		}
	}
	for _, tc := range []struct{ lang, file string }{
		{"go", "tests/sdk/go/main.go"},
		{"js", "tests/sdk/js/flow.mjs"},
		{"python", "tests/sdk/python/flow.py"},
	} {
		want, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(tc.file)))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(blocks[tc.lang], string(want)) {
			t.Errorf("docs/redshift-developers.md has no ```%s block equal to %s (%d %s blocks): copy the file into the doc", tc.lang, tc.file, len(blocks[tc.lang]), tc.lang)
		}
	}
}
