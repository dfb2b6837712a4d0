package replicaset_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/testenv/replicaset"
)

// TestReplicaTOML: what the replica test and the bench write is a
// configuration tipgate accepts, with every field where it belongs.
func TestReplicaTOML(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	if err := replicaset.WriteUsersFile(users, "pw-for-tests"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		r     replicaset.Replica
		store bool
	}{
		{"shared store", replicaset.Replica{Listen: "127.0.0.1:1", PublicURL: "http://127.0.0.1:2", DataDir: dir, WarehouseDSN: "postgres://u@h/wh", S3Root: dir, StoreDSN: "postgres://u@h/st", ReplicaID: "r1", Lease: "2s", UsersFile: users}, true},
		{"embedded store", replicaset.Replica{Listen: "127.0.0.1:1", PublicURL: "http://127.0.0.1:1", DataDir: dir, WarehouseDSN: "postgres://u@h/wh", S3Root: dir, UsersFile: users}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tc.r.TOML()))
			if err != nil {
				t.Fatalf("%v\n%s", err, tc.r.TOML())
			}
			if cfg.Warehouse.Engine != "postgres" || cfg.Warehouse.DSN != tc.r.WarehouseDSN || cfg.IDP.UsersFile != users || !cfg.IDP.EnablePasswordGrant {
				t.Fatalf("parsed: %+v %+v", cfg.Warehouse, cfg.IDP)
			}
			if got := cfg.Store.DSN != ""; got != tc.store {
				t.Fatalf("store DSN %q", cfg.Store.DSN)
			}
			if tc.store && (cfg.Store.ReplicaID != "r1" || cfg.Store.Lease != 2*time.Second) {
				t.Fatalf("store: %+v", cfg.Store)
			}
		})
	}
}

// TestHAProxyConfig: HAProxy itself accepts the configuration (haproxy -c).
func TestHAProxyConfig(t *testing.T) {
	cfg := replicaset.HAProxyConfig(filepath.Join(t.TempDir(), "s.sock"), true,
		replicaset.Balanced{Name: "three", Bind: "127.0.0.1:18001", Replicas: []string{"127.0.0.1:18002", "127.0.0.1:18003", "127.0.0.1:18004"}},
		replicaset.Balanced{Name: "one", Bind: "127.0.0.1:18005", Replicas: []string{"127.0.0.1:18006"}})
	for _, want := range []string{"server r3 127.0.0.1:18004 check", "backend idp_one\n  server r1 127.0.0.1:18006", "option httpchk GET /readyz"} {
		if !strings.Contains(cfg, want) {
			t.Fatalf("no %q in\n%s", want, cfg)
		}
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed: run scripts/haproxy-deps.sh (make test runs it)")
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(haproxy, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg)
	}
}
