// Package demoserver starts a real tipgate server for tests: generated
// demo data, the reference policy script, the embedded IdP with the demo
// users, on a free loopback port. Tests of every binding (REST, AWS SDKs,
// Keycloak, the dashboard) share it instead of each wiring a server.
package demoserver

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

// Password is every demo user's password in tests.
const Password = "Demo-Pa55word-for-tests"

// Logs collects the server's JSON logs from its goroutines.
type Logs = logbuf.Buffer

// Options shape the server.
type Options struct {
	// Rows of generated sales data (default 3000, seed 1).
	Rows int64
	// Warehouse holds extra lines of the [warehouse] section (engine = …,
	// dsn = …).
	Warehouse string
	// Extra is appended to the configuration; {{URL}} becomes the
	// server's URL, known before the configuration is parsed because the
	// listener is bound first.
	Extra string
	// IDPClients, when set, replaces the default [[idp.clients]] (a public
	// "tipgate-cli" with the password and refresh grants).
	IDPClients string
	// WebClock is the dashboard's clock (server.Options.WebClock).
	WebClock func() time.Time
}

const defaultClients = `
[[idp.clients]]
id = "tipgate-cli"
public = true
grants = ["password", "refresh_token"]
`

// Server is a started server and where its data came from.
type Server struct {
	*server.Server
	Logs *Logs
	// SourceCSV is the generated data the policy script loaded.
	SourceCSV string
}

// Start runs the server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Rows == 0 {
		opts.Rows = 3000
	}
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	s3 := filepath.Join(dir, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: opts.Rows, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clients := opts.IDPClients
	if clients == "" {
		clients = defaultClients
	}
	cfg, err := config.Parse([]byte(`
[server]
listen = "127.0.0.1:0"
data_dir = "` + filepath.Join(dir, "data") + `"
shutdown_grace = "5s"
[warehouse]
s3_root = "` + s3 + `"
` + opts.Warehouse + `
[idp]
enabled = true
users_file = "unused-demo-users-are-given"
enable_password_grant = true
` + clients + strings.ReplaceAll(opts.Extra, "{{URL}}", "http://"+ln.Addr().String())))
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	users, err := idp.DemoUsers(Password)
	if err != nil {
		t.Fatal(err)
	}
	logs := &Logs{}
	srv, err := server.New(ctx, cfg, server.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil)), IDPUsers: users, Listener: ln,
		WebClock: opts.WebClock})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Run(ctx, srv.Engine(), identity.LocalSuperuser(), demo.PolicyScript); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		srv.Close()
	})
	WaitReady(t, srv.URL)
	return &Server{Server: srv, Logs: logs, SourceCSV: src}
}

// WaitReady polls base/readyz until the server answers "ready".
func WaitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server never became ready")
}
