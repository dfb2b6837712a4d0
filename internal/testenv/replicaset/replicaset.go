// Package replicaset writes what a test or a bench needs to run several
// `tipgate serve` replicas on one PostgreSQL store behind HAProxy: the
// demo's users file, each replica's configuration, HAProxy's
// configuration, and a wait until HAProxy routes to every replica.
//
// internal/server's TestReplicas and bench/dataapi's replicas part share it
// so that what the test proves is what the bench measures.
package replicaset

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/idp"
)

// WriteUsersFile writes the demo's people, with password, as the embedded
// IdP's users file (TOML) at path, readable by the owner only.
func WriteUsersFile(path, password string) error {
	users, err := idp.DemoUsers(password)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "[[users]]\nemail = %q\ngiven_name = %q\nfamily_name = %q\ngroups = [%q]\npassword_hash = %q\n\n",
			u.Email, u.GivenName, u.FamilyName, u.Groups[0], u.PasswordHash)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("replicaset: users file: %w", err)
	}
	return nil
}

// Replica is one replica's configuration on the PostgreSQL engine.
type Replica struct {
	Listen       string // host:port
	PublicURL    string // the balancer's URL (or the replica's own without one)
	DataDir      string
	WarehouseDSN string
	S3Root       string
	StoreDSN     string // empty: the embedded store (a single server)
	ReplicaID    string
	Lease        string // e.g. "2s"; empty: the default
	UsersFile    string
	Extra        string // more TOML appended as is (e.g. [awsapi] sections)
}

// TOML is the replica's configuration file: the embedded IdP with the
// users file and the CLI's public client (password grant), so that a test
// can sign in without a browser.
func (r Replica) TOML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlisten = %q\npublic_url = %q\ndata_dir = %q\nshutdown_grace = \"2s\"\n", r.Listen, r.PublicURL, r.DataDir)
	fmt.Fprintf(&b, "[warehouse]\nengine = \"postgres\"\ndsn = %q\ns3_root = %q\n", r.WarehouseDSN, r.S3Root)
	if r.StoreDSN != "" {
		fmt.Fprintf(&b, "[store]\ndsn = %q\nreplica_id = %q\n", r.StoreDSN, r.ReplicaID)
		if r.Lease != "" {
			fmt.Fprintf(&b, "lease = %q\n", r.Lease)
		}
	}
	fmt.Fprintf(&b, "[idp]\nenabled = true\nusers_file = %q\nenable_password_grant = true\n", r.UsersFile)
	b.WriteString("[[idp.clients]]\nid = \"tipgate-cli\"\npublic = true\ngrants = [\"password\", \"refresh_token\"]\n")
	b.WriteString(r.Extra)
	return b.String()
}

// Balanced is one HAProxy frontend: round robin over the replicas that
// answer /readyz, and /idp to the first replica alone (the embedded dev
// IdP keeps its sign-in flows in one process).
type Balanced struct {
	Name     string   // the backend's name, as HAProxy's state reports it
	Bind     string   // host:port the frontend listens on
	Replicas []string // host:port of each replica; named r1, r2, …
}

// HAProxyConfig is HAProxy's configuration for the frontends, with its
// admin socket at sock. logRequests logs one line per request to stdout:
// backend, server, method, path, status.
func HAProxyConfig(sock string, logRequests bool, fes ...Balanced) string {
	var b strings.Builder
	b.WriteString("global\n")
	if logRequests {
		b.WriteString("  log stdout format raw local0\n")
	}
	fmt.Fprintf(&b, "  stats socket %s\n  maxconn 4096\ndefaults\n  mode http\n", sock)
	if logRequests {
		b.WriteString("  log global\n  log-format \"%b %s %HM %HU %ST\"\n")
	}
	b.WriteString("  timeout connect 2s\n  timeout client 120s\n  timeout server 120s\n  retries 2\n  option redispatch\n  retry-on conn-failure\n")
	for _, fe := range fes {
		fmt.Fprintf(&b, "frontend fe_%s\n  bind %s\n  use_backend idp_%s if { path_beg /idp/ }\n  default_backend %s\n", fe.Name, fe.Bind, fe.Name, fe.Name)
		fmt.Fprintf(&b, "backend %s\n  balance roundrobin\n  option httpchk GET /readyz\n  default-server inter 300ms fall 2 rise 1\n", fe.Name)
		for i, r := range fe.Replicas {
			fmt.Fprintf(&b, "  server r%d %s check\n", i+1, r)
		}
		if len(fe.Replicas) > 0 {
			fmt.Fprintf(&b, "backend idp_%s\n  server r1 %s\n", fe.Name, fe.Replicas[0])
		}
	}
	return b.String()
}

// ServerStates is each server's operational state per backend as HAProxy
// sees it ("show servers state": "0" stopped, "2" running).
func ServerStates(sock string) (map[string]map[string]string, error) {
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("show servers state\n")); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(conn)
	if err != nil {
		return nil, err
	}
	states := map[string]map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		// be_id be_name srv_id srv_name srv_addr srv_op_state ...
		f := strings.Fields(l)
		if len(f) <= 5 || strings.HasPrefix(l, "#") {
			continue
		}
		if states[f[1]] == nil {
			states[f[1]] = map[string]string{}
		}
		states[f[1]][f[3]] = f[5]
	}
	return states, nil
}

// WaitRouted waits until HAProxy runs want[backend] servers of each
// backend: a replica that answers /readyz is not routed to before its
// health check has run.
func WaitRouted(sock string, want map[string]int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last map[string]map[string]string
	var lastErr error
	for {
		last, lastErr = ServerStates(sock)
		if lastErr == nil {
			ok := true
			for be, n := range want {
				up := 0
				for _, st := range last[be] {
					if st == "2" {
						up++
					}
				}
				ok = ok && up == n
			}
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replicaset: HAProxy does not route to every replica after %s: %v (%v)", timeout, last, lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
