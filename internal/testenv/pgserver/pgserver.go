// Package pgserver runs a real PostgreSQL cluster for tests. It is a test
// helper: import it only from _test.go files, and from the benchmark
// programs under bench/ (Launch).
//
// The server is Debian's (scripts/postgres-deps.sh installs the postgresql
// package when no server of version 15 or newer is under
// /usr/lib/postgresql/*/bin). Start runs initdb into a fresh temporary
// directory, then postgres on a free loopback port with its Unix socket in
// that directory, and polls until it answers. initdb and postgres refuse to
// run as root, so as root (CI) they run as the unprivileged OS user
// tipgate-pg (created by the script) through setpriv.
//
// One cluster per test binary: wrap the tests with Main in TestMain,
//
//	func TestMain(m *testing.M) { os.Exit(pgserver.Main(m)) }
//
// and every Start in that binary returns the same cluster, which Main stops
// after all tests, failed or not. Without Main, the cluster is stopped when
// the test that started it ends. Each test takes its own database
// (NewDatabase), so tests stay independent.
//
// Environment:
//
//	TIPGATE_PG_BIN   folder holding initdb, pg_ctl and postgres (default: the
//	                 newest /usr/lib/postgresql/*/bin)
//	TIPGATE_PG_USER  OS user to run the server as when root (default tipgate-pg)
//	TIPGATE_PG_KEEP  if set, keep the cluster's folder and log after the run
package pgserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the cluster's bootstrap superuser; it authenticates by trust
// on the socket and on loopback only.
const Superuser = "postgres"

const startTimeout = 60 * time.Second

// Server is a running cluster.
type Server struct {
	// Dir holds the data folder, the socket and the log.
	Dir string
	// Port is the TCP port on 127.0.0.1 (also the socket's number).
	Port int
	// Version is the server's major version.
	Version  int
	bin      string
	runAs    []string // command prefix that drops root, or nil
	settings []string // extra -c name=value (Launch)

	mu      sync.Mutex
	dbSeq   int
	stopped bool
}

// shared is the one cluster per test binary (see the package doc).
var shared struct {
	mu      sync.Mutex
	main    bool
	srv     *Server
	failure error
}

// Main runs the tests with one shared cluster (started lazily by Start) and
// stops it afterwards.
func Main(m *testing.M) int { return Run(m.Run) }

// Run is Main for a TestMain that wraps m.Run in other harnesses' Main
// (for example keycloak.Main): it runs run with one shared cluster and
// stops it afterwards.
func Run(run func() int) int {
	shared.mu.Lock()
	shared.main = true
	shared.mu.Unlock()
	code := run()
	shared.mu.Lock()
	srv := shared.srv
	shared.srv = nil
	shared.mu.Unlock()
	if srv != nil {
		if err := srv.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgserver:", err)
		}
	}
	return code
}

// Start returns the test binary's cluster, starting it on first use.
func Start(t testing.TB) *Server {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.failure != nil {
		t.Fatalf("pgserver: an earlier start in this test binary failed: %v", shared.failure)
	}
	if shared.srv != nil {
		return shared.srv
	}
	srv, err := start()
	if err != nil {
		shared.failure = err
		t.Fatalf("pgserver: %v", err)
	}
	shared.srv = srv
	if !shared.main {
		t.Cleanup(func() {
			shared.mu.Lock()
			shared.srv = nil
			shared.mu.Unlock()
			if err := srv.stop(); err != nil {
				t.Errorf("pgserver: %v", err)
			}
		})
	}
	return srv
}

// Launch starts a cluster of the caller's own, outside tests (a benchmark
// program may run several), with extra server settings ("name=value",
// e.g. shared_preload_libraries=pg_stat_statements); the caller stops it
// with Stop.
func Launch(settings ...string) (*Server, error) { return start(settings...) }

// Stop shuts a cluster from Launch down and removes its folder.
func (s *Server) Stop() error { return s.stop() }

// CreateDatabase creates an empty database (for clusters from Launch;
// tests use NewDatabase).
func (s *Server) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return fmt.Errorf("pgserver: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return fmt.Errorf("pgserver: create database: %w", err)
	}
	return nil
}

// PID is the postmaster's process id (the first line of postmaster.pid):
// the cluster's processes are it and its children.
func (s *Server) PID() (int, error) {
	b, err := os.ReadFile(filepath.Join(s.Dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strconv.Atoi(strings.TrimSpace(line))
}

// DSN returns a connection string for the superuser on database db, over
// the Unix socket.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", s.Dir, s.Port, Superuser, db)
}

// URL returns the same connection as a postgres:// URL over TCP.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.Port, db)
}

// NewDatabase creates an empty database for the calling test and returns
// its name; the database is dropped when the test ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	s.mu.Lock()
	s.dbSeq++
	name := fmt.Sprintf("t%d", s.dbSeq)
	s.mu.Unlock()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		t.Fatalf("pgserver: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgserver: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err != nil {
			return // the cluster is gone with everything in it
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return name
}

func start(settings ...string) (*Server, error) {
	bin, version, err := findBin()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, Version: version, settings: settings}
	if os.Geteuid() == 0 {
		name := os.Getenv("TIPGATE_PG_USER")
		if name == "" {
			name = "tipgate-pg"
		}
		u, err := user.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("running as root, and the OS user %s to run PostgreSQL as does not exist (run scripts/postgres-deps.sh): %w", name, err)
		}
		s.runAs = []string{"setpriv", "--reuid=" + u.Uid, "--regid=" + u.Gid, "--clear-groups", "--"}
		if s.Dir, err = os.MkdirTemp("", "tipgate-pg-"); err != nil {
			return nil, err
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.Dir, uid, gid); err != nil {
			return nil, fmt.Errorf("hand %s to %s: %w", s.Dir, name, err)
		}
	} else if s.Dir, err = os.MkdirTemp("", "tipgate-pg-"); err != nil {
		return nil, err
	}
	if err := s.initdb(); err != nil {
		s.cleanup(false)
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		err := s.launch()
		if err == nil {
			return s, nil
		}
		// Another process may take the free port between picking and binding.
		if attempt == 3 || !strings.Contains(err.Error(), "in use") {
			s.cleanup(true)
			return nil, err
		}
	}
}

// findBin picks the newest installed server of version 15 or newer.
func findBin() (string, int, error) {
	if dir := os.Getenv("TIPGATE_PG_BIN"); dir != "" {
		v, err := serverVersion(dir)
		return dir, v, err
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestV := "", 0
	for _, d := range dirs {
		if v, err := serverVersion(d); err == nil && v > bestV {
			best, bestV = d, v
		}
	}
	if bestV < 15 {
		return "", 0, fmt.Errorf("no PostgreSQL server of version 15 or newer under /usr/lib/postgresql/*/bin: run scripts/postgres-deps.sh")
	}
	return best, bestV, nil
}

func serverVersion(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s/postgres --version: %w", dir, err)
	}
	// "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
	f := strings.Fields(string(out))
	if len(f) < 3 {
		return 0, fmt.Errorf("%s/postgres --version: unexpected %q", dir, out)
	}
	major, _, _ := strings.Cut(f[2], ".")
	return strconv.Atoi(major)
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	argv := append(slices.Clone(s.runAs), append([]string{filepath.Join(s.bin, name)}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	// The server must not inherit a locale or a PGDATA the test run has.
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "LANG=C.UTF-8", "TZ=UTC"}
	return cmd
}

func (s *Server) initdb() error {
	out, err := s.command("initdb", "-D", filepath.Join(s.Dir, "data"), "-U", Superuser, "--auth=trust",
		"--encoding=UTF8", "--locale=C.UTF-8", "--no-sync").CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// launch starts postgres through pg_ctl and waits until it accepts
// connections.
func (s *Server) launch() error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pick a port: %w", err)
	}
	s.Port = port
	logFile := filepath.Join(s.Dir, "server.log")
	// Tests want speed over durability; the settings change nothing a
	// query sees.
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB -c TimeZone=UTC", port, s.Dir)
	for _, kv := range s.settings {
		opts += " -c " + kv
	}
	out, err := s.command("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-l", logFile, "-o", opts, "-w",
		"-t", strconv.Itoa(int(startTimeout.Seconds())), "start").CombinedOutput()
	if err != nil {
		tail, _ := os.ReadFile(logFile)
		return fmt.Errorf("pg_ctl start: %w\n%s\n%s", err, out, lastLines(string(tail), 20))
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, s.DSN("postgres"))
		if err == nil {
			conn.Close(ctx)
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("postgres did not answer within %s: %w", startTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stop shuts the cluster down and removes its folder.
func (s *Server) stop() error {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return nil
	}
	s.stopped = true
	s.mu.Unlock()
	out, err := s.command("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput()
	s.cleanup(err == nil)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

func (s *Server) cleanup(remove bool) {
	if remove && os.Getenv("TIPGATE_PG_KEEP") == "" {
		os.RemoveAll(s.Dir)
	}
}
