package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
	"github.com/tipgate/tipgate/internal/testenv/replicaset"
)

// cluster is PostgreSQL, three `tipgate serve` replicas on the PostgreSQL
// engine and store, and HAProxy in front doing round robin.
type cluster struct {
	t        *testing.T
	bin      string
	lb       string // the load balancer's URL: every client's base URL
	dsn      string // the warehouse (and, through the proxy, the store)
	proxy    *tcpProxy
	replicas []*replicaProc
	lbLog    *syncBuffer
	lbSock   string // HAProxy's stats socket: which replicas it routes to
	storeDSN string // through the proxy
}

type replicaProc struct {
	id, cfg, url string
	log          string
	cmd          *exec.Cmd
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestReplicas is issue 15's acceptance: the reference flow with the
// three AWS SDKs and the REST binding through a round-robin load balancer,
// every call on another replica than the one before; then the faults: a
// policy change and a revocation on one replica apply on the next call on
// another, the replica running a statement killed with SIGKILL (the
// statement ends FAILED within 10 s, seen from the others, nothing else
// lost), and the store cut and restored (clean 503s, then recovery
// without a restart).
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL, three servers and HAProxy")
	}
	c := startCluster(t)
	runners := sdkRunners(t)
	ctx := context.Background()

	idToken := func(email string) string {
		status, tok := postForm(t, c.lb+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {email}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
		idTok, _ := tok["id_token"].(string)
		if status != 200 || idTok == "" {
			t.Fatalf("%s: password grant: %d %v", email, status, tok)
		}
		return idTok
	}
	session := func(idTok string) string {
		status, ex := postForm(t, c.lb+"/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token": {idTok}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
		s, _ := ex["access_token"].(string)
		if status != 200 || s == "" {
			t.Fatalf("token exchange: %d %v", status, ex)
		}
		return s
	}
	ming, frank, sam := idToken("ming@example.com"), idToken("frank@example.com"), idToken("sam@example.com")

	t.Run("sdk flows", func(t *testing.T) {
		from := c.lbLog.Len()
		for _, r := range runners {
			for _, u := range []struct {
				name, token string
				sees        []string
			}{{"ming", ming, []string{"Asia"}}, {"frank", frank, []string{"America"}}} {
				got, errName, stderr := runFlow(t, r, sdkEnv(t, c.lb, u.token, map[string]string{"TIPGATE_SESSION_NAME": r.name + "-" + u.name}))
				if errName != "" || !slices.Equal(got, u.sees) {
					t.Fatalf("%s flow for %s: rows %v, error %q\n%s", r.name, u.name, got, errName, stderr)
				}
			}
		}
		c.checkRoundRobin(t, from)
	})

	mingS := session(ming)
	regions := func(tok string) []string {
		t.Helper()
		status, out := rest(t, "POST", c.lb+"/v1/statements", tok,
			`{"Sql":"SELECT DISTINCT split_part(timezone, '/', 1) AS r FROM sales_data ORDER BY r","WaitTimeSeconds":20}`)
		if status != 200 || out["Status"] != "FINISHED" {
			t.Fatalf("execute: %d %v", status, out)
		}
		// The result from another replica than the one that ran it.
		status, res := rest(t, "GET", c.lb+"/v1/statements/"+out["Id"].(string)+"/result", tok, "")
		if status != 200 {
			t.Fatalf("result: %d %v", status, res)
		}
		var got []string
		for _, rec := range res["Records"].([]any) {
			got = append(got, rec.([]any)[0].(map[string]any)["stringValue"].(string))
		}
		return got
	}
	var earlier string
	t.Run("rest", func(t *testing.T) {
		from := c.lbLog.Len()
		if got := regions(mingS); !slices.Equal(got, []string{"Asia"}) {
			t.Fatalf("ming sees %v", got)
		}
		status, out := rest(t, "POST", c.lb+"/v1/statements", mingS, `{"Sql":"SELECT count(*) FROM sales_data","WaitTimeSeconds":20}`)
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		earlier = out["Id"].(string)
		for range 3 {
			if status, d := rest(t, "GET", c.lb+"/v1/statements/"+earlier, mingS, ""); status != 200 || d["Status"] != "FINISHED" {
				t.Fatalf("describe on another replica: %d %v", status, d)
			}
		}
		c.checkRoundRobin(t, from)
	})

	t.Run("policy change applies on the next statement elsewhere", func(t *testing.T) {
		samS := session(sam)
		change := func(sql string) {
			t.Helper()
			status, out := rest(t, "POST", c.lb+"/v1/statements", samS, `{"Sql":"`+sql+`","WaitTimeSeconds":20}`)
			if status != 200 || out["Status"] != "FINISHED" {
				t.Fatalf("%s: %d %v", sql, status, out)
			}
		}
		// A second policy on ming's rows is combined with AND (Redshift's
		// conjunction): Asia and America is nothing.
		change(`ATTACH RLS POLICY amer_sales_policy ON sales_data TO ROLE \"AWSIDC:apac-sales\"`)
		if got := regions(mingS); len(got) != 0 {
			t.Fatalf("after the attach on another replica, ming sees %v, want nothing", got)
		}
		change(`DETACH RLS POLICY amer_sales_policy ON sales_data FROM ROLE \"AWSIDC:apac-sales\"`)
		if got := regions(mingS); !slices.Equal(got, []string{"Asia"}) {
			t.Fatalf("after the detach on another replica, ming sees %v", got)
		}
	})

	t.Run("revocation applies on every replica at once", func(t *testing.T) {
		frankS := session(frank)
		if status, _ := rest(t, "GET", c.lb+"/v1/statements", frankS, ""); status != 200 {
			t.Fatalf("before revoking: %d", status)
		}
		if status, _ := postForm(t, c.lb+"/oauth2/revoke", url.Values{"token": {frankS}}); status != 200 {
			t.Fatalf("revoke: %d", status)
		}
		for i := range 3 { // the next call lands on each replica in turn
			if status, _ := rest(t, "GET", c.lb+"/v1/statements", frankS, ""); status != 401 {
				t.Fatalf("call %d after the revocation: %d, want 401", i, status)
			}
		}
	})

	t.Run("SCIM provisioning through one replica applies on every replica", func(t *testing.T) {
		// The provisioning client is made in the shared store, as an
		// operator does with replicas.
		var stderr strings.Builder
		cmd := exec.Command(c.bin, "scim-client", "create", "--store-dsn", c.storeDSN, "idp")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("scim-client create: %v\n%s", err, stderr.String())
		}
		token := strings.TrimSpace(string(out))
		scimCall := func(method, path, body string) (int, map[string]any) {
			t.Helper()
			req, _ := http.NewRequest(method, c.lb+"/scim/v2"+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var v map[string]any
			json.NewDecoder(resp.Body).Decode(&v)
			return resp.StatusCode, v
		}
		from := c.lbLog.Len()
		status, user := scimCall("POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"kim@example.com","active":true}`)
		if status != 201 {
			t.Fatalf("create user: %d %v", status, user)
		}
		id, _ := user["id"].(string)
		for i := range 3 { // the next calls land on each replica in turn
			if status, got := scimCall("GET", "/Users/"+id, ""); status != 200 || got["userName"] != "kim@example.com" {
				t.Fatalf("read %d of a user provisioned on another replica: %d %v", i, status, got)
			}
		}
		if status, _ := scimCall("DELETE", "/Users/"+id, ""); status != 204 {
			t.Fatalf("delete: %d", status)
		}
		for i := range 3 {
			if status, _ := scimCall("GET", "/Users/"+id, ""); status != 404 {
				t.Fatalf("read %d of a user deprovisioned on another replica: %d, want 404", i, status)
			}
		}
		c.checkRoundRobin(t, from)
	})

	t.Run("kill -9 of the replica running a statement", func(t *testing.T) {
		status, out := rest(t, "POST", c.lb+"/v1/statements", mingS,
			`{"Sql":"SELECT count(*) FROM sales_data a, sales_data b, sales_data c WHERE a.quantity + b.quantity > c.quantity"}`)
		if status != 200 {
			t.Fatalf("%d %v", status, out)
		}
		id := out["Id"].(string)
		victim := c.owner(ctx, id)
		killed := time.Now()
		c.kill(t, victim)
		for {
			status, d := rest(t, "GET", c.lb+"/v1/statements/"+id, mingS, "")
			if status == 200 && (d["Status"] == "FAILED" || d["Status"] == "ABORTED") {
				t.Logf("%s's statement %s after %s: %v", victim.id, d["Status"], time.Since(killed).Round(time.Millisecond), d["Error"])
				break
			}
			if time.Since(killed) > 10*time.Second {
				t.Fatalf("10 s after its replica died the statement is %d %v", status, d)
			}
			time.Sleep(200 * time.Millisecond)
		}
		// Nothing else lost: an earlier statement and its result.
		if status, d := rest(t, "GET", c.lb+"/v1/statements/"+earlier+"/result", mingS, ""); status != 200 || len(d["Records"].([]any)) != 1 {
			t.Fatalf("earlier result after the kill: %d %v", status, d)
		}
		c.restart(t, victim)
	})

	// Three times: recovery must not depend on where the replicas' beats
	// fall when the store returns.
	for range 3 {
		t.Run("store cut and restored", func(t *testing.T) {
			c.proxy.stop()
			deadline := time.Now().Add(10 * time.Second)
			for _, r := range c.replicas {
				for readyz(r.url) != 503 {
					if time.Now().After(deadline) {
						t.Fatalf("%s still ready without its store", r.id)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			// Straight to a replica (the balancer sends nothing to unready ones):
			// a clean, retryable refusal.
			status, out := rest(t, "POST", c.replicas[0].url+"/v1/statements", mingS, `{"Sql":"SELECT 1"}`)
			if status != 503 || out["code"] != "unavailable" {
				t.Fatalf("new work without the store: %d %v, want 503 unavailable", status, out)
			}
			c.proxy.start(t)
			deadline = time.Now().Add(15 * time.Second)
			for _, r := range c.replicas {
				for readyz(r.url) != 200 {
					if time.Now().After(deadline) {
						t.Fatalf("%s did not recover after the store came back", r.id)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			// A replica's /readyz is back before the balancer's next health
			// check sees it: until then the balancer has fewer replicas, or
			// none (its own 503), to send work to.
			c.waitBalanced(t)
			if got := regions(mingS); !slices.Equal(got, []string{"Asia"}) {
				t.Fatalf("after recovery ming sees %v", got)
			}
		})
	}
}

func readyz(base string) int {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatal("haproxy is not installed: run scripts/haproxy-deps.sh (make test runs it)")
	}
	root, _ := filepath.Abs(filepath.Join("..", ".."))
	dir := t.TempDir()
	c := &cluster{t: t, bin: filepath.Join(dir, "tipgate"), lbLog: &syncBuffer{}}
	if out, err := exec.Command("go", "build", "-o", c.bin, filepath.Join(root, "cmd", "tipgate")).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pg := pgserver.Start(t)
	db := pg.NewDatabase(t)
	c.dsn = pg.URL(db)
	// The store is reached through a proxy the test can cut.
	c.proxy = newTCPProxy(t, fmt.Sprintf("127.0.0.1:%d", pg.Port))
	storeDSN := fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable&connect_timeout=2", pgserver.Superuser, c.proxy.addr, db)
	c.storeDSN = storeDSN

	// The warehouse: demo data and the reference policies.
	ctx := context.Background()
	s3 := filepath.Join(dir, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	os.MkdirAll(filepath.Dir(src), 0o755)
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: 3000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng, err := engines.Open(ctx, engines.Config{Kind: "postgres", DSN: c.dsn, DataDir: filepath.Join(dir, "setup"), S3Root: s3})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), demo.PolicyScript); err != nil {
		t.Fatal(err)
	}
	eng.Close()

	usersFile := filepath.Join(dir, "users.toml")
	if err := replicaset.WriteUsersFile(usersFile, demoPassword); err != nil {
		t.Fatal(err)
	}

	lbAddr := freeAddr(t)
	c.lb = "http://" + lbAddr
	for i := 1; i <= 3; i++ {
		addr := freeAddr(t)
		r := &replicaProc{id: fmt.Sprintf("r%d", i), url: "http://" + addr, cfg: filepath.Join(dir, fmt.Sprintf("r%d.toml", i)), log: filepath.Join(dir, fmt.Sprintf("r%d.log", i))}
		cfg := replicaset.Replica{
			Listen: addr, PublicURL: c.lb, DataDir: filepath.Join(dir, r.id),
			WarehouseDSN: c.dsn, S3Root: s3, StoreDSN: storeDSN, ReplicaID: r.id, Lease: "2s",
			UsersFile: usersFile, Extra: strings.ReplaceAll(tipConfig, "{{URL}}", c.lb),
		}.TOML()
		if err := os.WriteFile(r.cfg, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		c.replicas = append(c.replicas, r)
		c.start(t, r)
	}
	t.Cleanup(func() {
		for _, r := range c.replicas {
			if r.cmd != nil && r.cmd.Process != nil {
				r.cmd.Process.Signal(syscall.SIGTERM)
				r.cmd.Wait()
			}
		}
		if t.Failed() {
			for _, r := range c.replicas {
				b, _ := os.ReadFile(r.log)
				t.Logf("--- %s log (tail) ---\n%s", r.id, tail(string(b), 30))
			}
			t.Logf("--- haproxy (tail) ---\n%s", tail(c.lbLog.String(), 30))
		}
	})

	// The embedded IdP stands in for the organisation's IdP, which is not
	// part of tipgate's replicated state: its sign-in flows keep state in
	// one process, so the balancer sends /idp to r1 alone. Everything else
	// goes round robin to the replicas that answer /readyz.
	addrs := make([]string, len(c.replicas))
	for i, r := range c.replicas {
		addrs[i] = strings.TrimPrefix(r.url, "http://")
	}
	c.lbSock = filepath.Join(dir, "haproxy.sock")
	hcfg := replicaset.HAProxyConfig(c.lbSock, true, replicaset.Balanced{Name: "replicas", Bind: lbAddr, Replicas: addrs})
	hpath := filepath.Join(dir, "haproxy.cfg")
	os.WriteFile(hpath, []byte(hcfg), 0o600)
	lb := exec.Command(haproxy, "-db", "-f", hpath)
	lb.Stdout, lb.Stderr = c.lbLog, c.lbLog
	if err := lb.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lb.Process.Kill(); lb.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for readyz(c.lb) != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("the load balancer never answered: %s", c.lbLog.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.waitBalanced(t)
	return c
}

func (c *cluster) start(t *testing.T, r *replicaProc) {
	t.Helper()
	f, err := os.OpenFile(r.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(c.bin, "serve", "--config", r.cfg)
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	deadline := time.Now().Add(30 * time.Second)
	for readyz(r.url) != 200 {
		if time.Now().After(deadline) || r.cmd.ProcessState != nil {
			b, _ := os.ReadFile(r.log)
			t.Fatalf("%s never became ready:\n%s", r.id, tail(string(b), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *cluster) kill(t *testing.T, r *replicaProc) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	r.cmd.Wait()
	r.cmd = nil
}

func (c *cluster) restart(t *testing.T, r *replicaProc) {
	c.start(t, r)
	c.waitBalanced(t)
}

// waitBalanced waits until the balancer routes to every replica again
// (HAProxy's stats socket: each server's operational state 2, running).
func (c *cluster) waitBalanced(t *testing.T) {
	t.Helper()
	if err := replicaset.WaitRouted(c.lbSock, map[string]int{"replicas": len(c.replicas)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// owner is the replica running statement id, as the store records it.
func (c *cluster) owner(ctx context.Context, id string) *replicaProc {
	c.t.Helper()
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rid string
	if err := conn.QueryRow(ctx, "SELECT replica FROM tipgate_store.statements WHERE id = $1", id).Scan(&rid); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range c.replicas {
		if r.id == rid {
			return r
		}
	}
	c.t.Fatalf("statement %s runs on unknown replica %q", id, rid)
	return nil
}

// checkRoundRobin: since the balancer's log offset from, every call went to
// another replica than the one before, and all three served.
func (c *cluster) checkRoundRobin(t *testing.T, from int) {
	t.Helper()
	time.Sleep(100 * time.Millisecond)
	var servers []string
	sc := bufio.NewScanner(strings.NewReader(c.lbLog.String()[from:]))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 5 && f[0] == "replicas" {
			servers = append(servers, f[1])
		}
	}
	if len(servers) < 6 {
		t.Fatalf("only %d calls reached the replicas", len(servers))
	}
	seen := map[string]bool{}
	for i, s := range servers {
		seen[s] = true
		if i > 0 && s == servers[i-1] {
			t.Fatalf("calls %d and %d both went to %s (%v)", i, i+1, s, servers)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("calls went to %v only", seen)
	}
	t.Logf("%d calls, round robin over %d replicas", len(servers), len(seen))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// tcpProxy forwards a port to PostgreSQL; stop cuts every connection and
// refuses new ones (the store "stopped"), start listens again.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]struct{}
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{addr: freeAddr(t), target: target, conns: map[net.Conn]struct{}{}}
	p.start(t)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start(t *testing.T) {
	var ln net.Listener
	var err error
	for range 50 { // the port may linger a moment after stop
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			if p.ln != ln { // stopped while dialling: cut this one too
				p.mu.Unlock()
				in.Close()
				out.Close()
				return
			}
			p.conns[in], p.conns[out] = struct{}{}, struct{}{}
			p.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// TestSecondReplicaOnDuckDBRefused: the embedded DuckDB engine serves one
// server; a second replica joining the same store is refused with a clear
// message, while the first keeps working.
func TestSecondReplicaOnDuckDBRefused(t *testing.T) {
	pg := pgserver.Start(t)
	dsn := pg.URL(pg.NewDatabase(t))
	open := func(name string) (*server.Server, error) {
		cfg, err := config.Parse([]byte(fmt.Sprintf(`[server]
listen = "127.0.0.1:0"
data_dir = %q
[store]
dsn = %q
replica_id = %q
`, filepath.Join(t.TempDir(), name), dsn, name)))
		if err != nil {
			t.Fatal(err)
		}
		return server.New(context.Background(), cfg, server.Options{})
	}
	a, err := open("a")
	if err != nil {
		t.Fatalf("first replica: %v", err)
	}
	defer a.Close()
	_, err = open("b")
	if err == nil || !strings.Contains(err.Error(), "replica a (engine duckdb) is already running") || !strings.Contains(err.Error(), `engine = "postgres"`) {
		t.Fatalf("second replica on duckdb: %v", err)
	}
}
