// Package trinoserver runs a real Trino cluster for tests: a coordinator and
// one worker as two JVMs on loopback. It is a test helper: import it only
// from _test.go files.
//
// The server is Trino from Maven Central, fetched and unpacked by
// scripts/trino/fetch.sh into .cache/trino (checksum-verified, once). The
// cluster is set up the way tipgate runs Trino in production:
//
//   - the coordinator serves clients over HTTPS only, with a certificate
//     from a test CA (internal/devtls) and password authentication; its HTTP
//     port is for the worker, whose requests carry the cluster's shared
//     secret (internal-communication.shared-secret), and it refuses any
//     other request (allow-insecure-over-http stays false);
//   - one user, ServiceUser, has a password: tipgate's service user;
//   - access control is file-based, read from RulesPath and reloaded at
//     most RefreshPeriod after it changes (security.refresh-period); the
//     initial rules give the service
//     user everything and let only it impersonate other users;
//   - the coordinator schedules no work on itself
//     (node-scheduler.include-coordinator=false): every split runs on the
//     worker;
//   - catalogs: "iceberg" (the warehouse: Iceberg tables whose JDBC catalog
//     is a database of the test binary's PostgreSQL, pgserver, and whose
//     data files are on local disk) and "memory".
//
// One cluster per test binary: wrap the tests with Main in TestMain,
//
//	func TestMain(m *testing.M) { os.Exit(trinoserver.Main(m)) }
//
// (it also runs pgserver.Main), and every Start in that binary returns the
// same cluster, which Main stops after all tests, failed or not. Each test
// takes its own schema (NewSchema), so tests stay independent.
//
// Environment:
//
//	TIPGATE_TRINO_DIR        an unpacked Trino server (default: run scripts/trino/fetch.sh)
//	TIPGATE_TRINO_JAVA_HOME  JDK to run Trino with (default /usr/lib/jvm/temurin-25-jdk-amd64)
//	TIPGATE_TRINO_KEEP       if set, keep the cluster's folder and logs after the run
//	TIPGATE_TRINO_START_TIMEOUT  how long the nodes may take to be ready (default 8m)
package trinoserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/trinodb/trino-go-client/trino" // database/sql driver "trino"
	"golang.org/x/crypto/bcrypt"

	"github.com/tipgate/tipgate/internal/devtls"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// ServiceUser is tipgate's service user, the only one that may impersonate.
const ServiceUser = "tipgate"

// OtherUser is a second user with a password (OtherPassword), for tests
// that show what a client that is not tipgate may not do.
const OtherUser = "analyst"

// Catalog names.
const (
	Warehouse = "iceberg"
	Memory    = "memory"
)

const (
	defaultJavaHome = "/usr/lib/jvm/temurin-25-jdk-amd64"
	modulePath      = "github.com/tipgate/tipgate"
	// startTimeout is how long the nodes may take to be ready
	// (TIPGATE_TRINO_START_TIMEOUT overrides it): 20–60 s on an idle
	// 2-core machine, minutes when it is shared and loaded.
	startTimeout = 8 * time.Minute
	// heap of each JVM: two of them share the 2-core, 24 GiB test machine
	// with the rest of the test run.
	heap = "1G"
)

// Cluster is a running coordinator and worker.
type Cluster struct {
	// Dir holds the nodes' configuration, data and logs, the TLS files,
	// the password file and the rules file.
	Dir string
	// URL is the coordinator's HTTPS address, https://127.0.0.1:PORT.
	URL string
	// CACert is the PEM file of the CA that signed the coordinator's
	// certificate.
	CACert string
	// ServicePassword is ServiceUser's password.
	ServicePassword string
	// OtherPassword is OtherUser's password.
	OtherPassword string
	// RulesPath is the file-based access control rules file Trino reloads.
	RulesPath string
	// PG is the PostgreSQL cluster holding the Iceberg JDBC catalog (the
	// database PGDatabase); tests may use it for their own databases.
	PG         *pgserver.Server
	PGDatabase string
	// Started is how long the cluster took to accept queries on its worker.
	Started time.Duration

	coordinator, worker *node
	mux                 *RulesMux
	mu                  sync.Mutex
	seq                 int
	stopped             bool
}

type node struct {
	name     string
	dir      string
	httpPort int
	cmd      *exec.Cmd
	done     chan struct{}
	err      error
}

// shared is the one cluster per test binary (see the package doc).
var shared struct {
	mu      sync.Mutex
	main    bool
	c       *Cluster
	failure error
}

// Main runs the tests with one shared cluster (started lazily by Start) and
// stops it afterwards. It runs pgserver.Main around the tests too.
func Main(m *testing.M) int { return Run(m.Run) }

// Run is Main for a TestMain that wraps m.Run in other harnesses' Main
// (internal/server: os.Exit(trinoserver.Run(func() int { return
// keycloak.Main(m) }))).
func Run(run func() int) int {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	code := pgserver.Run(run)
	shared.mu.Lock()
	c := shared.c
	shared.c = nil
	shared.mu.Unlock()
	if c != nil {
		c.stop(code != 0)
	}
	return code
}

// Start returns the test binary's cluster, starting it on first use.
func Start(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.failure != nil {
		t.Fatalf("trinoserver: an earlier start in this test binary failed: %v", shared.failure)
	}
	if shared.c != nil {
		return shared.c
	}
	c, err := start(t)
	if err != nil {
		shared.failure = err
		t.Fatalf("trinoserver: %v", err)
	}
	t.Logf("trinoserver: coordinator and worker up in %s", c.Started.Round(100*time.Millisecond))
	shared.c = c
	if !shared.main {
		t.Cleanup(func() {
			shared.mu.Lock()
			shared.c = nil
			shared.mu.Unlock()
			c.stop(t.Failed())
		})
	}
	return c
}

// DSN returns the trino-go-client DSN of the service user, with catalog
// and schema as the session's defaults (either may be empty).
func (c *Cluster) DSN(catalog, schema string) string {
	return c.UserDSN(ServiceUser, c.ServicePassword, catalog, schema)
}

// UserDSN is DSN for another user and password.
func (c *Cluster) UserDSN(user, password, catalog, schema string) string {
	u, _ := url.Parse(c.URL)
	u.User = url.UserPassword(user, password)
	q := url.Values{}
	if catalog != "" {
		q.Set("catalog", catalog)
	}
	if schema != "" {
		q.Set("schema", schema)
	}
	q.Set("SSLCertPath", c.CACert)
	u.RawQuery = q.Encode()
	return u.String()
}

// EngineDSN is the trino engine's DSN (trino.ParseDSN) for a warehouse in
// schema of the Iceberg catalog, with its policy catalog in a new database
// of the cluster's PostgreSQL: what `[warehouse] dsn` or `--dsn` hold.
// The engine writes the whole rules file (RulesPath), so only one engine
// opened from such a DSN may be in use on the cluster at a time; engines
// that share it in one test use Rules().Writer instead.
func (c *Cluster) EngineDSN(t testing.TB, schema string) string {
	t.Helper()
	store := c.PG.URL(c.PG.NewDatabase(t))
	u, _ := url.Parse(c.URL)
	u.User = url.UserPassword(ServiceUser, c.ServicePassword)
	u.Path = "/" + Warehouse + "/" + schema
	u.RawQuery = url.Values{"rules_path": {c.RulesPath}, "store": {store}, "ca_cert": {c.CACert}}.Encode()
	return u.String()
}

// DB opens the service user's database/sql handle on catalog and schema,
// closed when the test ends.
func (c *Cluster) DB(t testing.TB, catalog, schema string) *sql.DB {
	t.Helper()
	db, err := sql.Open("trino", c.DSN(catalog, schema))
	if err != nil {
		t.Fatalf("trinoserver: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewSchema creates an empty schema in the warehouse catalog for the
// calling test and returns its name; it is dropped with its tables when
// the test ends.
func (c *Cluster) NewSchema(t testing.TB) string {
	t.Helper()
	c.mu.Lock()
	c.seq++
	name := fmt.Sprintf("t%d", c.seq)
	c.mu.Unlock()
	db := c.DB(t, Warehouse, "")
	if _, err := db.Exec("CREATE SCHEMA " + Warehouse + "." + name); err != nil {
		t.Fatalf("trinoserver: create schema: %v", err)
	}
	t.Cleanup(func() {
		// CASCADE drops the tables, and with them their data files.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = db.ExecContext(ctx, "DROP SCHEMA "+Warehouse+"."+name+" CASCADE")
	})
	return name
}

// RefreshPeriod is the cluster's security.refresh-period. Trino reloads
// the rules file lazily: the first access check after the period has run
// out reads the file again (a memoized supplier), so a short period costs
// a parse of the file per period while queries run, and a rules change
// takes effect within one period. tipgate waits for every rules change
// (its probe table), so the period is what each catalog commit costs: at
// 1s, the conformance harness's thousands of commits spent most of their
// time waiting.
const RefreshPeriod = "100ms"

// WriteRules replaces the rules file atomically (Trino must never read half
// of one); Trino applies it within about a refresh period.
func (c *Cluster) WriteRules(rules []byte) error {
	tmp := c.RulesPath + ".tmp"
	if err := os.WriteFile(tmp, rules, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, c.RulesPath)
}

// InitialRules are the rules the cluster starts with: the service user may
// do anything and impersonate anyone; nobody else may do anything.
func InitialRules() []byte {
	b, _ := json.MarshalIndent(map[string]any{
		"catalogs":           []any{map[string]any{"user": ServiceUser, "allow": "all"}},
		"schemas":            []any{map[string]any{"user": ServiceUser, "owner": true}},
		"tables":             []any{map[string]any{"user": ServiceUser, "privileges": []string{"SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"}}},
		"system_information": []any{map[string]any{"user": ServiceUser, "allow": []string{"read", "write"}}},
		"queries":            []any{map[string]any{"user": ServiceUser, "allow": []string{"execute", "view", "kill"}}, map[string]any{"allow": []string{"execute"}}},
		"impersonation":      []any{map[string]any{"original_user": ServiceUser, "new_user": ".*", "allow": true}},
	}, "", "  ")
	return b
}

func start(t testing.TB) (*Cluster, error) {
	began := time.Now()
	dist, err := distribution()
	if err != nil {
		return nil, err
	}
	c := &Cluster{PG: pgserver.Start(t), PGDatabase: "trino_iceberg", ServicePassword: randomHex(16), OtherPassword: randomHex(16)}
	if err := c.createJDBCCatalog(); err != nil {
		return nil, err
	}
	if c.Dir, err = os.MkdirTemp("", "tipgate-trino-"); err != nil {
		return nil, err
	}
	if err := c.configure(); err != nil {
		c.cleanup(true)
		return nil, err
	}
	java := os.Getenv("TIPGATE_TRINO_JAVA_HOME")
	if java == "" {
		java = defaultJavaHome
	}
	for _, n := range []*node{c.coordinator, c.worker} {
		if err := n.launch(dist, java); err != nil {
			c.stop(true)
			return nil, err
		}
	}
	if err := c.waitReady(); err != nil {
		c.stop(true)
		return nil, err
	}
	c.Started = time.Since(began)
	return c, nil
}

// distribution returns the unpacked server, fetching it if need be.
func distribution() (string, error) {
	if d := os.Getenv("TIPGATE_TRINO_DIR"); d != "" {
		return d, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "scripts", "trino", "fetch.sh"))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("scripts/trino/fetch.sh: %w\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}

// createJDBCCatalog creates the database of Iceberg's JDBC catalog with the
// two tables Trino's Iceberg connector expects to find.
func (c *Cluster) createJDBCCatalog() error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.PG.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+c.PGDatabase); err != nil {
		return fmt.Errorf("create the Iceberg catalog database: %w", err)
	}
	db, err := pgx.Connect(ctx, c.PG.DSN(c.PGDatabase))
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	for _, s := range JDBCCatalogDDL {
		if _, err := db.Exec(ctx, s); err != nil {
			return fmt.Errorf("create the Iceberg catalog tables: %w", err)
		}
	}
	return nil
}

// JDBCCatalogDDL creates the tables of Iceberg's JDBC catalog (Trino does
// not create them).
var JDBCCatalogDDL = []string{
	`CREATE TABLE iceberg_namespace_properties (catalog_name varchar(255) NOT NULL, namespace varchar(255) NOT NULL,
	  property_key varchar(255) NOT NULL, property_value varchar(1000), PRIMARY KEY (catalog_name, namespace, property_key))`,
	`CREATE TABLE iceberg_tables (catalog_name varchar(255) NOT NULL, table_namespace varchar(255) NOT NULL,
	  table_name varchar(255) NOT NULL, metadata_location varchar(1000), previous_metadata_location varchar(1000),
	  iceberg_type varchar(5), PRIMARY KEY (catalog_name, table_namespace, table_name))`,
}

// configure writes both nodes' etc folders and the files they share.
func (c *Cluster) configure() error {
	files, err := devtls.Ensure(filepath.Join(c.Dir, "tls"), time.Now())
	if err != nil {
		return err
	}
	c.CACert = files.CACert
	key, err := os.ReadFile(files.ServerKey)
	if err != nil {
		return err
	}
	cert, err := os.ReadFile(files.ServerCert)
	if err != nil {
		return err
	}
	keystore := filepath.Join(c.Dir, "tls", "keystore.pem")
	if err := os.WriteFile(keystore, append(key, cert...), 0o600); err != nil {
		return err
	}
	var passwordDB strings.Builder
	for _, u := range [][2]string{{ServiceUser, c.ServicePassword}, {OtherUser, c.OtherPassword}} {
		hash, err := bcrypt.GenerateFromPassword([]byte(u[1]), 10)
		if err != nil {
			return err
		}
		// Trino reads bcrypt hashes spelt $2y$ (the same algorithm as Go's $2a$).
		passwordDB.WriteString(u[0] + ":$2y$" + strings.TrimPrefix(string(hash), "$2a$") + "\n")
	}
	passwords := filepath.Join(c.Dir, "password.db")
	if err := os.WriteFile(passwords, []byte(passwordDB.String()), 0o600); err != nil {
		return err
	}
	c.RulesPath = filepath.Join(c.Dir, "rules.json")
	if err := c.WriteRules(InitialRules()); err != nil {
		return err
	}
	warehouse := filepath.Join(c.Dir, "warehouse")
	if err := os.MkdirAll(warehouse, 0o700); err != nil {
		return err
	}
	secret := randomHex(32)
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	c.URL = fmt.Sprintf("https://127.0.0.1:%d", ports[1])
	discovery := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	catalogs := map[string]string{
		Memory: "connector.name=memory\nmemory.max-data-per-node=256MB\n",
		Warehouse: strings.Join([]string{
			"connector.name=iceberg",
			"iceberg.catalog.type=jdbc",
			"iceberg.jdbc-catalog.catalog-name=tipgate",
			"iceberg.jdbc-catalog.driver-class=org.postgresql.Driver",
			fmt.Sprintf("iceberg.jdbc-catalog.connection-url=jdbc:postgresql://127.0.0.1:%d/%s", c.PG.Port, c.PGDatabase),
			"iceberg.jdbc-catalog.connection-user=" + pgserver.Superuser,
			"iceberg.jdbc-catalog.connection-password=unused",
			"iceberg.jdbc-catalog.default-warehouse-dir=local:///",
			"fs.native-local.enabled=true",
			"local.location=" + warehouse,
			"",
		}, "\n"),
	}
	common := []string{
		"discovery.uri=" + discovery,
		"internal-communication.shared-secret=" + secret,
		"query.max-memory=1GB",
		"query.max-memory-per-node=256MB",
		"http-server.log.enabled=false",
	}
	c.coordinator = &node{name: "coordinator", dir: filepath.Join(c.Dir, "coordinator"), httpPort: ports[0]}
	c.worker = &node{name: "worker", dir: filepath.Join(c.Dir, "worker"), httpPort: ports[2]}
	coordinator := append([]string{
		"coordinator=true",
		"node-scheduler.include-coordinator=false",
		fmt.Sprintf("http-server.http.port=%d", ports[0]),
		"http-server.https.enabled=true",
		fmt.Sprintf("http-server.https.port=%d", ports[1]),
		"http-server.https.keystore.path=" + keystore,
		"http-server.authentication.type=PASSWORD",
		"http-server.authentication.allow-insecure-over-http=false",
	}, common...)
	worker := append([]string{
		"coordinator=false",
		fmt.Sprintf("http-server.http.port=%d", ports[2]),
	}, common...)
	extra := map[string]string{
		"access-control.properties":         "access-control.name=file\nsecurity.config-file=" + c.RulesPath + "\nsecurity.refresh-period=" + RefreshPeriod + "\n",
		"password-authenticator.properties": "password-authenticator.name=file\nfile.password-file=" + passwords + "\n",
	}
	if err := c.coordinator.write(coordinator, catalogs, extra); err != nil {
		return err
	}
	return c.worker.write(worker, catalogs, nil)
}

func (n *node) write(config []string, catalogs, extra map[string]string) error {
	etc := filepath.Join(n.dir, "etc")
	if err := os.MkdirAll(filepath.Join(etc, "catalog"), 0o700); err != nil {
		return err
	}
	files := map[string]string{
		"config.properties": strings.Join(config, "\n") + "\n",
		"node.properties": "node.environment=tipgate_test\nnode.id=" + n.name + "\nnode.data-dir=" +
			filepath.Join(n.dir, "data") + "\n",
		"jvm.config": strings.Join([]string{
			"-server", "-Xmx" + heap, "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
			"-XX:ReservedCodeCacheSize=128M", "-Djdk.attach.allowAttachSelf=true",
			"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED",
			// Few threads: the machine has 2 cores and two JVMs.
			"-XX:ActiveProcessorCount=2", "-XX:CICompilerCount=2",
		}, "\n") + "\n",
		"log.properties": "io.trino=WARN\nio.airlift=WARN\n",
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, body := range catalogs {
		files[filepath.Join("catalog", name+".properties")] = body
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(body), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// launch starts the node's JVM through Trino's launcher in the foreground,
// in its own process group, its output to server.log.
func (n *node) launch(dist, javaHome string) error {
	logf, err := os.Create(filepath.Join(n.dir, "server.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(dist, "bin", "launcher"), "run",
		"--etc-dir="+filepath.Join(n.dir, "etc"), "--data-dir="+filepath.Join(n.dir, "data"),
		"--jvm-dir="+javaHome)
	cmd.Dir = n.dir
	cmd.Env = []string{"PATH=" + filepath.Join(javaHome, "bin") + ":/usr/bin:/bin", "JAVA_HOME=" + javaHome,
		"LANG=C.UTF-8", "TZ=UTC"}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the %s: %w", n.name, err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func() {
		n.err = cmd.Wait()
		close(n.done)
	}()
	return nil
}

func (n *node) exited() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

func (n *node) logTail() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "server.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// waitReady polls the coordinator's /v1/info until it has started, then
// asks it, as the service user, until the worker is an active node.
func (c *Cluster) waitReady() error {
	pool := x509.NewCertPool()
	ca, err := os.ReadFile(c.CACert)
	if err != nil {
		return err
	}
	pool.AppendCertsFromPEM(ca)
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	timeout := startTimeout
	if d, err := time.ParseDuration(os.Getenv("TIPGATE_TRINO_START_TIMEOUT")); err == nil && d > 0 {
		timeout = d
	}
	deadline := time.Now().Add(timeout)
	var last error
	check := func() error {
		for _, n := range []*node{c.coordinator, c.worker} {
			if n.exited() {
				return fmt.Errorf("the %s exited: %v\n%s", n.name, n.err, n.logTail())
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready within %s: %v\ncoordinator:\n%s\nworker:\n%s", timeout, last,
				c.coordinator.logTail(), c.worker.logTail())
		}
		time.Sleep(250 * time.Millisecond)
		return nil
	}
	for {
		last = infoStarted(client, c.URL)
		if last == nil {
			break
		}
		if err := check(); err != nil {
			return err
		}
	}
	db, err := sql.Open("trino", c.DSN("", ""))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		var n int
		last = db.QueryRow("SELECT count(*) FROM system.runtime.nodes WHERE NOT coordinator AND state = 'active'").Scan(&n)
		if last == nil && n == 1 {
			return nil
		}
		if last == nil {
			last = errors.New("the worker has not registered")
		}
		if err := check(); err != nil {
			return err
		}
	}
}

func infoStarted(client *http.Client, base string) error {
	resp, err := client.Get(base + "/v1/info")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var info struct {
		Starting bool `json:"starting"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		return fmt.Errorf("/v1/info: %s: %w", resp.Status, err)
	}
	if info.Starting {
		return errors.New("the coordinator is starting")
	}
	return nil
}

// stop ends both JVMs (SIGTERM to each process group, SIGKILL after 15 s)
// and removes the cluster's folder unless failed and TIPGATE_TRINO_KEEP.
func (c *Cluster) stop(failed bool) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped = true
	c.mu.Unlock()
	for _, n := range []*node{c.worker, c.coordinator} {
		if n == nil || n.cmd == nil {
			continue
		}
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGTERM)
	}
	for _, n := range []*node{c.worker, c.coordinator} {
		if n == nil || n.cmd == nil {
			continue
		}
		select {
		case <-n.done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
			<-n.done
		}
	}
	c.cleanup(!failed || os.Getenv("TIPGATE_TRINO_KEEP") == "")
}

func (c *Cluster) cleanup(remove bool) {
	if remove && os.Getenv("TIPGATE_TRINO_KEEP") == "" && c.Dir != "" {
		os.RemoveAll(c.Dir)
	}
}

// repoRoot walks up from the working directory (a package directory under
// go test) to the directory whose go.mod declares this module.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && bytes.Contains(b, []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the repository root (go.mod of " + modulePath + ") above the working directory")
		}
		dir = parent
	}
}

// freePorts picks n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var out []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
