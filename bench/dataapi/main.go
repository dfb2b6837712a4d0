// Command dataapi measures the Data API bindings against the engine they
// front: the latency a dashboard statement gains by going through REST or
// the AWS (SigV4) binding over loopback, statements per second at several
// client counts, and result fetch throughput. The full server runs in this
// process, with the embedded IdP, the reference scenario and the clients.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/server"
)

const (
	password  = "Bench-Pa55word-not-secret"
	accessKey = "AKIATIPGATEBENCH0001"
	secretKey = "bench-secret-access-key-0123456789"
	fetchKey  = "tipgate-demo/sales_fetch.csv"
	// dashboard is a small regional panel: ming (apac-sales) sees Asia only.
	dashboard = `SELECT split_part(timezone, '/', 1) AS region, count(*) AS orders, sum(quantity * sales_price) AS revenue FROM sales_data GROUP BY 1`
	trivial   = `SELECT 1 AS x`
	fetchSQL  = `SELECT sku, quantity, sales_price, timestamp, city, timezone FROM sales_fetch`
)

type flags struct {
	rows, fetchRows  int64
	iters, stmts     int
	levels           []int
	levelTime        time.Duration
	fetchReps        int
	results, profile string
	memProfile       string
	mutexProfile     string
	fetchProfile     string
	pageRows         int
	only             string
	// replicas section
	tipgate        string
	replicaIters   int
	replicaClients int
	replicaTime    time.Duration
}

func main() {
	var f flags
	flag.Int64Var(&f.rows, "rows", 100_000, "rows of generated sales data (the dashboard's table)")
	flag.Int64Var(&f.fetchRows, "fetch-rows", 1_000_000, "rows of the result fetched page by page")
	flag.IntVar(&f.iters, "iters", 500, "latency iterations per side")
	flag.IntVar(&f.stmts, "stmts", 20_000, "most statements per throughput level")
	levels := flag.String("clients", "1,16,64", "concurrent clients of the throughput levels")
	flag.DurationVar(&f.levelTime, "level-time", 6*time.Second, "longest time per throughput level")
	flag.IntVar(&f.fetchReps, "fetch-reps", 3, "repetitions of each full result fetch")
	flag.StringVar(&f.results, "results", "", "append a report to this Markdown file")
	flag.StringVar(&f.only, "only", "latency,throughput,fetch", "sections to run (and replicas: through HAProxy to 1 and 3 replicas on a PostgreSQL store)")
	flag.StringVar(&f.tipgate, "tipgate", "bin/tipgate", "the tipgate binary the replicas section runs (make build)")
	flag.IntVar(&f.replicaIters, "replica-iters", 200, "replicas: latency statements per deployment")
	flag.IntVar(&f.replicaClients, "replica-clients", 8, "replicas: concurrent clients of the throughput runs")
	flag.DurationVar(&f.replicaTime, "replica-time", 5*time.Second, "replicas: time per throughput run")
	flag.StringVar(&f.profile, "cpuprofile", "", "keep the CPU profiles of the largest client level here (dashboard; SELECT 1 gets -select1 added)")
	flag.StringVar(&f.mutexProfile, "mutexprofile", "", "write the mutex contention profile of the largest client level of SELECT 1 over REST in one call here")
	flag.StringVar(&f.memProfile, "memprofile", "", "write the allocation profile (alloc_space, from the start of the largest client level) of SELECT 1 here")
	flag.IntVar(&f.pageRows, "page-rows", 0, "rows per result page (0: the server's default)")
	flag.StringVar(&f.fetchProfile, "fetch-profile", "", "keep CPU profiles of the last fetch of each format at this prefix (-json, -csv, -arrow .pprof)")
	flag.Parse()
	for _, s := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "bench: bad --clients")
			os.Exit(2)
		}
		f.levels = append(f.levels, n)
	}
	if err := run(context.Background(), f); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// env is the running server and what the clients need.
type env struct {
	srv      *server.Server
	base     string
	token    string // ming's tipgate session token
	p        identity.Principal
	eng      engine.Engine
	svc      *dataapi.Service // a second service over the same engine, in process
	tmp      string           // the run's scratch directory
	fetchCSV string           // the generated rows of the fetch table
	http     *http.Client
	signer   *v4.Signer
	nonce    atomic.Int64
	retired  int64 // statements executed so far (all retained by the service)
}

func run(ctx context.Context, f flags) error {
	var b strings.Builder
	sections := strings.Split(f.only, ",")
	if slices.Contains(sections, "replicas") {
		if err := replicas(ctx, f, &b); err != nil {
			return err
		}
		if len(sections) == 1 {
			return report(f, &b)
		}
	}
	tmp, err := os.MkdirTemp("", "tipgate-bench-dataapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e, stop, err := start(ctx, tmp, f)
	if err != nil {
		return err
	}
	defer stop()

	fmt.Fprintf(&b, "\n## Data API bindings, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Command: `go run ./bench/dataapi --rows %d --fetch-rows %d --iters %d --clients %s --stmts %d --level-time %s --fetch-reps %d --only %s%s` (`make bench`). "+
		"Machine: %d CPUs, %s, %s/%s, load average %s at the start; the server, its DuckDB and every client share this process and these cores, and the machine may be loaded by other work, so figures are medians. "+
		"Principal: ming@example.com (apac-sales, RLS `timezone LIKE 'Asia%%'`) with a session token from the embedded IdP's password grant and the token exchange; "+
		"the AWS binding uses a configured access key for the same user and groups, requests signed with the SDK's SigV4 signer on a plain HTTP client.\n\n",
		f.rows, f.fetchRows, f.iters, joinInts(f.levels), f.stmts, f.levelTime, f.fetchReps, f.only, extraFlags(f), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, benchutil.LoadAvg())

	for _, sec := range []struct {
		name string
		run  func(context.Context, *env, flags, *strings.Builder) error
	}{{"latency", latency}, {"throughput", throughput}, {"fetch", fetch}} {
		if !slices.Contains(strings.Split(f.only, ","), sec.name) {
			continue
		}
		if err := sec.run(ctx, e, f, &b); err != nil {
			return err
		}
	}
	return report(f, &b)
}

// report prints the sections and appends them to --results.
func report(f flags, b *strings.Builder) error {
	fmt.Print(b.String())
	if f.results != "" {
		out, err := os.OpenFile(f.results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer out.Close()
		if _, err := io.WriteString(out, b.String()); err != nil {
			return err
		}
	}
	return nil
}

func start(ctx context.Context, tmp string, f flags) (*env, func(), error) {
	s3 := filepath.Join(tmp, "s3")
	for key, n := range map[string]int64{demo.SourceKey: f.rows, fetchKey: f.fetchRows} {
		src := filepath.Join(s3, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
			return nil, nil, err
		}
		t := time.Now()
		if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: n, Seed: 1}); err != nil {
			return nil, nil, err
		}
		fmt.Fprintf(os.Stderr, "generated %d rows for %s in %s\n", n, key, time.Since(t).Round(time.Millisecond))
	}
	dataDir := filepath.Join(tmp, "data")
	cfg, err := config.Parse([]byte(`
[server]
listen = "127.0.0.1:0"
data_dir = "` + dataDir + `"
shutdown_grace = "5s"
[warehouse]
s3_root = "` + s3 + `"
[dataapi]
result_cap_bytes = 4294967296
` + pageRows(f.pageRows) + `
[idp]
enabled = true
users_file = "unused-demo-users-are-given"
enable_password_grant = true
[[idp.clients]]
id = "tipgate-cli"
public = true
grants = ["password", "refresh_token"]
[[awsapi.access_keys]]
access_key_id = "` + accessKey + `"
secret_access_key = "` + secretKey + `"
user = "ming@example.com"
namespace = "AWSIDC"
groups = ["apac-sales"]
`))
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	users, err := idp.DemoUsers(password)
	if err != nil {
		return nil, nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	// Requests are logged as in production (JSON at Info), to nowhere.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(sctx, cfg, server.Options{Logger: log, IDPUsers: users, Listener: ln})
	if err != nil {
		cancel()
		return nil, nil, err
	}
	t := time.Now()
	if err := engine.Run(ctx, srv.Engine(), identity.LocalSuperuser(), demo.PolicyScript+`
CREATE TABLE sales_fetch (SKU VARCHAR(50), Product_Name VARCHAR(255), Category VARCHAR(100), Quantity INT, Sales_Price DECIMAL(10,2),
    Timestamp TIMESTAMP, City VARCHAR(100), Region_Code VARCHAR(10), Country VARCHAR(10), Latitude DECIMAL(10,6), Longitude DECIMAL(10,6),
    Population INT, Elevation INT, Timezone VARCHAR(50));
COPY sales_fetch FROM 's3://`+fetchKey+`' IAM_ROLE default CSV IGNOREHEADER 1 TIMEFORMAT 'auto';
GRANT SELECT ON TABLE sales_fetch TO ROLE "AWSIDC:apac-sales";
`); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(os.Stderr, "loaded the reference scenario in %s\n", time.Since(t).Round(time.Millisecond))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx) }()
	stop := func() {
		cancel()
		<-done
		srv.Close()
	}
	e := &env{srv: srv, base: srv.URL, eng: srv.Engine(), signer: v4.NewSigner(), tmp: tmp, fetchCSV: filepath.Join(s3, filepath.FromSlash(fetchKey)),
		http: &http.Client{Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}}}
	if err := waitReady(e); err != nil {
		stop()
		return nil, nil, err
	}
	if e.token, err = signIn(e, "ming@example.com"); err != nil {
		stop()
		return nil, nil, err
	}
	// The principal the REST binding sees: verify the session token with
	// a Sessions sharing the server's data directory (and so its keys).
	sc := cfg.Sessions
	sc.Issuer = srv.URL
	sess, err := identity.NewSessions(identity.SessionOptions{DataDir: dataDir, Config: sc})
	if err != nil {
		stop()
		return nil, nil, err
	}
	if e.p, err = sess.Verify(ctx, e.token); err != nil {
		stop()
		return nil, nil, err
	}
	// A second Data API service over the same engine, called directly:
	// separates the service's own cost from HTTP's.
	if e.svc, err = dataapi.New(e.eng, dataapi.Options{DataDir: filepath.Join(tmp, "inproc"), ResultCap: 4 << 30}); err != nil {
		stop()
		return nil, nil, err
	}
	return e, stop, nil
}

// extraFlags spells the flags make bench does not pass, when set.
func extraFlags(f flags) string {
	s := ""
	if f.pageRows > 0 {
		s += " --page-rows " + strconv.Itoa(f.pageRows)
	}
	if f.fetchProfile != "" {
		s += " --fetch-profile " + f.fetchProfile
	}
	return s
}

// pageRows is the config line of --page-rows, none for the default.
func pageRows(n int) string {
	if n <= 0 {
		return ""
	}
	return "page_rows = " + strconv.Itoa(n)
}

func waitReady(e *env) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := e.http.Get(e.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("server never became ready")
}

// signIn is the person's path: password grant at the embedded IdP, then
// the token exchange for a tipgate session.
func signIn(e *env, email string) (string, error) {
	var tok struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
	}
	if err := postForm(e, "/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
		"username": {email}, "password": {password}, "scope": {"openid email profile groups"}}, &tok); err != nil || tok.IDToken == "" {
		return "", fmt.Errorf("password grant: %v", err)
	}
	id := tok.IDToken
	tok.AccessToken = ""
	if err := postForm(e, "/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token": {id}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}}, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token exchange: %v", err)
	}
	return tok.AccessToken, nil
}

func postForm(e *env, path string, form url.Values, out any) error {
	resp, err := e.http.PostForm(e.base+path, form)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// ---- the four ways to run a statement ----

// viaEngine is the baseline: the engine in process, rows drained.
func viaEngine(ctx context.Context, e *env, q string) (int, error) {
	r, err := e.eng.Query(ctx, e.p, q)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	for r.Next() {
		_ = r.Values()
		n++
	}
	return n, r.Err()
}

// viaService is the Data API service in process: execute, wait, first page.
func viaService(ctx context.Context, e *env, q string) (int, error) {
	wait := 30
	out, err := e.svc.Execute(ctx, e.p, dataapi.ExecuteInput{Sql: q, WaitTimeSeconds: &wait})
	if err != nil {
		return 0, err
	}
	if out.Status != dataapi.StatusFinished {
		return 0, fmt.Errorf("in-process statement ended %s", out.Status)
	}
	res, err := e.svc.GetResult(ctx, e.p, out.ID, "", 0)
	if err != nil {
		return 0, err
	}
	return len(res.Records), nil
}

type execOut struct {
	ID     string `json:"Id"`
	Status string `json:"Status"`
}

type resultOut struct {
	Records      []json.RawMessage `json:"Records"`
	TotalNumRows int64             `json:"TotalNumRows"`
}

// viaREST is POST /v1/statements with WaitTimeSeconds, then GET the
// first result page, with the session token.
func viaREST(ctx context.Context, e *env, q string) (int, error) {
	body, _ := json.Marshal(map[string]any{"Sql": q, "WaitTimeSeconds": 30})
	var ex execOut
	if err := restCall(ctx, e, "POST", "/v1/statements", body, &ex); err != nil {
		return 0, err
	}
	if ex.Status != dataapi.StatusFinished {
		return 0, fmt.Errorf("REST statement ended %s", ex.Status)
	}
	var res resultOut
	if err := restCall(ctx, e, "GET", "/v1/statements/"+ex.ID+"/result", nil, &res); err != nil {
		return 0, err
	}
	return len(res.Records), nil
}

// viaRESTOne is the REST binding's one-call flow: POST /v1/statements with
// WaitTimeSeconds and IncludeResult, the first page in the answer.
func viaRESTOne(ctx context.Context, e *env, q string) (int, error) {
	body, _ := json.Marshal(map[string]any{"Sql": q, "WaitTimeSeconds": 30, "IncludeResult": true})
	var ex struct {
		execOut
		Result *resultOut `json:"Result"`
	}
	if err := restCall(ctx, e, "POST", "/v1/statements", body, &ex); err != nil {
		return 0, err
	}
	if ex.Status != dataapi.StatusFinished {
		return 0, fmt.Errorf("REST statement ended %s", ex.Status)
	}
	if ex.Result == nil {
		return 0, fmt.Errorf("REST statement %s: no Result with IncludeResult", ex.ID)
	}
	return len(ex.Result.Records), nil
}

func restCall(ctx context.Context, e *env, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// viaAWS is the awsJson1.1 binding, SigV4-signed: ExecuteStatement with
// tipgate's WaitTimeSeconds extension, then GetStatementResult.
func viaAWS(ctx context.Context, e *env, q string) (int, error) {
	body, _ := json.Marshal(map[string]any{"Sql": q, "WorkgroupName": config.DefaultWorkgroup, "Database": config.DefaultDatabase, "WaitTimeSeconds": 30})
	var ex execOut
	if err := awsCall(ctx, e, "ExecuteStatement", body, &ex); err != nil {
		return 0, err
	}
	if ex.Status != dataapi.StatusFinished {
		return 0, fmt.Errorf("AWS statement ended %s", ex.Status)
	}
	body, _ = json.Marshal(map[string]any{"Id": ex.ID})
	var res resultOut
	if err := awsCall(ctx, e, "GetStatementResult", body, &res); err != nil {
		return 0, err
	}
	return len(res.Records), nil
}

func awsCall(ctx context.Context, e *env, op string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, "POST", e.base+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "RedshiftData."+op)
	// The SDK signs a fresh invocation id into every request; without one,
	// identical requests within the same second carry the same signature
	// and tipgate refuses the second as a replay.
	req.Header.Set("Amz-Sdk-Invocation-Id", strconv.FormatInt(e.nonce.Add(1), 10))
	sum := sha256.Sum256(body)
	if err := e.signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: secretKey}, req, hex.EncodeToString(sum[:]),
		"redshift-data", "us-east-1", time.Now()); err != nil {
		return err
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: HTTP %d: %s", op, resp.StatusCode, b)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// ---- 1. added latency ----

func latency(ctx context.Context, e *env, f flags, b *strings.Builder) error {
	type side struct {
		name string
		fn   func(context.Context, *env, string) (int, error)
		d    []time.Duration
	}
	sides := []*side{{name: "engine in process (`eng.Query` + drain)", fn: viaEngine}, {name: "Data API service in process", fn: viaService},
		{name: "REST, session token, loopback", fn: viaREST}, {name: "REST one call (`IncludeResult`), session token, loopback", fn: viaRESTOne},
		{name: "AWS binding, SigV4, loopback", fn: viaAWS}}
	// Warm up and check every side sees the same result.
	for _, s := range sides {
		for i := 0; i < 20; i++ {
			n, err := s.fn(ctx, e, dashboard)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if n != 1 {
				return fmt.Errorf("%s: %d rows, want 1 (Asia)", s.name, n)
			}
		}
	}
	order := make([]*side, len(sides))
	for i := 0; i < f.iters; i++ {
		// Rotate the order so no side always runs first (or after another).
		for j := range sides {
			order[j] = sides[(i+j)%len(sides)]
		}
		for _, s := range order {
			t := time.Now()
			if _, err := s.fn(ctx, e, dashboard); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			s.d = append(s.d, time.Since(t))
		}
	}
	// REST and AWS statements stay in the server's service (retention 24 h).
	e.retired += int64(3 * (f.iters + 20))
	base := sides[0].d
	fmt.Fprintf(b, "### Execute → finished → first page, `%s`\n\n", dashboard)
	fmt.Fprintf(b, "%d rows in `sales_data`, ming sees the Asian ones; one result row. %d iterations per side, the sides interleaved in rotating order. "+
		"REST is two calls (`POST /v1/statements` with `WaitTimeSeconds`, `GET …/result`), REST one call is the POST with `IncludeResult` answering with the first page. "+
		"Added latency is the side's percentile minus the engine's same percentile (p50 target ≤ 1 ms).\n\n", f.rows, f.iters)
	fmt.Fprintln(b, "| path | p50 (ms) | p99 (ms) | added p50 (ms) | added p99 (ms) | p50 ratio to engine |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|---:|")
	for i, s := range sides {
		p50, p99 := pct(s.d, 50), pct(s.d, 99)
		if i == 0 {
			fmt.Fprintf(b, "| %s | %.3f | %.3f | — | — | 1.000 |\n", s.name, benchutil.MS(p50), benchutil.MS(p99))
			continue
		}
		fmt.Fprintf(b, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n", s.name, benchutil.MS(p50), benchutil.MS(p99), benchutil.MS(p50-pct(base, 50)), benchutil.MS(p99-pct(base, 99)),
			float64(p50)/float64(pct(base, 50)))
	}
	// Paired differences: each iteration's side minus that iteration's engine run.
	fmt.Fprintf(b, "\nPaired per-iteration differences (side − engine in the same iteration): ")
	var parts []string
	for _, s := range sides[1:] {
		diff := make([]time.Duration, len(s.d))
		for i := range s.d {
			diff[i] = s.d[i] - base[i]
		}
		parts = append(parts, fmt.Sprintf("%s p50 %.3f ms, p99 %.3f ms", shortName(s.name), benchutil.MS(pct(diff, 50)), benchutil.MS(pct(diff, 99))))
	}
	fmt.Fprintf(b, "%s.\n\n", strings.Join(parts, "; "))
	return nil
}

func shortName(s string) string {
	s, _, _ = strings.Cut(s, ",")
	return s
}

// ---- 2. statements per second ----

type level struct {
	clients     int
	done        int64
	wall        time.Duration
	lat         []time.Duration
	cpu         time.Duration
	retainedPre int64
}

func throughput(ctx context.Context, e *env, f flags, b *strings.Builder) error {
	type series struct {
		name, sql, key string // key names the series' CPU profile
		via            func(context.Context, *env, string) (int, error)
		levels         []level
	}
	all := []*series{{name: "dashboard query", sql: dashboard, key: "", via: viaREST}, {name: "`SELECT 1` (API cost alone)", sql: trivial, key: "-select1", via: viaREST},
		{name: "`SELECT 1`, REST one call (`IncludeResult`)", sql: trivial, key: "-one-select1", via: viaRESTOne},
		{name: "`SELECT 1` over the AWS binding (SigV4)", sql: trivial, key: "-aws-select1", via: viaAWS}}
	scanBefore, whoBefore, err := scanCost(ctx, e, 1000)
	if err != nil {
		return err
	}
	retainedBefore := e.retired
	profs := map[string]string{}
	for _, s := range all {
		for _, c := range f.levels {
			profiling := c == slices.Max(f.levels)
			var prof *os.File
			if profiling {
				name := f.profile
				if name == "" {
					name = filepath.Join(os.TempDir(), fmt.Sprintf("tipgate-bench-dataapi-%d.pprof", os.Getpid()))
				}
				name = strings.TrimSuffix(name, ".pprof") + s.key + ".pprof"
				var err error
				if prof, err = os.Create(name); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(prof); err != nil {
					return err
				}
			}
			memProfiling := profiling && s.key == "-select1" && f.memProfile != ""
			if memProfiling {
				// Allocations of this level alone: a heap profile's
				// alloc_space counts from the program's start, so GC and
				// take the difference with go tool pprof -base.
				runtime.GC()
				if err := writeHeapProfile(f.memProfile + ".base"); err != nil {
					return err
				}
			}
			mutexProfiling := profiling && s.key == "-one-select1" && f.mutexProfile != ""
			if mutexProfiling {
				// Every contention event of this level alone.
				runtime.SetMutexProfileFraction(1)
			}
			l, err := runLevel(ctx, e, s.via, s.sql, c, f.stmts, f.levelTime)
			if mutexProfiling {
				runtime.SetMutexProfileFraction(0)
				if err := writeProfile("mutex", f.mutexProfile); err != nil {
					return err
				}
			}
			if memProfiling {
				runtime.GC()
				if err := writeHeapProfile(f.memProfile); err != nil {
					return err
				}
			}
			if profiling {
				pprof.StopCPUProfile()
				prof.Close()
				profs[s.key] = prof.Name()
			}
			if err != nil {
				return fmt.Errorf("%s at %d clients: %w", s.name, c, err)
			}
			s.levels = append(s.levels, l)
			fmt.Fprintf(os.Stderr, "%s, %d clients: %.0f statements/s\n", s.name, c, float64(l.done)/l.wall.Seconds())
		}
	}
	// The service keeps every statement for 24 h and scans them all on each
	// call: run 1 client again now that many are retained.
	again, err := runLevel(ctx, e, viaREST, trivial, 1, f.stmts, f.levelTime)
	if err != nil {
		return err
	}
	scanAfter, whoAfter, err := scanCost(ctx, e, 1000)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "### Statements per second over REST\n\n")
	fmt.Fprintf(b, "Each REST client loops: `POST /v1/statements` with `WaitTimeSeconds` 30, then `GET …/result` (first page); a REST one-call client: "+
		"`POST /v1/statements` with `WaitTimeSeconds` 30 and `IncludeResult`, the first page in the answer; each AWS client: `ExecuteStatement` with `WaitTimeSeconds` 30, "+
		"then `GetStatementResult`, each request SigV4-signed; every client on its own keep-alive connection, all as ming. "+
		"Each level stops after %d statements or %s, whichever comes first. CPU is this process's (server and clients) per statement, from getrusage; "+
		"2-core capacity is 2 s of CPU per second divided by it, the rate two otherwise idle cores would give (targets at 64 clients: REST ≥ 5,000/s, reported for both REST flows; AWS ≥ 3,000/s).\n\n", f.stmts, f.levelTime)
	fmt.Fprintln(b, "| statement | clients | statements | statements/s | p50 (ms) | p99 (ms) | CPU µs/statement | 2-core capacity /s | retained before |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	row := func(name string, l level) {
		perStmt := us(l.cpu) / float64(l.done)
		fmt.Fprintf(b, "| %s | %d | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %d |\n", name, l.clients, l.done, float64(l.done)/l.wall.Seconds(),
			benchutil.MS(pct(l.lat, 50)), benchutil.MS(pct(l.lat, 99)), perStmt, 2e6/perStmt, l.retainedPre)
	}
	for _, s := range all {
		for _, l := range s.levels {
			row(s.name, l)
		}
	}
	first := all[1].levels[0]
	row("`SELECT 1`, again after the levels above", again)
	fmt.Fprintln(b)
	fmt.Fprintf(b, "One client, `SELECT 1`, with %d statements retained vs %d: p50 ratio %.3f, CPU/statement ratio %.3f.\n\n",
		again.retainedPre, first.retainedPre, float64(pct(again.lat, 50))/float64(pct(first.lat, 50)),
		(us(again.cpu)/float64(again.done))/(us(first.cpu)/float64(first.done)))
	fmt.Fprintf(b, "Cost of a lookup that scans every retained statement (`GET /v1/statements/{unknown id}`, a 404 after `expireLocked` walks the map) minus `GET /v1/whoami` "+
		"(same authentication and HTTP, no scan), medians of 1000 alternating pairs: **%.0f µs** with %d statements retained, **%.0f µs** with %d (404 %.0f µs vs whoami %.0f µs, then %.0f vs %.0f).\n\n",
		us(scanBefore-whoBefore), retainedBefore, us(scanAfter-whoAfter), e.retired, us(scanBefore), us(whoBefore), us(scanAfter), us(whoAfter))
	if sum := summarize(profs[""], profs["-select1"], profs["-one-select1"], profs["-aws-select1"]); sum != "" {
		fmt.Fprintf(b, "Where the CPU goes at %d clients (CPU profiles of the whole process, server and clients, one per statement; a sample counts in every row whose code is on its stack, so rows overlap):\n\n%s\n", slices.Max(f.levels), sum)
	}
	if f.profile == "" {
		for _, p := range profs {
			os.Remove(p)
		}
	}
	return nil
}

func writeHeapProfile(name string) error { return writeProfile("allocs", name) }

func writeProfile(kind, name string) error {
	out, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(kind).WriteTo(out, 0); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func runLevel(ctx context.Context, e *env, via func(context.Context, *env, string) (int, error), q string, clients, max int, limit time.Duration) (level, error) {
	l := level{clients: clients, retainedPre: e.retired}
	var (
		issued atomic.Int64
		mu     sync.Mutex
		wg     sync.WaitGroup
		first  error
	)
	deadline := time.Now().Add(limit)
	cpu0 := benchutil.ProcessCPU()
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for issued.Add(1) <= int64(max) && time.Now().Before(deadline) {
				t := time.Now()
				if _, err := via(ctx, e, q); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			l.lat = append(l.lat, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	l.wall = time.Since(start)
	l.cpu = benchutil.ProcessCPU() - cpu0
	l.done = int64(len(l.lat))
	e.retired += l.done
	if first != nil {
		return l, first
	}
	if l.done == 0 {
		return l, errors.New("no statement finished")
	}
	return l, nil
}

// summarize asks `go tool pprof` for the share of samples with each part
// of the request path on the stack. Without the go tool: no summary.
// -symbolize=none: a Go profile carries its own function names; letting
// pprof symbolize again from whatever file sits at the binary's path (a
// stripped `go run` binary, or a later build at the same path) gave
// wrong names or none, and every row 0%.
func summarize(dash, sel1, oneSel1, awsSel1 string) string {
	groups := []struct{ name, focus string }{
		{"DuckDB (cgo calls into the engine)", `runtime\.cgocall`},
		{"dataapi: statement goroutine (engine query, result write, audit)", `dataapi\.\(\*Service\)\.run$`},
		{"dataapi: result write (`writeResult`)", `dataapi\.writeResult`},
		{"dataapi: result page read and encoding (`ResultPage`, `AppendJSON`)", `dataapi\.\(\*Service\)\.ResultPage|dataapi\.\(\*ResultPage\)\.AppendJSON`},
		{"dataapi: scans of all retained statements (`expireLocked`, active count)", `dataapi\.\(\*Service\)\.expireLocked|dataapi\.\(\*statement\)\.active`},
		{"audit log write", `audit\.\(\*Log\)\.Write`},
		{"all server request handling, handlers included (`net/http.(*conn).serve`)", `net/http\.\(\*conn\)\.serve`},
		{"session token verification (REST) / SigV4 verification (AWS)", `identity\.\(\*Sessions\)\.Verify|awsapi\.\(\*verifier\)\.verify`},
		{"client side (`main.restCall`, `main.awsCall`: request, signing, response decoding)", `main\.restCall|main\.awsCall`},
		{"encoding/json (server and client)", `encoding/json\.`},
		{"syscalls (network, files)", `syscall\.Syscall|syscall\.RawSyscall|internal/runtime/syscall`},
		{"garbage collection (background mark)", `runtime\.gcBgMarkWorker`},
		{"malloc (`runtime.mallocgc`)", `runtime\.mallocgc`},
	}
	share := regexp.MustCompile(`accounting for [0-9.]+[mµn]?s, ([0-9.]+)% of ([0-9.]+[mµn]?s) total`)
	var b strings.Builder
	fmt.Fprintln(&b, "| code on the stack | dashboard query (REST) | `SELECT 1` (REST) | `SELECT 1` (REST one call) | `SELECT 1` (AWS) |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|")
	for _, g := range groups {
		var cells []string
		for _, path := range []string{dash, sel1, oneSel1, awsSel1} {
			if path == "" {
				cells = append(cells, "—")
				continue
			}
			out, err := exec.Command("go", "tool", "pprof", "-symbolize=none", "-top", "-nodefraction=0", "-nodecount=1000000", "-focus="+g.focus, path).CombinedOutput()
			if err != nil {
				return ""
			}
			p := "0%"
			if m := share.FindStringSubmatch(string(out)); m != nil {
				p = m[1] + "%"
			}
			cells = append(cells, p)
		}
		fmt.Fprintf(&b, "| %s | %s |\n", g.name, strings.Join(cells, " | "))
	}
	return b.String()
}

// scanCost times GET /v1/statements/{unknown} (404: every retained
// statement is visited by expireLocked first) against GET /v1/whoami.
func scanCost(ctx context.Context, e *env, n int) (time.Duration, time.Duration, error) {
	var miss, who []time.Duration
	get := func(path string, want int) (time.Duration, error) {
		t := time.Now()
		req, _ := http.NewRequestWithContext(ctx, "GET", e.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := e.http.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			return 0, fmt.Errorf("GET %s: HTTP %d, want %d", path, resp.StatusCode, want)
		}
		return time.Since(t), nil
	}
	for i := 0; i < n; i++ {
		d, err := get("/v1/statements/00000000-0000-4000-8000-"+fmt.Sprintf("%012d", i), http.StatusNotFound)
		if err != nil {
			return 0, 0, err
		}
		miss = append(miss, d)
		if d, err = get("/v1/whoami", http.StatusOK); err != nil {
			return 0, 0, err
		}
		who = append(who, d)
	}
	return median(miss), median(who), nil
}

// ---- 3. result fetch ----

func fetch(ctx context.Context, e *env, f flags, b *strings.Builder) error {
	type fmtRes struct {
		name     string
		baseName string
		exec     []time.Duration
		tip      []outRun // tipgate's fetch
		base     []outRun // the baseline run right after it
		pages    int
		rows     int64
		rss0     int64 // RSS before the fetches (largest)
		peak     int64 // RSS during the fetches (largest sample)
	}
	raw, err := openBaseline(ctx, e.fetchCSV, e.tmp)
	if err != nil {
		return err
	}
	defer raw.Close()
	arrowNote, arrowOK := probeArrow(ctx, e)
	var arrow *fmtRes
	arrowFile := filepath.Join(e.tmp, "fetch.arrows")
	if arrowOK {
		arrow = &fmtRes{name: "Arrow IPC stream (`?format=arrow`, the JSON-format statement)", baseName: "the same bytes from a file, plain net/http (sendfile)"}
	}
	// measure runs fn as one fetch: wall time, process CPU, RSS, and a CPU
	// profile of the last repetition when asked for.
	measure := func(r *fmtRes, last bool, suffix string, fn func() (int64, error)) (outRun, error) {
		runtime.GC()
		r.rss0 = max(r.rss0, benchutil.RSS())
		stop := benchutil.PeakRSS(10 * time.Millisecond)
		if last && f.fetchProfile != "" {
			prof, err := os.Create(f.fetchProfile + "-" + suffix + ".pprof")
			if err != nil {
				return outRun{}, err
			}
			defer prof.Close()
			if err := pprof.StartCPUProfile(prof); err != nil {
				return outRun{}, err
			}
			defer pprof.StopCPUProfile()
		}
		cpu0, t := benchutil.ProcessCPU(), time.Now()
		n, err := fn()
		out := outRun{wall: time.Since(t), cpu: benchutil.ProcessCPU() - cpu0, bytes: n}
		r.peak = max(r.peak, stop())
		return out, err
	}
	var res []*fmtRes
	for _, format := range []string{"JSON", "CSV"} {
		r := &fmtRes{name: format, baseName: "DuckDB `COPY (…) TO file (FORMAT " + strings.ToLower(format) + ")`"}
		for rep := 0; rep < f.fetchReps; rep++ {
			last := rep == f.fetchReps-1
			t := time.Now()
			body, _ := json.Marshal(map[string]any{"Sql": fetchSQL, "ResultFormat": format, "WaitTimeSeconds": 30})
			var ex execOut
			if err := restCall(ctx, e, "POST", "/v1/statements", body, &ex); err != nil {
				return err
			}
			for ex.Status != dataapi.StatusFinished {
				if ex.Status == dataapi.StatusFailed || ex.Status == dataapi.StatusAborted {
					return fmt.Errorf("fetch statement %s", ex.Status)
				}
				var d execOut
				if err := restCall(ctx, e, "GET", "/v1/statements/"+ex.ID+"?WaitTimeSeconds=30", nil, &d); err != nil {
					return err
				}
				ex.Status = d.Status
			}
			r.exec = append(r.exec, time.Since(t))
			tip, err := measure(r, last, strings.ToLower(format), func() (int64, error) {
				n, pages, rows, err := fetchAll(ctx, e, ex.ID, format)
				r.pages, r.rows = pages, rows
				return n, err
			})
			if err != nil {
				return err
			}
			r.tip = append(r.tip, tip)
			base, err := raw.produce(ctx, strings.ToLower(format))
			if err != nil {
				return err
			}
			r.base = append(r.base, base)
			e.retired++
			if format == "JSON" && arrow != nil {
				// The same finished statement as one Arrow IPC stream.
				if rep == 0 {
					if err := saveArrow(ctx, e, ex.ID, arrowFile); err != nil {
						return err
					}
				}
				tip, err := measure(arrow, last, "arrow", func() (int64, error) { return fetchArrow(ctx, e, ex.ID) })
				if err != nil {
					return err
				}
				arrow.exec = append(arrow.exec, r.exec[len(r.exec)-1])
				arrow.tip = append(arrow.tip, tip)
				arrow.pages, arrow.rows = 1, r.rows
				base, err := serveFile(ctx, arrowFile)
				if err != nil {
					return err
				}
				arrow.base = append(arrow.base, base)
			}
		}
		res = append(res, r)
	}
	if arrow != nil {
		res = append(res, arrow)
	}
	fmt.Fprintf(b, "### Result fetch, %d rows\n\n", f.fetchRows)
	fmt.Fprintf(b, "`%s` (%d rows, no RLS on this table) run with `ResultFormat` JSON (pages from GetStatementResult: `GET /v1/statements/{id}/result`) and CSV "+
		"(GetStatementResultV2: `…/result?format=csv`), default page size; every page fetched in order with its NextToken by one client reading the whole body. "+
		"Arrow is the same JSON-format statement fetched again as one stream. "+
		"Medians of %d runs. Execute is until FINISHED (the engine's rows written to the result store); fetch is the pages alone. "+
		"RSS is the whole process's (server, DuckDB, client) after a GC before the fetch, and the largest of samples every 10 ms during it. "+
		"CPU ms/MB is this process's user+system CPU (getrusage: server, DuckDB and client together) per MB of output, which other work on the machine hardly moves. "+
		"Each fetch is followed right away by its baseline: DuckDB alone writing the same rows as CSV or JSON to a file (its own spelling: JSON objects per line), "+
		"and, for Arrow, the same stream's bytes sent from a file by plain net/http; ratio = tipgate's CPU ms/MB over the baseline's.\n\n", fetchSQL, f.fetchRows, f.fetchReps)
	fmt.Fprintln(b, "| format | execute (s) | fetch (s) | requests | response bytes | fetch MB/s | CPU ms/MB | baseline | baseline MB/s | baseline CPU ms/MB | CPU ratio | RSS before (MB) | peak RSS in fetch (MB) |")
	fmt.Fprintln(b, "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
	for _, r := range res {
		tip, base := medianRun(r.tip), medianRun(r.base)
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %d | %d | %.1f | %.2f | %s | %.1f | %.2f | %.2f | %.0f | %.0f |\n", r.name, median(r.exec).Seconds(), tip.wall.Seconds(), r.pages, tip.bytes,
			tip.mbps(), medianCPU(r.tip), r.baseName, base.mbps(), medianCPU(r.base), medianCPU(r.tip)/medianCPU(r.base), float64(r.rss0)/1e6, float64(r.peak)/1e6)
	}
	if arrow == nil {
		fmt.Fprintf(b, "| Arrow | — | — | — | — | — | — | — | — | — | — | — | — |\n\n%s\n", arrowNote)
	} else {
		fmt.Fprintln(b)
	}
	return nil
}

// medianRun is the run of median wall time.
func medianRun(rs []outRun) outRun {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b outRun) int { return int(a.wall - b.wall) })
	return s[(len(s)-1)/2]
}

// medianCPU is the median CPU ms per MB.
func medianCPU(rs []outRun) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.cpuPerMB()
	}
	slices.Sort(v)
	return v[(len(v)-1)/2]
}

// saveArrow writes a result's Arrow stream to a file, for the baseline.
func saveArrow(ctx context.Context, e *env, id, path string) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/statements/"+id+"/result?format=arrow", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

var nextTokenRE = regexp.MustCompile(`"NextToken":"([^"]*)"`)

// fetchAll reads every page; the client only finds NextToken (the last
// member) and counts rows, into one buffer reused for every page, so the
// figure is the server's.
func fetchAll(ctx context.Context, e *env, id, format string) (bytesRead int64, pages int, rows int64, err error) {
	tok := ""
	var buf bytes.Buffer
	for {
		q := url.Values{}
		if format == "CSV" {
			q.Set("format", "csv")
		}
		if tok != "" {
			q.Set("NextToken", tok)
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/statements/"+id+"/result?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := e.http.Do(req)
		if err != nil {
			return 0, 0, 0, err
		}
		buf.Reset()
		if resp.ContentLength > 0 {
			buf.Grow(int(resp.ContentLength))
		}
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			return 0, 0, 0, err
		}
		body := buf.Bytes()
		if resp.StatusCode != 200 {
			return 0, 0, 0, fmt.Errorf("page %d: HTTP %d: %s", pages, resp.StatusCode, body[:min(len(body), 300)])
		}
		bytesRead += int64(len(body))
		pages++
		if pages == 1 {
			var head struct {
				TotalNumRows int64 `json:"TotalNumRows"`
			}
			if i := bytes.LastIndex(body, []byte(`"TotalNumRows"`)); i >= 0 {
				json.NewDecoder(bytes.NewReader(append([]byte("{"), body[i:]...))).Decode(&head)
			}
			rows = head.TotalNumRows
		}
		tail := body[max(0, len(body)-400):]
		m := nextTokenRE.FindSubmatch(tail)
		if m == nil {
			return bytesRead, pages, rows, nil
		}
		tok = string(m[1])
	}
}

// fetchArrow reads a whole result as an Arrow IPC stream.
func fetchArrow(ctx context.Context, e *env, id string) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/statements/"+id+"/result?format=arrow", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, err
	}
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "arrow") {
		return n, fmt.Errorf("arrow: HTTP %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return n, nil
}

// probeArrow checks whether the REST binding serves Arrow results.
func probeArrow(ctx context.Context, e *env) (string, bool) {
	body, _ := json.Marshal(map[string]any{"Sql": trivial, "WaitTimeSeconds": 30})
	var ex execOut
	if err := restCall(ctx, e, "POST", "/v1/statements", body, &ex); err != nil {
		return "Arrow: could not probe (" + err.Error() + ").", false
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/statements/"+ex.ID+"/result?format=arrow", nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.http.Do(req)
	if err != nil {
		return "Arrow: could not probe (" + err.Error() + ").", false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode == 200 && strings.Contains(ct, "arrow") {
		return "", true
	}
	return fmt.Sprintf("Arrow: not measured — `GET /v1/statements/{id}/result?format=arrow` is not implemented when this ran (HTTP %d, Content-Type %q).", resp.StatusCode, ct), false
}

// ---- helpers ----

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[min(i, len(s)-1)]
}

func median(d []time.Duration) time.Duration { return pct(d, 50) }

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// loadAvg is the 1-minute load average, or "unknown".
