package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// runDemoTLS runs `tipgate demo --tls` in-process on free ports and returns
// demo.env's values once it is written (the server answers by then) and
// the demo's log output so far.
func runDemoTLS(t *testing.T, password string) (map[string]string, *bytes.Buffer) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, []string{"--tls", "--data-dir", dir, "--rows", "2000", "--listen", "127.0.0.1:0", "--demo-password", password}, &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v\n%s", err, stderr.String())
		}
	})
	envFile := filepath.Join(dir, DemoEnvFile)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		raw, err := os.ReadFile(envFile)
		if err == nil {
			if !strings.Contains(stdout.String(), "tls/ca.pem") {
				t.Errorf("the demo does not print where its CA is:\n%s", stdout.String())
			}
			return parseEnv(t, string(raw)), &stderr
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo.env never written\n%s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestOktaPythonClient runs tests/okta/client.py, an OpenID Connect client
// written for Okta's org authorization server with only `requests`,
// against `tipgate demo --tls`'s Okta-shaped endpoints, trusting the local
// CA through REQUESTS_CA_BUNDLE from demo.env, and compares its transcript
// (code + PKCE with client_secret_basic and _post, the ID token's
// signature, userinfo, revoke, logout, and the refusals) with the golden
// file. go test -update rewrites it.
func TestOktaPythonClient(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	python := filepath.Join(root, ".cache", "streamlit-venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Fatalf("%s missing: run scripts/streamlit-deps.sh (make test runs it)", python)
	}
	const password = "Okta-Client-Test-Pa55word"
	env, logs := runDemoTLS(t, password)
	for _, k := range []string{"TIPGATE_OKTA_DOMAIN", "TIPGATE_STREAMLIT_CLIENT_ID", "TIPGATE_STREAMLIT_CLIENT_SECRET", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"} {
		if env[k] == "" {
			t.Errorf("demo.env has no %s", k)
		}
	}
	if env["TIPGATE_STREAMLIT_REDIRECT_URI"] != "http://localhost:8501" || env["TIPGATE_OKTA_ISSUER"] != "https://"+env["TIPGATE_OKTA_DOMAIN"] {
		t.Errorf("demo.env: redirect %q, Okta issuer %q", env["TIPGATE_STREAMLIT_REDIRECT_URI"], env["TIPGATE_OKTA_ISSUER"])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join(root, "tests", "okta", "client.py"))
	// Only what demo.env says: no other trust, no proxy.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TIPGATE_TEST_EMAIL=ming@example.com", "TIPGATE_DEMO_PASSWORD=" + password}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("client.py: %v\nstderr:\n%s", err, stderr.String())
	}
	golden := filepath.Join("testdata", "okta-python-client.golden.json")
	if *update {
		if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		t.Errorf("client.py's transcript differs from %s (go test -update rewrites it):\n%s", golden, stdout.String())
	}
	// Without the CA (requests also reads CURL_CA_BUNDLE) the same client
	// is refused at the first request.
	bare := exec.CommandContext(ctx, python, filepath.Join(root, "tests", "okta", "client.py"))
	for _, kv := range cmd.Env {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasSuffix(name, "_CA_BUNDLE") && name != "SSL_CERT_FILE" {
			bare.Env = append(bare.Env, kv)
		}
	}
	if out, err := bare.CombinedOutput(); err == nil || !strings.Contains(string(out), "SSLError") {
		t.Errorf("client.py without the local CA: %v\n%s", err, out)
	}
	for _, secret := range []string{password, env["TIPGATE_STREAMLIT_CLIENT_SECRET"]} {
		if strings.Contains(logs.String(), secret) || strings.Contains(stdout.String(), secret) {
			t.Error("a password or client secret reached the logs or the transcript")
		}
	}
}
