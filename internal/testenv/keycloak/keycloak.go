// Package keycloak runs a real Keycloak server for tests. It is a test helper:
// import it only from _test.go files.
//
// The distribution (org.keycloak:keycloak-quarkus-dist, version pinned in
// scripts/keycloak/VERSION) is fetched from Maven Central by
// scripts/keycloak/fetch.sh into $REPO/.cache/keycloak/VERSION, or taken from
// $TIPGATE_KEYCLOAK_DIR (an already unpacked distribution: the directory
// holding bin/kc.sh). The server runs in dev mode on a free loopback port with
// the realm testdata/keycloak/tipgate-realm.json imported, its data (H2
// database, import directory) in a fresh temporary directory, and its output
// in a log file there, never in the test output.
//
// Sharing one process per test binary: Keycloak takes tens of seconds to
// start, so a test binary should start it at most once. Wrap the tests with
// Main in TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(keycloak.Main(m)) }
//
// Then every Start in that binary returns the same instance (started lazily
// by the first test that needs it), and Main stops it after all tests. This is
// the package's only mutable package-level state (the variable shared). Without
// Main, Start still shares the instance, but stops it when the test that
// started it finishes (t.Cleanup), so a later Start starts a new one.
//
// Environment:
//
//	TIPGATE_KEYCLOAK_DIR            use this unpacked distribution, do not run fetch.sh
//	TIPGATE_KEYCLOAK_JAVA_HOME      JDK to run Keycloak with (default: the Temurin 25 JDK
//	                                at /usr/lib/jvm/temurin-25-jdk-amd64, else $JAVA_HOME)
//	TIPGATE_KEYCLOAK_START_TIMEOUT  readiness deadline as a Go duration (default 300s)
//	TIPGATE_KEYCLOAK_KEEP           if set, keep the data dir and log after the run
//
// Nothing here skips: if Keycloak cannot be fetched or started the test fails
// with the reason and the tail of Keycloak's log.
package keycloak

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Fixed names of the test realm (testdata/keycloak/tipgate-realm.json).
const (
	Realm = "tipgate"
	// ClientID is the confidential client; ClientSecret is its secret.
	ClientID     = "tipgate"
	ClientSecret = "tipgate-test-client-secret"
	// PublicClientID is the public client (PKCE S256 for the code flow).
	PublicClientID = "tipgate-cli"
	// TestPassword is every demo user's password in the test realm. Tests must
	// not print it.
	TestPassword = "tipgate-demo-pw"
	// GroupsClaim carries the user's group names (not full paths: the
	// group membership mapper has full.path=false), e.g. ["apac-sales"].
	GroupsClaim = "groups"

	adminUser             = "admin"
	defaultJavaHome       = "/usr/lib/jvm/temurin-25-jdk-amd64"
	defaultStartTimeout   = 300 * time.Second
	stopTimeout           = 30 * time.Second
	realmFileRel          = "testdata/keycloak/tipgate-realm.json"
	fetchScriptRel        = "scripts/keycloak/fetch.sh"
	versionFileRel        = "scripts/keycloak/VERSION"
	modulePath            = "github.com/tipgate/tipgate"
	logTailLines          = 60
	keyProviderType       = "org.keycloak.keys.KeyProvider"
	rotatedKeyProviderID  = "rsa-generated"
	rotatedKeyPriorityGap = 100
)

// User is a demo user of the test realm.
type User struct {
	Email, GivenName, FamilyName, Group string
}

// Users returns the realm's demo users (a fresh slice each call).
func Users() []User {
	return []User{
		{Email: "ethan@example.com", GivenName: "Ethan", FamilyName: "Exec", Group: "exec-global"},
		{Email: "frank@example.com", GivenName: "Frank", FamilyName: "Amer", Group: "amer-sales"},
		{Email: "alex@example.com", GivenName: "Alex", FamilyName: "Emea", Group: "emea-sales"},
		{Email: "ming@example.com", GivenName: "Ming", FamilyName: "Apac", Group: "apac-sales"},
	}
}

// Keycloak is a running Keycloak server with the tipgate realm.
type Keycloak struct {
	// Issuer is the realm's issuer, http://127.0.0.1:PORT/realms/tipgate.
	Issuer string
	// BaseURL is http://127.0.0.1:PORT.
	BaseURL string
	// ClientID and ClientSecret identify the confidential client.
	ClientID, ClientSecret string
	// PublicClientID is the public client.
	PublicClientID string
	// Version is the Keycloak version (from the distribution's version.txt).
	Version string
	// Dist is the unpacked distribution; DataDir the per-instance home
	// (data/, copied kc.sh, symlinks into Dist); LogFile Keycloak's output.
	Dist, DataDir, LogFile string
	// FetchDuration is how long fetch.sh took (near zero when cached);
	// StartDuration from launching kc.sh to the realm's discovery document
	// being served.
	FetchDuration, StartDuration time.Duration

	adminPassword string
	cmd           *exec.Cmd
	exited        chan struct{} // closed when the process has exited
	waitErr       error         // set before exited is closed
	httpc         *http.Client

	mu      sync.Mutex
	stopped bool
}

// shared is the one instance per test binary (see the package doc).
var shared struct {
	mu      sync.Mutex
	main    bool // Main is running the tests
	kc      *Keycloak
	failure error // a failed start is not retried: every later Start fails fast
}

// Main runs the tests with one shared Keycloak (started lazily by Start) and
// stops it afterwards. Use it in TestMain: os.Exit(keycloak.Main(m)).
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	kc := shared.kc
	shared.kc = nil
	shared.mu.Unlock()
	if kc != nil {
		if err := kc.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "keycloak: stop: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		kc.removeDataDir(code != 0)
	}
	return code
}

// Start returns the test binary's Keycloak, starting it if needed. It fails
// the test (with the tail of Keycloak's log) if Keycloak cannot be fetched or
// does not become ready before the deadline.
func Start(t testing.TB) *Keycloak {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.failure != nil {
		t.Fatalf("keycloak: an earlier start in this test binary failed:\n%v", shared.failure)
	}
	if shared.kc != nil {
		if !shared.kc.isStopped() {
			return shared.kc
		}
		shared.kc.removeDataDir(t.Failed()) // stopped by Stop: replace it
		shared.kc = nil
	}
	kc, err := start(t)
	if err != nil {
		shared.failure = err
		t.Fatalf("keycloak: %v", err)
	}
	shared.kc = kc
	if !shared.main {
		t.Cleanup(func() {
			shared.mu.Lock()
			if shared.kc == kc {
				shared.kc = nil
			}
			shared.mu.Unlock()
			if err := kc.stop(); err != nil {
				t.Errorf("keycloak: stop: %v", err)
			}
			kc.removeDataDir(t.Failed())
		})
	}
	return kc
}

// Stop stops the server and waits for it to exit. Tokens and keys obtained
// before stay usable offline (e.g. a verifier's cached JWKS). A later Start
// in the same binary starts a new server (new port, new keys).
func (k *Keycloak) Stop(t testing.TB) {
	t.Helper()
	if err := k.stop(); err != nil {
		t.Fatalf("keycloak: stop: %v%s", err, k.logTail())
	}
}

// TokenSet is a token endpoint response.
type TokenSet struct {
	IDToken      string `json:"id_token"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

// IDToken returns a fresh ID token for the demo user email (resource-owner
// password grant as the confidential client, scope "openid email profile").
func (k *Keycloak) IDToken(t testing.TB, email string) string {
	t.Helper()
	ts := k.Tokens(t, k.ClientID, email)
	if ts.IDToken == "" {
		t.Fatalf("keycloak: token response for %s has no id_token", email)
	}
	return ts.IDToken
}

// Tokens runs the password grant for email as clientID (ClientID, with its
// secret, or PublicClientID) and returns the tokens. The password is
// TestPassword; it never appears in a failure message.
func (k *Keycloak) Tokens(t testing.TB, clientID, email string) TokenSet {
	t.Helper()
	form := url.Values{
		"grant_type": {"password"},
		"client_id":  {clientID},
		"username":   {email},
		"password":   {TestPassword},
		"scope":      {"openid email profile"},
	}
	if clientID == k.ClientID {
		form.Set("client_secret", k.ClientSecret)
	}
	var ts TokenSet
	if err := k.postForm(k.Issuer+"/protocol/openid-connect/token", form, &ts); err != nil {
		t.Fatalf("keycloak: password grant for %s as %s: %v%s", email, clientID, err, k.logTail())
	}
	return ts
}

// RotateKeys rotates the realm's RS256 signing key through the admin REST
// API: it adds a new generated RSA key provider with a higher priority (a new
// kid, used for every token from now on) and makes the previous RS256 keys
// passive: they no longer sign but stay in the JWKS, so tokens issued before
// still verify.
func (k *Keycloak) RotateKeys(t testing.TB) {
	t.Helper()
	if err := k.rotateKeys(); err != nil {
		t.Fatalf("keycloak: rotate keys: %v%s", err, k.logTail())
	}
}

// SigningKeyID returns the kid of the realm's active RS256 signing key
// (admin REST API).
func (k *Keycloak) SigningKeyID(t testing.TB) string {
	t.Helper()
	tok, err := k.adminToken()
	if err != nil {
		t.Fatalf("keycloak: %v%s", err, k.logTail())
	}
	var keys struct {
		Active map[string]string `json:"active"`
	}
	if err := k.adminDo(tok, http.MethodGet, "/keys", nil, &keys); err != nil {
		t.Fatalf("keycloak: list keys: %v%s", err, k.logTail())
	}
	kid := keys.Active["RS256"]
	if kid == "" {
		t.Fatalf("keycloak: realm has no active RS256 key: %v", keys.Active)
	}
	return kid
}

// ---- start ----

func start(t testing.TB) (*Keycloak, error) {
	repo, err := repoRoot()
	if err != nil {
		return nil, err
	}
	k := &Keycloak{
		ClientID:       ClientID,
		ClientSecret:   ClientSecret,
		PublicClientID: PublicClientID,
		httpc:          &http.Client{Timeout: 30 * time.Second},
	}

	// Distribution.
	t0 := time.Now()
	if dir := os.Getenv("TIPGATE_KEYCLOAK_DIR"); dir != "" {
		k.Dist = dir
	} else {
		want, _ := os.ReadFile(filepath.Join(repo, versionFileRel))
		t.Logf("keycloak: %s (version %s; downloads only if not cached) ...", fetchScriptRel, strings.TrimSpace(string(want)))
		cmd := exec.Command("bash", filepath.Join(repo, fetchScriptRel))
		cmd.Dir = repo
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s failed: %v\n%s", fetchScriptRel, err, tail(stderr.String(), logTailLines))
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		k.Dist = lines[len(lines)-1]
	}
	k.FetchDuration = time.Since(t0)
	if fi, err := os.Stat(filepath.Join(k.Dist, "bin", "kc.sh")); err != nil || fi.IsDir() {
		return nil, fmt.Errorf("%s is not an unpacked Keycloak distribution (no bin/kc.sh)", k.Dist)
	}
	if v, err := os.ReadFile(filepath.Join(k.Dist, "version.txt")); err == nil {
		// "Keycloak - Version 26.5.6"
		f := strings.Fields(string(v))
		if len(f) > 0 {
			k.Version = f[len(f)-1]
		}
	}

	javaHome, javaNote := pickJavaHome()
	if javaNote != "" {
		t.Logf("keycloak: %s", javaNote)
	}

	// kc.sh start-dev re-augments the distribution (lib/quarkus) on its first
	// start; serialise starts of the same distribution across test binaries
	// (go test runs packages in parallel) so they never augment concurrently.
	unlock, err := lockFile(filepath.Join(os.TempDir(), "tipgate-keycloak-"+shortHash(k.Dist)+".lock"))
	if err != nil {
		return nil, err
	}
	defer unlock()

	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if err := k.prepareHome(repo); err != nil {
			return nil, err
		}
		lastErr = k.launch(t, javaHome)
		if lastErr == nil {
			t.Logf("keycloak: %s ready at %s after %s (fetch %s; log %s)",
				k.Version, k.Issuer, k.StartDuration.Round(100*time.Millisecond), k.FetchDuration.Round(10*time.Millisecond), k.LogFile)
			return k, nil
		}
		portTaken := strings.Contains(k.logTail(), "Address already in use")
		if !portTaken {
			break
		}
		k.removeDataDir(false)
	}
	return nil, lastErr
}

// prepareHome makes a per-instance Keycloak home: bin/kc.sh copied (kc.sh
// derives kc.home.dir from its own resolved path), lib, conf, themes and
// providers symlinked to the distribution, and data/import holding the realm.
// So the H2 database, import directory and temp files are per instance and
// the distribution is only written by Quarkus' re-augmentation (lib/quarkus).
func (k *Keycloak) prepareHome(repo string) error {
	home, err := os.MkdirTemp("", "tipgate-keycloak-")
	if err != nil {
		return err
	}
	k.DataDir = home
	k.LogFile = filepath.Join(home, "keycloak.log")
	if err := os.MkdirAll(filepath.Join(home, "bin"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(home, "data", "import"), 0o755); err != nil {
		return err
	}
	if err := copyFile(filepath.Join(k.Dist, "bin", "kc.sh"), filepath.Join(home, "bin", "kc.sh"), 0o755); err != nil {
		return err
	}
	for _, d := range []string{"lib", "conf", "themes", "providers"} {
		src, err := filepath.Abs(filepath.Join(k.Dist, d))
		if err != nil {
			return err
		}
		if err := os.Symlink(src, filepath.Join(home, d)); err != nil {
			return err
		}
	}
	return copyFile(filepath.Join(repo, realmFileRel), filepath.Join(home, "data", "import", "tipgate-realm.json"), 0o644)
}

func (k *Keycloak) launch(t testing.TB, javaHome string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	k.BaseURL = "http://127.0.0.1:" + strconv.Itoa(port)
	k.Issuer = k.BaseURL + "/realms/" + Realm
	k.adminPassword = randomHex(16)

	logf, err := os.Create(k.LogFile)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own descriptor

	args := startArgs(k.BaseURL, port)
	cmd := exec.Command(filepath.Join(k.DataDir, "bin", "kc.sh"), args...)
	cmd.Dir = k.DataDir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.Env = childEnv(javaHome, k.adminPassword)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true, // Stop signals the whole group (kc.sh and its java)
		// If the test binary dies without cleanup (e.g. go test's timeout),
		// kc.sh gets SIGTERM, which it forwards to java.
		Pdeathsig: syscall.SIGTERM,
	}
	fmt.Fprintf(logf, "# tipgate: JAVA_HOME=%s %s %s\n", javaHome, cmd.Path, strings.Join(args, " "))
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %v", cmd.Path, err)
	}
	k.cmd = cmd
	k.exited = make(chan struct{})
	go func() {
		k.waitErr = cmd.Wait()
		close(k.exited)
	}()

	timeout := defaultStartTimeout
	if s := os.Getenv("TIPGATE_KEYCLOAK_START_TIMEOUT"); s != "" {
		if d, err := time.ParseDuration(s); err == nil {
			timeout = d
		}
	}
	deadline := time.Now().Add(timeout)
	wellKnown := k.Issuer + "/.well-known/openid-configuration"
	poll := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-k.exited:
			return fmt.Errorf("keycloak exited before it was ready (%v) after %s%s",
				k.waitErr, time.Since(t0).Round(time.Second), k.logTail())
		default:
		}
		if resp, err := poll.Get(wellKnown); err == nil {
			var doc struct {
				Issuer string `json:"issuer"`
			}
			derr := json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && derr == nil {
				if doc.Issuer != k.Issuer {
					_ = k.stop()
					return fmt.Errorf("discovery issuer %q, want %q%s", doc.Issuer, k.Issuer, k.logTail())
				}
				k.StartDuration = time.Since(t0)
				return nil
			}
		}
		if time.Now().After(deadline) {
			_ = k.stop()
			return fmt.Errorf("keycloak not ready within %s (%s not served)%s", timeout, wellKnown, k.logTail())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// startArgs are kc.sh's arguments. --hostname pins the frontend URL, so the
// issuer is http://127.0.0.1:PORT/realms/tipgate whichever host name a
// client uses (with only --hostname-strict=false it would follow the request).
func startArgs(baseURL string, port int) []string {
	return []string{
		"start-dev",
		"--import-realm",
		"--http-host=127.0.0.1",
		"--http-port=" + strconv.Itoa(port),
		"--hostname=" + baseURL,
		"--hostname-strict=false",
		"--health-enabled=false",
		"--metrics-enabled=false",
	}
}

// childEnv is the environment for kc.sh: the test's environment without any
// KC_*/KEYCLOAK_*/JAVA_OPTS* settings (a developer's KC_DB would change the
// server), plus JAVA_HOME and the bootstrap admin of the master realm.
func childEnv(javaHome, adminPassword string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "KC_") || strings.HasPrefix(name, "KEYCLOAK_") ||
			strings.HasPrefix(name, "JAVA_OPTS") || name == "JAVA_HOME" || name == "JAVA" ||
			name == "JAVA_ADD_OPENS" || name == "DEBUG" || name == "DEBUG_PORT" {
			continue
		}
		env = append(env, kv)
	}
	if javaHome != "" {
		env = append(env, "JAVA_HOME="+javaHome)
	}
	return append(env,
		"KC_BOOTSTRAP_ADMIN_USERNAME="+adminUser,
		"KC_BOOTSTRAP_ADMIN_PASSWORD="+adminPassword,
	)
}

func pickJavaHome() (home, note string) {
	if h := os.Getenv("TIPGATE_KEYCLOAK_JAVA_HOME"); h != "" {
		return h, ""
	}
	if isExecutable(filepath.Join(defaultJavaHome, "bin", "java")) {
		return defaultJavaHome, ""
	}
	if h := os.Getenv("JAVA_HOME"); h != "" {
		return h, fmt.Sprintf("%s not found; running Keycloak with JAVA_HOME=%s", defaultJavaHome, h)
	}
	return "", fmt.Sprintf("%s not found and JAVA_HOME unset; running Keycloak with java from PATH", defaultJavaHome)
}

// ---- stop ----

func (k *Keycloak) isStopped() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stopped
}

func (k *Keycloak) stop() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stopped || k.cmd == nil {
		k.stopped = true
		return nil
	}
	k.stopped = true
	pgid := k.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-k.exited:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-k.exited
		return fmt.Errorf("keycloak did not exit within %s of SIGTERM; killed", stopTimeout)
	}
	// kc.sh has exited; make sure no java of its group outlives it.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

func (k *Keycloak) removeDataDir(failed bool) {
	if k.DataDir == "" {
		return
	}
	if failed || os.Getenv("TIPGATE_KEYCLOAK_KEEP") != "" {
		fmt.Fprintf(os.Stderr, "keycloak: kept data dir and log: %s\n", k.LogFile)
		return
	}
	_ = os.RemoveAll(k.DataDir)
}

// logTail is "\n--- last lines of LOG ---\n..." or "".
func (k *Keycloak) logTail() string {
	if k.LogFile == "" {
		return ""
	}
	b, err := os.ReadFile(k.LogFile)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("\n--- last %d lines of %s ---\n%s", logTailLines, k.LogFile, tail(string(b), logTailLines))
}

// ---- admin REST API ----

func (k *Keycloak) adminToken() (string, error) {
	var ts TokenSet
	err := k.postForm(k.BaseURL+"/realms/master/protocol/openid-connect/token", url.Values{
		"grant_type": {"password"},
		"client_id":  {"admin-cli"},
		"username":   {adminUser},
		"password":   {k.adminPassword},
	}, &ts)
	if err != nil {
		return "", fmt.Errorf("admin token (master realm, bootstrap admin): %v", err)
	}
	return ts.AccessToken, nil
}

// adminDo calls /admin/realms/tipgate+path.
func (k *Keycloak) adminDo(token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, k.BaseURL+"/admin/realms/"+Realm+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := k.httpc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, req.URL.Path, resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type component struct {
	ID           string              `json:"id,omitempty"`
	Name         string              `json:"name"`
	ProviderID   string              `json:"providerId"`
	ProviderType string              `json:"providerType"`
	ParentID     string              `json:"parentId"`
	Config       map[string][]string `json:"config"`
}

func (k *Keycloak) rotateKeys() error {
	tok, err := k.adminToken()
	if err != nil {
		return err
	}
	var realm struct {
		ID string `json:"id"`
	}
	if err := k.adminDo(tok, http.MethodGet, "", nil, &realm); err != nil {
		return err
	}
	var comps []component
	if err := k.adminDo(tok, http.MethodGet, "/components?type="+url.QueryEscape(keyProviderType), nil, &comps); err != nil {
		return err
	}
	// The RS256 signing providers: generated or imported RSA keys whose
	// algorithm is RS256 (the default when unset). rsa-enc-generated keys
	// (RSA-OAEP, for encryption) are left alone.
	var old []component
	maxPrio := 0
	for _, c := range comps {
		if c.ProviderID != "rsa-generated" && c.ProviderID != "rsa" && c.ProviderID != "java-keystore" {
			continue
		}
		if alg := first(c.Config["algorithm"]); alg != "" && alg != "RS256" {
			continue
		}
		old = append(old, c)
		if p, err := strconv.Atoi(first(c.Config["priority"])); err == nil && p > maxPrio {
			maxPrio = p
		}
	}
	prio := maxPrio + rotatedKeyPriorityGap
	newKey := component{
		Name:         "rsa-rotated-" + strconv.Itoa(prio),
		ProviderID:   rotatedKeyProviderID,
		ProviderType: keyProviderType,
		ParentID:     realm.ID,
		Config: map[string][]string{
			"priority":  {strconv.Itoa(prio)},
			"enabled":   {"true"},
			"active":    {"true"},
			"algorithm": {"RS256"},
			"keySize":   {"2048"},
		},
	}
	if err := k.adminDo(tok, http.MethodPost, "/components", newKey, nil); err != nil {
		return err
	}
	for _, c := range old {
		// Passive: still published in the JWKS (verifies old tokens), never
		// used to sign. GET /components hides secrets as "**********" and a PUT
		// of that placeholder keeps the stored value.
		c.Config["active"] = []string{"false"}
		if err := k.adminDo(tok, http.MethodPut, "/components/"+c.ID, c, nil); err != nil {
			return fmt.Errorf("make key provider %s passive: %v", c.Name, err)
		}
	}
	return nil
}

// ---- small helpers ----

func (k *Keycloak) postForm(u string, form url.Values, out any) error {
	resp, err := k.httpc.PostForm(u, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		// Keycloak's error body ({"error":..,"error_description":..}) never
		// echoes the password.
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
	}
	return json.Unmarshal(b, out)
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// repoRoot walks up from the working directory (a package directory under
// go test) to the directory whose go.mod declares this module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if strings.TrimSpace(sc.Text()) == "module "+modulePath {
					f.Close()
					return dir, nil
				}
			}
			f.Close()
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (go.mod of " + modulePath + ") above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %v", path, err)
	}
	return func() { f.Close() }, nil
}

func copyFile(src, dst string, mode os.FileMode) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, mode)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func shortHash(s string) string {
	abs, err := filepath.Abs(s)
	if err == nil {
		s = abs
	}
	var h uint64 = 14695981039346656037 // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return strconv.FormatUint(h, 16)
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
