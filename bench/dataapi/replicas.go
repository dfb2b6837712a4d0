package main

// The replicas section (--only replicas): the Data API through a
// round-robin load balancer (HAProxy) in front of 1 and 3 `tipgate serve`
// replicas sharing a PostgreSQL store, against one server with the
// embedded store called directly. The warehouse is PostgreSQL for all
// three (the engine replicas can share); the store is a PostgreSQL
// cluster of its own, so its processes' CPU is the store's alone.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
	"github.com/tipgate/tipgate/internal/testenv/replicaset"
)

// deployment is one way of serving: its processes, the URL clients use
// and, with replicas, the store database they share.
type deployment struct {
	name    string
	base    string
	procs   []*exec.Cmd
	urls    []string
	storeDB string // "" for the embedded store
	backend string // HAProxy backend, "" without a balancer
	token   string
	http    *http.Client
	lat     []time.Duration
	runs    []window
}

// window is one throughput run.
type window struct {
	stmts                   int64
	wall                    time.Duration
	storeXacts              int64
	storeCPU, tipCPU, whCPU time.Duration
	storeExec               time.Duration // pg_stat_statements total_exec_time
	queries                 map[string]int64
}

func replicas(ctx context.Context, f flags, b *strings.Builder) error {
	bin, err := filepath.Abs(f.tipgate)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("replicas: %s: %w (make build)", f.tipgate, err)
	}
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		return errors.New("replicas: haproxy is not installed: run scripts/haproxy-deps.sh (make bench runs it)")
	}
	tmp, err := os.MkdirTemp("", "tipgate-bench-replicas-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wh, err := pgserver.Launch()
	if err != nil {
		return fmt.Errorf("replicas: warehouse cluster (scripts/postgres-deps.sh): %w", err)
	}
	defer wh.Stop()
	st, err := pgserver.Launch("shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all")
	if err != nil {
		return fmt.Errorf("replicas: store cluster: %w", err)
	}
	defer st.Stop()
	if err := execSQL(ctx, st, "CREATE EXTENSION pg_stat_statements"); err != nil {
		return err
	}
	for _, db := range []string{"store1", "store3"} {
		if err := st.CreateDatabase(ctx, db); err != nil {
			return err
		}
	}
	if err := wh.CreateDatabase(ctx, "warehouse"); err != nil {
		return err
	}
	whDSN := wh.URL("warehouse")

	// The warehouse: generated sales and the reference policies.
	s3 := filepath.Join(tmp, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		return err
	}
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: f.rows, Seed: 1}); err != nil {
		return err
	}
	eng, err := engines.Open(ctx, engines.Config{Kind: "postgres", DSN: whDSN, DataDir: filepath.Join(tmp, "setup"), S3Root: s3})
	if err != nil {
		return err
	}
	err = engine.Run(ctx, eng, identity.LocalSuperuser(), demo.PolicyScript)
	eng.Close()
	if err != nil {
		return fmt.Errorf("replicas: setup: %w", err)
	}
	usersFile := filepath.Join(tmp, "users.toml")
	if err := replicaset.WriteUsersFile(usersFile, password); err != nil {
		return err
	}

	lb1, lb3 := freeAddr(), freeAddr()
	deps := []*deployment{
		{name: "1 server, embedded store, direct"},
		{name: "1 replica, PostgreSQL store, via HAProxy", base: "http://" + lb1, storeDB: "store1", backend: "one"},
		{name: "3 replicas, PostgreSQL store, via HAProxy round robin", base: "http://" + lb3, storeDB: "store3", backend: "three"},
	}
	n := 0
	defer func() {
		for _, d := range deps {
			for _, p := range d.procs {
				_ = p.Process.Signal(os.Interrupt)
				_ = p.Wait()
			}
		}
	}()
	for i, d := range deps {
		count := map[int]int{0: 1, 1: 1, 2: 3}[i]
		for j := range count {
			n++
			addr := freeAddr()
			public := d.base
			if public == "" {
				public = "http://" + addr
				d.base = public
			}
			rc := replicaset.Replica{
				Listen: addr, PublicURL: public, DataDir: filepath.Join(tmp, fmt.Sprint("data", n)),
				WarehouseDSN: whDSN, S3Root: s3, UsersFile: usersFile,
			}
			if d.storeDB != "" {
				rc.StoreDSN, rc.ReplicaID, rc.Lease = st.URL(d.storeDB), fmt.Sprintf("%s-r%d", d.backend, j+1), "10s"
			}
			cfg := rc.TOML()
			path := filepath.Join(tmp, fmt.Sprint("tipgate", n, ".toml"))
			if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
				return err
			}
			logf, err := os.Create(filepath.Join(tmp, fmt.Sprint("tipgate", n, ".log")))
			if err != nil {
				return err
			}
			cmd := exec.Command(bin, "serve", "--config", path)
			cmd.Stdout, cmd.Stderr = logf, logf
			if err := cmd.Start(); err != nil {
				return err
			}
			logf.Close()
			d.procs = append(d.procs, cmd)
			d.urls = append(d.urls, "http://"+addr)
			// One at a time: the first replica creates the store's schema
			// and keys.
			if err := waitURL("http://"+addr+"/readyz", 60*time.Second); err != nil {
				b, _ := os.ReadFile(logf.Name())
				return fmt.Errorf("replicas: %s: %w\n%s", d.name, err, b)
			}
		}
	}

	// HAProxy as in TestReplicas: round robin over the replicas that
	// answer /readyz; /idp (the embedded dev IdP keeps sign-in flows in
	// one process) to the first.
	sock := filepath.Join(tmp, "haproxy.sock")
	var fes []replicaset.Balanced
	for _, d := range deps[1:] {
		fe := replicaset.Balanced{Name: d.backend, Bind: strings.TrimPrefix(d.base, "http://")}
		for _, u := range d.urls {
			fe.Replicas = append(fe.Replicas, strings.TrimPrefix(u, "http://"))
		}
		fes = append(fes, fe)
	}
	hc := replicaset.HAProxyConfig(sock, false, fes...)
	hpath := filepath.Join(tmp, "haproxy.cfg")
	if err := os.WriteFile(hpath, []byte(hc), 0o600); err != nil {
		return err
	}
	var hlog bytes.Buffer
	lb := exec.Command(haproxy, "-db", "-f", hpath)
	lb.Stdout, lb.Stderr = &hlog, &hlog
	if err := lb.Start(); err != nil {
		return err
	}
	defer func() { _ = lb.Process.Kill(); _ = lb.Wait() }()
	if err := replicaset.WaitRouted(sock, map[string]int{"one": 1, "three": 3}, 15*time.Second); err != nil {
		return fmt.Errorf("replicas: haproxy: %w\n%s", err, hlog.String())
	}

	for _, d := range deps {
		d.http = &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}}
		e := &env{base: d.base, http: d.http}
		if d.token, err = signIn(e, "ming@example.com"); err != nil {
			return fmt.Errorf("replicas: %s: %w", d.name, err)
		}
	}
	stmt := func(ctx context.Context, d *deployment) error {
		n, err := viaREST(ctx, &env{base: d.base, http: d.http, token: d.token}, dashboard)
		if err == nil && n != 1 {
			err = fmt.Errorf("%d rows, want 1 (Asia)", n)
		}
		return err
	}
	for _, d := range deps { // warm up: connections, caches, prepared statements
		for range 30 {
			if err := stmt(ctx, d); err != nil {
				return fmt.Errorf("replicas: %s: %w", d.name, err)
			}
		}
	}

	// Latency: one client, the deployments interleaved in rotating order.
	for i := range f.replicaIters {
		for j := range deps {
			d := deps[(i+j)%len(deps)]
			t := time.Now()
			if err := stmt(ctx, d); err != nil {
				return fmt.Errorf("replicas: %s: %w", d.name, err)
			}
			d.lat = append(d.lat, time.Since(t))
		}
	}

	// Throughput: f.replicaClients clients for f.replicaTime, each
	// deployment alone on the machine, in the order a b c c b a.
	storePID, err := st.PID()
	if err != nil {
		return err
	}
	whPID, err := wh.PID()
	if err != nil {
		return err
	}
	order := append(append([]*deployment{}, deps...), deps[2], deps[1], deps[0])
	for _, d := range order {
		w, err := measure(ctx, st, d, storePID, whPID, f.replicaClients, f.replicaTime, stmt)
		if err != nil {
			return fmt.Errorf("replicas: %s: %w", d.name, err)
		}
		d.runs = append(d.runs, w)
	}

	fmt.Fprintf(b, "\n## Data API through a load balancer: replicas on a shared PostgreSQL store, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(b, "Command: `go run ./bench/dataapi --only replicas --rows %d --replica-iters %d --replica-clients %d --replica-time %s` (`make bench`; bin/tipgate from `make build`, "+
		"PostgreSQL from scripts/postgres-deps.sh, HAProxy from scripts/haproxy-deps.sh). Machine: %d CPUs, load average %s at the start; "+
		"every process (clients, HAProxy, the tipgate servers, both PostgreSQL clusters) shares these cores. "+
		"Each deployment is separate `tipgate serve` processes on one PostgreSQL warehouse (%d rows of `sales_data`); replicas share a store in a PostgreSQL cluster of its own "+
		"(`fsync=off`, `synchronous_commit=off`, as the test clusters run), lease 10 s. "+
		"A statement is REST `POST /v1/statements` with WaitTimeSeconds, then `GET …/result` (the first page), ming's session token, the dashboard query (one row); through the balancer the two calls land on different replicas.\n\n",
		f.rows, f.replicaIters, f.replicaClients, f.replicaTime, runtime.NumCPU(), benchutil.LoadAvg(), f.rows)
	fmt.Fprintf(b, "Latency, 1 client, %d statements per deployment interleaved in rotating order; added = the deployment's percentile minus the single server's:\n\n", f.replicaIters)
	fmt.Fprintln(b, "| deployment | p50 (ms) | p99 (ms) | added p50 (ms) | added p99 (ms) |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|")
	for i, d := range deps {
		p50, p99 := pct(d.lat, 50), pct(d.lat, 99)
		if i == 0 {
			fmt.Fprintf(b, "| %s | %.3f | %.3f | — | — |\n", d.name, benchutil.MS(p50), benchutil.MS(p99))
			continue
		}
		fmt.Fprintf(b, "| %s | %.3f | %.3f | %.3f | %.3f |\n", d.name, benchutil.MS(p50), benchutil.MS(p99), benchutil.MS(p50-pct(deps[0].lat, 50)), benchutil.MS(p99-pct(deps[0].lat, 99)))
	}
	fmt.Fprintf(b, "\nThroughput, %d concurrent clients for %s per run, two runs per deployment (order a b c c b a), figures over both runs. "+
		"Store round trips are the store database's transactions (pg_stat_database xact_commit + xact_rollback: each query outside a batch and each pipelined batch is one) over the runs, heartbeats included; "+
		"CPU is user + system time from /proc of the store cluster's processes, of the deployment's tipgate processes and of the warehouse cluster's:\n\n", f.replicaClients, f.replicaTime)
	fmt.Fprintln(b, "| deployment | statements/s | ratio to 1 server | store round trips / statement | store CPU µs / statement | store execution µs / statement | tipgate CPU µs / statement | warehouse CPU µs / statement |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|---:|---:|---:|")
	rate := func(d *deployment) float64 {
		var n int64
		var w time.Duration
		for _, r := range d.runs {
			n, w = n+r.stmts, w+r.wall
		}
		return float64(n) / w.Seconds()
	}
	for _, d := range deps {
		var n, x int64
		var sc, tc, wc, se time.Duration
		for _, r := range d.runs {
			n, x, sc, tc, wc, se = n+r.stmts, x+r.storeXacts, sc+r.storeCPU, tc+r.tipCPU, wc+r.whCPU, se+r.storeExec
		}
		rt, scs, ses := "—", "—", "—"
		if d.storeDB != "" {
			rt, scs, ses = fmt.Sprintf("%.2f", float64(x)/float64(n)), fmt.Sprintf("%.0f", us(sc)/float64(n)), fmt.Sprintf("%.0f", us(se)/float64(n))
		}
		fmt.Fprintf(b, "| %s | %.0f | %.3f | %s | %s | %s | %.0f | %.0f |\n", d.name, rate(d), rate(d)/rate(deps[0]), rt, scs, ses, us(tc)/float64(n), us(wc)/float64(n))
	}
	fmt.Fprintf(b, "\nStore queries per statement (pg_stat_statements calls over the throughput runs divided by statements; a pipelined batch is one round trip for several queries; heartbeats included):\n\n")
	fmt.Fprintln(b, "| query | "+deps[1].name+" | "+deps[2].name+" |")
	fmt.Fprintln(b, "|---|---:|---:|")
	labels := map[string]bool{}
	per := func(d *deployment) (map[string]int64, int64) {
		m := map[string]int64{}
		var n int64
		for _, r := range d.runs {
			n += r.stmts
			for q, c := range r.queries {
				m[q] += c
				labels[q] = true
			}
		}
		return m, n
	}
	q1, n1 := per(deps[1])
	q3, n3 := per(deps[2])
	var names []string
	for q := range labels {
		names = append(names, q)
	}
	slices.SortFunc(names, func(a, c string) int { return int(q3[c] - q3[a]) })
	for _, q := range names {
		if float64(q3[q])/float64(n3) < 0.01 && float64(q1[q])/float64(n1) < 0.01 {
			continue
		}
		fmt.Fprintf(b, "| `%s` | %.2f | %.2f |\n", q, float64(q1[q])/float64(n1), float64(q3[q])/float64(n3))
	}
	fmt.Fprintln(b)
	return nil
}

// measure runs clients for d until dur passes, and what it cost.
func measure(ctx context.Context, st *pgserver.Server, d *deployment, storePID, whPID, clients int, dur time.Duration, stmt func(context.Context, *deployment) error) (window, error) {
	var w window
	var pids []int
	for _, p := range d.procs {
		pids = append(pids, p.Process.Pid)
	}
	// Settle: PostgreSQL publishes a backend's statistics when it has
	// been idle a second.
	time.Sleep(1200 * time.Millisecond)
	x0, err := storeXacts(ctx, st, d.storeDB)
	if err != nil {
		return w, err
	}
	if err := execSQL(ctx, st, "SELECT pg_stat_statements_reset()"); err != nil {
		return w, err
	}
	s0, t0, h0 := treeCPU(storePID), procsCPU(pids), treeCPU(whPID)
	var done atomic.Int64
	var first error
	var once sync.Once
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if err := stmt(ctx, d); err != nil {
					once.Do(func() { first = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	w.wall, w.stmts = time.Since(start), done.Load()
	s1, t1, h1 := treeCPU(storePID), procsCPU(pids), treeCPU(whPID)
	time.Sleep(1200 * time.Millisecond)
	x1, err := storeXacts(ctx, st, d.storeDB)
	if err != nil {
		return w, err
	}
	w.storeXacts, w.storeCPU, w.tipCPU, w.whCPU = x1-x0, s1-s0, t1-t0, h1-h0
	if w.storeExec, w.queries, err = storeQueries(ctx, st, d.storeDB); err != nil {
		return w, err
	}
	return w, first
}

func execSQL(ctx context.Context, st *pgserver.Server, sql string) error {
	conn, err := pgx.Connect(ctx, st.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// storeQueries is what the store database ran since the reset: total
// execution time and calls by query (first words of its text).
func storeQueries(ctx context.Context, st *pgserver.Server, db string) (time.Duration, map[string]int64, error) {
	if db == "" {
		return 0, nil, nil
	}
	conn, err := pgx.Connect(ctx, st.DSN("postgres"))
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT s.query, s.calls, s.total_exec_time FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
		WHERE d.datname = $1 AND s.toplevel`, db)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var total float64
	byQuery := map[string]int64{}
	for rows.Next() {
		var q string
		var calls int64
		var ms float64
		if err := rows.Scan(&q, &calls, &ms); err != nil {
			return 0, nil, err
		}
		total += ms
		byQuery[queryLabel(q)] += calls
	}
	return time.Duration(total * float64(time.Millisecond)), byQuery, rows.Err()
}

// queryLabel names a store query by its verb and table.
func queryLabel(q string) string {
	f := strings.Fields(strings.ReplaceAll(strings.ReplaceAll(q, "(", " ( "), ",", " , "))
	verb := strings.ToUpper(f[0])
	if verb == "SELECT" { // the table of the outer FROM
		for i, w := range f[:len(f)-1] {
			if strings.EqualFold(w, "FROM") && strings.HasPrefix(f[i+1], "tipgate_store.") {
				return verb + " " + strings.TrimPrefix(f[i+1], "tipgate_store.")
			}
		}
	}
	for _, w := range f {
		if strings.HasPrefix(w, "tipgate_store.") {
			return verb + " " + strings.TrimPrefix(w, "tipgate_store.")
		}
	}
	if len(f) > 1 {
		return verb + " " + f[1]
	}
	return verb
}

// storeXacts is the transactions the store database has run (0 for the
// embedded store).
func storeXacts(ctx context.Context, st *pgserver.Server, db string) (int64, error) {
	if db == "" {
		return 0, nil
	}
	conn, err := pgx.Connect(ctx, st.DSN("postgres"))
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int64
	err = conn.QueryRow(ctx, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", db).Scan(&n)
	return n, err
}

// procCPU is a process's user + system time from /proc (USER_HZ 100).
func procCPU(pid int) (time.Duration, int) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0
	}
	// The command name may hold spaces: fields start after its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	stt, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+stt) * 10 * time.Millisecond, ppid
}

func procsCPU(pids []int) time.Duration {
	var t time.Duration
	for _, p := range pids {
		c, _ := procCPU(p)
		t += c
	}
	return t
}

// treeCPU is the CPU of a postmaster and its children (backends and
// background processes); a backend that exited in between is missed, and
// the pools keep theirs.
func treeCPU(root int) time.Duration {
	t, _ := procCPU(root)
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return t
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if c, ppid := procCPU(pid); ppid == root {
			t += c
		}
	}
	return t
}

func waitURL(u string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within %s", u, d)
}

// waitBalanced waits until HAProxy runs (state 2) want servers in each
// backend.
func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}
