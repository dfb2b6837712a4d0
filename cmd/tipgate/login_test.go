package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/cliauth"
	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/testenv/demoserver"
	"github.com/tipgate/tipgate/internal/testenv/webclient"
)

const loginTestPassword = demoserver.Password

// syncBuffer is an output the command writes from one goroutine while the
// test reads it from another.
type syncBuffer = demoserver.Logs

// startLoginServer runs a real tipgate server on loopback with the
// embedded IdP, the demo users and the reference scenario loaded. Result
// pages hold 7 rows so that paging is exercised.
func startLoginServer(t *testing.T) *server.Server {
	t.Helper()
	return demoserver.Start(t, demoserver.Options{IDPClients: `
[[idp.clients]]
id = "tipgate-cli"
public = true
redirect_uris = ["http://127.0.0.1/callback"]
grants = ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]
[[idp.clients]]
id = "test-setup"
public = true
grants = ["password"]
`, Extra: `
[dataapi]
page_rows = 7
`}).Server
}

// person is the test playing a human with a browser.
type person struct {
	t       *testing.T
	browser *http.Client
}

func newPerson(t *testing.T) *person {
	jar, _ := cookiejar.New(nil)
	return &person{t: t, browser: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

func (p *person) do(req *http.Request) (*http.Response, string) {
	p.t.Helper()
	resp, err := p.browser.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (p *person) get(u string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return p.do(req)
}

// submit fills the page's form and posts it as a browser would.
func (p *person) submit(page *http.Response, body string, fill map[string]string) (*http.Response, string) {
	p.t.Helper()
	form := webclient.FirstForm(p.t, body)
	fields := form.Fields
	for k, v := range fill {
		fields.Set(k, v)
	}
	u, err := page.Request.URL.Parse(form.Action)
	if err != nil {
		p.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return p.do(req)
}

// approveDevice plays the person at the device page: open the
// verification URI, type the user code, sign in.
func (p *person) approveDevice(verificationURI, userCode, email, password string) {
	p.t.Helper()
	page, body := p.get(verificationURI)
	if page.StatusCode != http.StatusOK {
		p.t.Fatalf("device page: %s", page.Status)
	}
	_, body = p.submit(page, body, map[string]string{"user_code": userCode, "email": email, "password": password})
	if !strings.Contains(body, "Device connected") {
		p.t.Fatalf("device approval failed:\n%s", body)
	}
}

// signInWithBrowser follows the authorization URL through the IdP's
// login form to the CLI's loopback callback.
func (p *person) signInWithBrowser(authURL, email, password string) {
	p.t.Helper()
	page, body := p.get(authURL)
	if page.StatusCode != http.StatusOK {
		p.t.Fatalf("authorize: %s", page.Status)
	}
	resp, body := p.submit(page, body, map[string]string{"email": email, "password": password})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != cliauth.CallbackPath || !strings.HasPrefix(resp.Request.URL.Host, "127.0.0.1:") {
		p.t.Fatalf("sign-in ended at %s with %s:\n%s", resp.Request.URL.Redacted(), resp.Status, body)
	}
	if !strings.Contains(body, "You are signed in") {
		p.t.Fatalf("callback page:\n%s", body)
	}
}

// background runs a CLI command in a goroutine.
type background struct {
	stdout, stderr syncBuffer
	done           chan int
}

func runInBackground(ctx context.Context, args ...string) *background {
	b := &background{done: make(chan int, 1)}
	go func() { b.done <- run(ctx, args, &b.stdout, &b.stderr) }()
	return b
}

// waitFor waits until the command's stderr matches re.
func (b *background) waitFor(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(b.stderr.String()); m != nil {
			return m
		}
		select {
		case code := <-b.done:
			t.Fatalf("the command ended (exit %d) before printing %v:\n%s", code, re, b.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no %v in stderr:\n%s", re, b.stderr.String())
	return nil
}

func (b *background) wait(t *testing.T) int {
	t.Helper()
	select {
	case code := <-b.done:
		return code
	case <-time.After(60 * time.Second):
		t.Fatal("the command did not finish")
		return -1
	}
}

var (
	deviceInstructions  = regexp.MustCompile(`open (\S+) and enter the code (\S+)\n`)
	browserInstructions = regexp.MustCompile(`open this URL in your browser:\n  (\S+)\n`)
)

func storedSession(t *testing.T, dir string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "session.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func bearerStatus(t *testing.T, u, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLoginFlows signs in with each flow, as the person would, then uses
// the session (whoami, sql --remote) and signs out.
func TestLoginFlows(t *testing.T) {
	srv := startLoginServer(t)
	base := srv.URL
	for _, tc := range []struct {
		flow, email, user, role, region string
	}{
		{"device", "ming@example.com", "AWSIDC:ming@example.com", "AWSIDC:apac-sales", "Asia"},
		{"browser", "frank@example.com", "AWSIDC:frank@example.com", "AWSIDC:amer-sales", "America"},
	} {
		t.Run(tc.flow, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv(cliauth.EnvConfigDir, dir)
			var outputs []string
			cli := func(args ...string) (int, string, string) {
				code, stdout, stderr := runCLI(t, args...)
				outputs = append(outputs, stdout, stderr)
				return code, stdout, stderr
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			// The device flow finds the embedded IdP from --server alone.
			args := []string{"login", "--server", base + "/", "--client-id", "tipgate-cli", "--flow", tc.flow}
			if tc.flow == "browser" {
				args = append(args, "--issuer", base+"/idp")
			}
			login := runInBackground(ctx, args...)
			who := newPerson(t)
			if tc.flow == "device" {
				m := login.waitFor(t, deviceInstructions)
				who.approveDevice(m[1], m[2], tc.email, loginTestPassword)
			} else {
				m := login.waitFor(t, browserInstructions)
				who.signInWithBrowser(m[1], tc.email, loginTestPassword)
			}
			code := login.wait(t)
			outputs = append(outputs, login.stdout.String(), login.stderr.String())
			if code != 0 || !strings.Contains(login.stdout.String(), "as "+tc.user) {
				t.Fatalf("login: exit %d\nstdout: %s\nstderr: %s", code, login.stdout.String(), login.stderr.String())
			}
			sess := storedSession(t, dir)
			token, _ := sess["token"].(string)
			if sess["server"] != base || token == "" {
				t.Fatalf("stored session: server %v, token present %v", sess["server"], token != "")
			}
			if fi, err := os.Stat(filepath.Join(dir, "session.json")); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("session file: %v %v", fi.Mode(), err)
			}

			code, stdout, stderr := cli("whoami")
			if code != 0 || !regexp.MustCompile(`(?m)^User: +`+regexp.QuoteMeta(tc.user)+`$`).MatchString(stdout) ||
				!regexp.MustCompile(`(?m)^Roles: +.*`+regexp.QuoteMeta(tc.role)).MatchString(stdout) {
				t.Fatalf("whoami: exit %d\n%s%s", code, stdout, stderr)
			}

			code, stdout, stderr = cli("sql", "--remote", base, "-c", "SELECT DISTINCT split_part(timezone,'/',1) AS region FROM sales_data")
			want := " region\n" + strings.Repeat("-", max(len("region"), len(tc.region))+2) + "\n " + tc.region + "\n(1 row)\n"
			if code != 0 || stdout != want {
				t.Fatalf("sql --remote: exit %d\n%q\nwant %q\n%s", code, stdout, want, stderr)
			}

			code, stdout, stderr = cli("logout")
			if code != 0 || !strings.Contains(stdout, "Signed out") {
				t.Fatalf("logout: exit %d\n%s%s", code, stdout, stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "session.json")); !os.IsNotExist(err) {
				t.Fatalf("the session file survived logout: %v", err)
			}
			if status := bearerStatus(t, base+"/v1/whoami", token); status != http.StatusUnauthorized {
				t.Fatalf("the revoked session still works: %d", status)
			}
			code, _, stderr = cli("whoami")
			if code == 0 || !strings.Contains(stderr, "not logged in") {
				t.Fatalf("whoami after logout: exit %d: %s", code, stderr)
			}
			for _, out := range outputs {
				if strings.Contains(out, token) || strings.Contains(out, loginTestPassword) {
					t.Fatal("a token or password reached the output")
				}
			}
		})
	}
	// An unknown client id is the caller's mistake (invalid_client), named as such.
	t.Run("unknown client id", func(t *testing.T) {
		t.Setenv(cliauth.EnvConfigDir, t.TempDir())
		code, _, stderr := runCLI(t, "login", "--server", base, "--client-id", "no-such-client")
		if code != 1 || !strings.Contains(stderr, "invalid_client") || !strings.Contains(stderr, `unknown client_id "no-such-client"`) || strings.Contains(stderr, "server_error") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
	// The server's root as --issuer (forgetting /idp) is named for what it is.
	t.Run("server root as issuer", func(t *testing.T) {
		t.Setenv(cliauth.EnvConfigDir, t.TempDir())
		for _, flow := range []string{"device", "browser"} {
			code, _, stderr := runCLI(t, "login", "--server", base, "--issuer", base, "--flow", flow)
			if code != 1 || !strings.Contains(stderr, base+" is not an identity provider people sign in at") || !strings.Contains(stderr, base+"/idp") {
				t.Errorf("--flow %s: exit %d: %s", flow, code, stderr)
			}
		}
	})
}

// TestStoredSessionProblems covers what whoami, sql --remote and logout
// do with a session that is missing, unreadable by policy, expired, for
// another server or refused by the server.
func TestStoredSessionProblems(t *testing.T) {
	srv := startLoginServer(t)
	const fakeToken = "not-a-real-session-token-7f3a"
	write := func(dir string, sess cliauth.Session, mode os.FileMode) {
		if err := (cliauth.Store{Dir: dir}).Save(sess); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, "session.json"), mode); err != nil {
			t.Fatal(err)
		}
	}
	live := cliauth.Session{Server: srv.URL, Token: fakeToken, Expiry: time.Now().Add(time.Hour)}
	expired := live
	expired.Expiry = time.Now().Add(-time.Minute)
	for _, tc := range []struct {
		name     string
		sess     *cliauth.Session
		mode     os.FileMode
		args     []string
		code     int
		stdout   string
		stderrIn string
		fileGone bool
	}{
		{"whoami, no session", nil, 0, []string{"whoami"}, 1, "", "not logged in", true},
		{"sql, no session", nil, 0, []string{"sql", "--remote", srv.URL, "-c", "SELECT 1"}, 1, "", "not logged in", true},
		{"logout, no session", nil, 0, []string{"logout"}, 0, "Not signed in.\n", "", true},
		{"whoami, file readable by group", &live, 0o640, []string{"whoami"}, 1, "", "lets other users read it", false},
		{"sql, file readable by others", &live, 0o604, []string{"sql", "--remote", srv.URL, "-c", "SELECT 1"}, 1, "", "lets other users read it", false},
		{"whoami, expired", &expired, 0o600, []string{"whoami"}, 1, "", "expired at", false},
		{"whoami, refused by the server", &live, 0o600, []string{"whoami"}, 1, "", "refused the stored session (token_malformed): run 'tipgate login' again", false},
		{"sql, refused by the server", &live, 0o600, []string{"sql", "--remote", srv.URL, "-c", "SELECT 1"}, 1, "", "refused the stored session", false},
		{"sql, another server", &live, 0o600, []string{"sql", "--remote", "http://127.0.0.1:1", "-c", "SELECT 1"}, 1, "", "the stored session is for " + srv.URL, false},
		{"logout, expired session still deleted", &expired, 0o600, []string{"logout"}, 0, "Signed out of " + srv.URL + ".\n", "", true},
		{"logout, refused session still deleted", &live, 0o600, []string{"logout"}, 0, "Signed out of " + srv.URL + ".\n", "", true},
		{"logout, server unreachable", &cliauth.Session{Server: "http://127.0.0.1:1", Token: fakeToken, Expiry: time.Now().Add(time.Hour)}, 0o600,
			[]string{"logout"}, 1, "", "could not revoke", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv(cliauth.EnvConfigDir, dir)
			if tc.sess != nil {
				write(dir, *tc.sess, tc.mode)
			}
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code || (tc.stdout != "" && stdout != tc.stdout) || !strings.Contains(stderr, tc.stderrIn) {
				t.Fatalf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tc.code, stdout, tc.stdout, stderr, tc.stderrIn)
			}
			_, err := os.Stat(filepath.Join(dir, "session.json"))
			if gone := os.IsNotExist(err); gone != tc.fileGone {
				t.Fatalf("session file gone = %v, want %v", gone, tc.fileGone)
			}
			if strings.Contains(stdout+stderr, fakeToken) {
				t.Fatal("the token reached the output")
			}
		})
	}
}

func TestLoginFlagErrors(t *testing.T) {
	t.Setenv(cliauth.EnvConfigDir, t.TempDir())
	for _, tc := range []struct {
		name     string
		args     []string
		stderrIn []string
	}{
		{"nothing given", []string{"login"}, []string{"--server is required"}},
		{"no embedded IdP", []string{"login", "--server", "http://127.0.0.1:1"}, []string{"http://127.0.0.1:1 has no embedded identity provider at http://127.0.0.1:1/idp", "--issuer"}},
		{"bad flow", []string{"login", "--server", "http://127.0.0.1:1", "--issuer", "http://127.0.0.1:1/idp", "--flow", "password"}, []string{`--flow "password"`}},
		{"plain http to another host", []string{"login", "--server", "http://tipgate.example.com", "--issuer", "https://idp.example.com"},
			[]string{"plain http is only allowed for loopback"}},
		{"issuer unreachable", []string{"login", "--server", "http://127.0.0.1:1", "--issuer", "http://127.0.0.1:1/idp"}, []string{"discovery at http://127.0.0.1:1/idp"}},
		{"extra argument", []string{"whoami", "now"}, []string{`unexpected argument "now"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != 1 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range tc.stderrIn {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
		})
	}
}
