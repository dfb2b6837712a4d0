// Command dashboard measures a full load of the web dashboard (/app/):
// the page's one request (api/dashboard: every panel and the filter
// choices), and the seven requests of the panels' own endpoints (the
// filter choices and six panels) in flight at once as the page sent them
// before, with the cache off and with the
// per-policy-context cache warm, and the time to a fully rendered page in
// headless Chromium.
//
// tipgate answers every panel of a load and the filter choices from one
// statement (web.BundleSQL: a single scan aggregated by GROUPING SETS per
// city, per category and per day; countries, regions, the headline, the
// filter choices and weeks or months are derived from those in Go), which
// the concurrent requests of one load share. The baseline for a load is
// that same statement run once on a plain DuckDB database holding the
// same CSV, with the row policy written by hand; a second, "pre-bundle"
// baseline runs the nine statements of the earlier design (one per
// panel, three for the filter choices) at once, to show what the bundle
// saves. Every answer's row counts are checked against counts the bench
// derives on its own from the raw bundle's grouping sets.
//
// The full server runs in this process (server.New) with the embedded IdP
// and the demo users; people sign in through the real authorization-code
// flow and login page, like a browser. The server's own /metrics say how
// many statements each load ran and for how long.
//
//	go run ./bench/dashboard --rows 10000000 --reps 5 --results bench/RESULTS.md
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/web"
)

const (
	password     = "Bench-Pa55word-not-secret"
	clientID     = "tipgate-dashboard"
	clientSecret = "bench-dashboard-client-secret-0123456789"
	// targetMS is the target for a full load's server time.
	targetMS = 500
	// asia is ming's row policy (apac_sales_policy), written by hand for
	// the baselines.
	asia = "timezone LIKE 'Asia%'"
	// grain is the time series' grain of the page's first load. The
	// bundle does not depend on it (it holds days; the server sums weeks
	// or months from them), so every request of a load shares one bundle.
	grain = "month"
)

type flags struct {
	rows     int64
	reps     int
	results  string
	browser  bool
	chromium string
}

func main() {
	var f flags
	flag.Int64Var(&f.rows, "rows", 10_000_000, "rows of generated sales data (seed 1)")
	flag.IntVar(&f.reps, "reps", 5, "repetitions of every measurement")
	flag.StringVar(&f.results, "results", "", "append the report to this Markdown file (empty: stdout only)")
	flag.BoolVar(&f.browser, "browser", true, "also time the page to fully rendered in headless Chromium (bench/dashboard/page.mjs)")
	flag.StringVar(&f.chromium, "chromium", "chromium", "the Chromium executable (name on PATH or path)")
	flag.Parse()
	if f.rows < 1 || f.reps < 1 {
		fmt.Fprintln(os.Stderr, "bench: --rows and --reps must be positive")
		os.Exit(2)
	}
	if err := run(context.Background(), f); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// ---- the dashboard's requests ----

// The grouping sets of web.BundleSQL, by their g column:
// GROUPING(city, country, latitude, longitude, timezone, category, day),
// a bit set for every column the set does not group by (documented in
// internal/web/bundle.go, which splits its result on these values). The
// raw bundle is checked to yield no other set.
const (
	setCities     = 3   // (city, country, latitude, longitude, timezone)
	setCategories = 125 // (category)
	setDays       = 126 // (day)
)

var allSets = []int64{setCities, setCategories, setDays}

// request is one of the seven requests of a full dashboard load, as the
// page sends them (only the time series names its grain; the others
// default to month).
type request struct {
	name string
	path string
	// set is the grouping set the panel's rows are derived from; filters
	// (-1) takes categories, and countries and the date range from the
	// city and day sets.
	set int64
}

var fullLoad = []request{
	{"filters", "/app/api/filters", -1},
	{"headline", "/app/api/panels/headline", setCities},
	{"cities", "/app/api/panels/cities", setCities},
	{"regions", "/app/api/panels/regions", setCities},
	{"countries", "/app/api/panels/countries", setCities},
	{"categories", "/app/api/panels/categories", setCategories},
	{"timeseries", "/app/api/panels/timeseries?grain=" + grain, setDays},
}

// ---- the pre-bundle design, for the "naive" baseline only ----

// preBundleSQL are the statements of the design before the bundle: one
// statement per panel and three for the filter choices (the server ran
// those three at once), nine scans for a full load. They were
// internal/web/panels.go's and dashboard.go's until web.BundleSQL
// replaced them; tipgate no longer runs them. where is the baseline's
// WHERE clause ("" or " WHERE <policy>").
func preBundleSQL(name, w string) []string {
	const (
		regionExpr = `split_part(timezone, '/', 1)`
		measures   = `round(sum(quantity * sales_price), 2) AS revenue, sum(quantity) AS units, count(*) AS orders`
	)
	switch name {
	case "filters":
		return []string{
			`SELECT DISTINCT category FROM sales_data` + w + ` ORDER BY 1`,
			`SELECT country, min(` + regionExpr + `) AS region FROM sales_data` + w + ` GROUP BY country ORDER BY country`,
			`SELECT CAST(min("timestamp") AS DATE) AS first_day, CAST(max("timestamp") AS DATE) AS last_day FROM sales_data` + w,
		}
	case "headline":
		return []string{`SELECT round(coalesce(sum(quantity * sales_price), 0), 2) AS revenue, coalesce(sum(quantity), 0) AS units, count(*) AS orders, ` +
			`count(DISTINCT country || '|' || city) AS cities, count(DISTINCT country) AS countries FROM sales_data` + w}
	case "cities":
		return []string{`SELECT city, country, min(` + regionExpr + `) AS region, min(latitude) AS lat, min(longitude) AS lon, ` + measures +
			` FROM sales_data` + w + ` GROUP BY city, country ORDER BY revenue DESC, city, country`}
	case "regions":
		return []string{`SELECT ` + regionExpr + ` AS region, ` + measures + ` FROM sales_data` + w + ` GROUP BY 1 ORDER BY revenue DESC, region`}
	case "countries":
		return []string{`SELECT country, min(` + regionExpr + `) AS region, ` + measures + ` FROM sales_data` + w + ` GROUP BY country ORDER BY revenue DESC, country`}
	case "categories":
		return []string{`SELECT category, ` + measures + ` FROM sales_data` + w + ` GROUP BY category ORDER BY revenue DESC, category`}
	case "timeseries":
		return []string{`SELECT CAST(date_trunc('` + grain + `', "timestamp") AS DATE) AS period, ` + measures + ` FROM sales_data` + w + ` GROUP BY 1 ORDER BY 1`}
	}
	return nil
}

// person is who signs in, and the baselines' hand-written predicate.
type person struct {
	email, groups, sees, where string
}

var people = []person{
	{"ethan@example.com", "exec-global", "every row (IGNORE RLS), the worst case", ""},
	{"ming@example.com", "apac-sales", "Asia only (RLS `" + asia + "`)", " WHERE " + asia},
}

// ---- results ----

// reqStats are one person's measurements of one request.
type reqStats struct {
	wall, server []time.Duration // wall time at the client, the panel's own "ms"
}

// personStats are one person's measurements.
type personStats struct {
	sets    bundleSets // the raw bundle's grouping sets
	answers []answer   // the checked answers of the first load

	// Cache off: full loads, seven requests at once, and each request's
	// own latency inside them; the two raw-DuckDB baselines.
	coldReq             []*reqStats
	loadTG              []time.Duration
	loadStmts           []float64       // statements tipgate ran per load (its /metrics)
	loadStmtTime        []time.Duration // their run time per load (policy rewrite, DuckDB, result file)
	rawBundle, rawNaive []time.Duration
	// Cache off: the page's own load since api/dashboard, every panel and
	// the filter choices in one request.
	loadOne      []time.Duration
	loadOneStmts []float64
	// loadOneAtBrowser are more such loads, half just before and half
	// just after the browser's page loads.
	loadOneAtBrowser []time.Duration

	// Cache on: each request alone, and full loads.
	warmReq   []*reqStats
	warmLoad  []time.Duration
	warmStmts float64 // statements run by the timed warm loads (0 when all is cached)

	browserCold, browserWarm           *browserResult
	browserColdStmts, browserWarmStmts float64 // statements per page load
}

func newStats() *personStats {
	s := &personStats{}
	for range fullLoad {
		s.coldReq = append(s.coldReq, &reqStats{})
		s.warmReq = append(s.warmReq, &reqStats{})
	}
	return s
}

// ---- the run ----

func run(ctx context.Context, f flags) error {
	tmp, err := os.MkdirTemp("", "tipgate-bench-dashboard-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	startLoad := benchutil.LoadAvg()
	s3 := filepath.Join(tmp, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		return err
	}
	t := time.Now()
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: f.rows, Seed: 1}); err != nil {
		return err
	}
	logf("generated %d rows in %s", f.rows, since(t))
	secret := filepath.Join(tmp, "client-secret")
	if err := os.WriteFile(secret, []byte(clientSecret+"\n"), 0o600); err != nil {
		return err
	}
	dataDir := filepath.Join(tmp, "data")

	// The browser part needs node, playwright-core and Chromium; find out
	// now so a missing piece is said once, up front.
	var br *browserTool
	browserNote := "not run (--browser=false)."
	if f.browser {
		if br, err = findBrowser(f.chromium); err != nil {
			browserNote = "skipped: " + err.Error() + "."
			logf("browser part %s", browserNote)
			br = nil
		}
	}

	stats := map[string]*personStats{}
	for _, p := range people {
		stats[p.email] = newStats()
	}

	// Phase 1: the cache disabled (cache_ttl 0s), so every load runs its
	// bundle; side by side with plain DuckDB.
	srv, err := startServer(ctx, tmp, dataDir, s3, secret, "0s", true)
	if err != nil {
		return err
	}
	raw, err := openBaseline(ctx, tmp, src)
	if err != nil {
		srv.stop()
		return err
	}
	for _, p := range people {
		if err := measureCold(ctx, srv, raw, p, f.reps, stats[p.email]); err != nil {
			raw.Close()
			srv.stop()
			return fmt.Errorf("%s: %w", p.email, err)
		}
	}
	raw.Close()
	if br != nil {
		logf("browser, cache disabled: %d page loads as ethan", f.reps)
		e := stats[people[0].email]
		// The server's own full load, timed again around the page loads:
		// the ratio compares the two under the same load of the machine.
		around := func() error {
			c, err := signIn(srv.base, people[0].email)
			if err != nil {
				return err
			}
			for range (f.reps + 1) / 2 {
				if _, err := timed(&e.loadOneAtBrowser, func() ([]answer, error) { return loadOne(c) }); err != nil {
					return err
				}
			}
			return nil
		}
		if err := around(); err != nil {
			return err
		}
		res, n, err := browse(ctx, br, srv, people[0].email, f.reps)
		if err != nil {
			browserNote = "failed with the cache disabled: " + err.Error() + "."
			logf("browser: %v", err)
		}
		e.browserCold, e.browserColdStmts = res, n
		if err := around(); err != nil {
			return err
		}
	}
	srv.stop()

	// Phase 2: the same warehouse (reopened from the data directory) with
	// the default cache (cache_ttl 1m): a reload within the minute.
	srv, err = startServer(ctx, tmp, dataDir, s3, secret, "1m", false)
	if err != nil {
		return err
	}
	for _, p := range people {
		if err := measureWarm(ctx, srv, p, f.reps, stats[p.email]); err != nil {
			srv.stop()
			return fmt.Errorf("%s (cache on): %w", p.email, err)
		}
	}
	if br != nil && stats[people[0].email].browserCold != nil {
		logf("browser, cache warm: %d page loads as ethan", f.reps)
		e := stats[people[0].email]
		res, n, err := browse(ctx, br, srv, people[0].email, f.reps)
		if err != nil {
			browserNote = "failed with the cache on: " + err.Error() + "."
			logf("browser: %v", err)
		}
		e.browserWarm, e.browserWarmStmts = res, n
	}
	srv.stop()

	report := render(f, stats, startLoad, benchutil.LoadAvg(), br, browserNote)
	fmt.Print(report)
	if f.results != "" {
		out, err := os.OpenFile(f.results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer out.Close()
		if _, err := io.WriteString(out, report); err != nil {
			return err
		}
	}
	return nil
}

// browse times reps page loads in Chromium and counts the statements the
// server ran for them (page.mjs also makes one untimed load after signing
// in, so reps+1 loads).
func browse(ctx context.Context, br *browserTool, srv *tipgate, email string, reps int) (*browserResult, float64, error) {
	before, err := srv.statements()
	if err != nil {
		return nil, 0, err
	}
	res, err := br.run(ctx, srv.base, email, reps)
	if err != nil {
		return nil, 0, err
	}
	after, err := srv.statements()
	if err != nil {
		return nil, 0, err
	}
	return res, (after.n - before.n) / float64(reps+1), nil
}

// ---- the server ----

type tipgate struct {
	srv  *server.Server
	base string
	stop func()
}

// startServer runs the real server in process with the embedded IdP, the
// demo users and the dashboard as a confidential client. With script set
// it also runs the reference policy script (creating and loading
// sales_data); otherwise the warehouse in dataDir already holds it.
func startServer(ctx context.Context, tmp, dataDir, s3, secret, cacheTTL string, script bool) (*tipgate, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Parse([]byte(`
[server]
listen = "127.0.0.1:0"
data_dir = ` + strconv.Quote(dataDir) + `
shutdown_grace = "5s"
[warehouse]
s3_root = ` + strconv.Quote(s3) + `
[idp]
enabled = true
users_file = "unused-demo-users-are-given"
[[idp.clients]]
id = "` + clientID + `"
secret = "` + clientSecret + `"
redirect_uris = ["` + base + `/auth/callback"]
post_logout_redirect_uris = ["` + base + `/signed-out"]
grants = ["authorization_code"]
[web]
enabled = true
issuer = "` + base + `/idp"
client_id = "` + clientID + `"
client_secret_file = ` + strconv.Quote(secret) + `
scopes = ["openid", "email", "profile", "groups"]
cache_ttl = "` + cacheTTL + `"
`))
	if err != nil {
		ln.Close()
		return nil, err
	}
	users, err := idp.DemoUsers(password)
	if err != nil {
		ln.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	// Requests are logged as in production (JSON at Info), to nowhere.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	srv, err := server.New(sctx, cfg, server.Options{Logger: log, IDPUsers: users, Listener: ln})
	if err != nil {
		cancel()
		return nil, err
	}
	if script {
		t := time.Now()
		if err := engine.Run(ctx, srv.Engine(), identity.LocalSuperuser(), demo.PolicyScript); err != nil {
			cancel()
			srv.Close()
			return nil, fmt.Errorf("policy script: %w", err)
		}
		logf("tipgate loaded the reference scenario in %s", since(t))
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(sctx) }()
	tg := &tipgate{srv: srv, base: srv.URL}
	tg.stop = func() {
		cancel()
		if err := <-done; err != nil {
			logf("serve: %v", err)
		}
		srv.Close()
	}
	if err := waitReady(tg.base); err != nil {
		tg.stop()
		return nil, err
	}
	logf("server at %s (cache_ttl %s)", tg.base, cacheTTL)
	return tg, nil
}

func waitReady(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("server never became ready")
}

// ---- a signed-in browser, over HTTP ----

// client keeps cookies like a browser and, like the tests' browser, does
// not follow redirects on its own.
type client struct {
	base string
	c    *http.Client
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	// Enough connections for the seven requests of a load at once.
	tr := &http.Transport{MaxIdleConns: 32, MaxIdleConnsPerHost: 32, IdleConnTimeout: time.Minute}
	return &client{base: base, c: &http.Client{Jar: jar, Transport: tr, Timeout: 5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, u string, body io.Reader, contentType string) (*http.Response, []byte, error) {
	if !strings.HasPrefix(u, "http") {
		u = c.base + u
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// follow GETs u and follows redirects, returning the last response.
func (c *client) follow(u string) (*http.Response, []byte, error) {
	for range 10 {
		resp, body, err := c.do(http.MethodGet, u, nil, "")
		if err != nil {
			return nil, nil, err
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return resp, body, nil
		}
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			return nil, nil, err
		}
		u = next.String()
	}
	return nil, nil, errors.New("too many redirects")
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// signIn goes the browser's way: /auth/login starts the code flow, the
// embedded IdP's login page takes the password, the callback sets the
// session cookie and lands on /app/.
func signIn(base, email string) (*client, error) {
	c := newClient(base)
	resp, page, err := c.follow(base + "/auth/login?return=" + url.QueryEscape("/app/"))
	if err != nil {
		return nil, err
	}
	if !strings.Contains(resp.Request.URL.Path, "/idp/") || !strings.Contains(string(page), `name="password"`) {
		return nil, fmt.Errorf("sign-in did not reach the IdP's login page (at %s, HTTP %d)", resp.Request.URL, resp.StatusCode)
	}
	form := url.Values{"email": {email}, "password": {password}}
	for _, m := range hiddenField.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, _, err = c.do(http.MethodPost, "/idp/login", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return nil, err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther || loc == "" {
		return nil, fmt.Errorf("the IdP refused the password (HTTP %d)", resp.StatusCode)
	}
	next, err := resp.Request.URL.Parse(loc)
	if err != nil {
		return nil, err
	}
	final, _, err := c.follow(next.String())
	if err != nil {
		return nil, err
	}
	if final.StatusCode != http.StatusOK || final.Request.URL.Path != "/app/" {
		return nil, fmt.Errorf("after sign-in: HTTP %d at %s", final.StatusCode, final.Request.URL)
	}
	var me struct {
		User string `json:"user"`
	}
	resp, body, err := c.do(http.MethodGet, "/app/api/me", nil, "")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &me); err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(me.User, ":"+email) {
		return nil, fmt.Errorf("/app/api/me after sign-in: HTTP %d %s", resp.StatusCode, truncate(string(body), 200))
	}
	return c, nil
}

// ---- the server's own account of its statements ----

// stmtMeter is the web binding's statement counters on /metrics.
type stmtMeter struct {
	n   float64 // statements ended (any status)
	sec float64 // their summed run time, seconds
}

// statements reads tipgate_statements_total and
// tipgate_statement_duration_seconds_sum for binding "web" (every
// dashboard statement) from the server's /metrics.
func (tg *tipgate) statements() (stmtMeter, error) {
	resp, err := http.Get(tg.base + "/metrics")
	if err != nil {
		return stmtMeter{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return stmtMeter{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return stmtMeter{}, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	// Before the first web statement there is no series: zero.
	var m stmtMeter
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || !strings.Contains(line, `binding="web"`) {
			continue
		}
		name, _, _ := strings.Cut(line, "{")
		fields := strings.Fields(line)
		v, err := strconv.ParseFloat(fields[len(fields)-1], 64)
		if err != nil {
			return stmtMeter{}, fmt.Errorf("/metrics: %q: %w", line, err)
		}
		switch name {
		case "tipgate_statements_total":
			m.n += v
		case "tipgate_statement_duration_seconds_sum":
			m.sec += v
		}
	}
	if err := sc.Err(); err != nil {
		return stmtMeter{}, err
	}
	return m, nil
}

// ---- the dashboard's answers ----

// answer is what a request of the load returned.
type answer struct {
	// rows are the panel's rows; for filters the categories, the
	// countries and the date range (1 if present).
	rows             []int
	orders           int64   // headline: its orders
	minDate, maxDate string  // filters: the date range ("" if absent)
	serverMS         float64 // the panel's own "ms"; 0 for filters
	cached           bool
	wall             time.Duration // at the client
}

// get runs one request of the load.
func (c *client) get(r request) (answer, error) {
	t := time.Now()
	resp, body, err := c.do(http.MethodGet, r.path, nil, "")
	wall := time.Since(t)
	if err != nil {
		return answer{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return answer{}, fmt.Errorf("GET %s: HTTP %d %s", r.path, resp.StatusCode, truncate(string(body), 300))
	}
	return parseAnswer(r, body, wall)
}

// parseAnswer reads one request's answer (or its part of api/dashboard's).
func parseAnswer(r request, body []byte, wall time.Duration) (answer, error) {
	if r.name == "filters" {
		var out struct {
			Categories []string          `json:"categories"`
			Countries  []json.RawMessage `json:"countries"`
			MinDate    *string           `json:"minDate"`
			MaxDate    *string           `json:"maxDate"`
			NoAccess   bool              `json:"noAccess"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.NoAccess {
			return answer{}, fmt.Errorf("GET %s: %v %s", r.path, err, truncate(string(body), 300))
		}
		a := answer{rows: []int{len(out.Categories), len(out.Countries), 0}, wall: wall}
		if out.MinDate != nil && out.MaxDate != nil {
			a.rows[2], a.minDate, a.maxDate = 1, *out.MinDate, *out.MaxDate
		}
		return a, nil
	}
	var out struct {
		Rows     []json.RawMessage `json:"rows"`
		Cached   bool              `json:"cached"`
		MS       float64           `json:"ms"`
		NoAccess bool              `json:"noAccess"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.NoAccess {
		return answer{}, fmt.Errorf("GET %s: %v %s", r.path, err, truncate(string(body), 300))
	}
	a := answer{rows: []int{len(out.Rows)}, serverMS: out.MS, cached: out.Cached, wall: wall}
	if r.name == "headline" && len(out.Rows) == 1 {
		var h struct {
			Orders int64 `json:"orders"`
		}
		if err := json.Unmarshal(out.Rows[0], &h); err != nil {
			return answer{}, fmt.Errorf("GET %s: %w", r.path, err)
		}
		a.orders = h.Orders
	}
	return a, nil
}

// ---- the baselines: plain DuckDB ----

func openBaseline(ctx context.Context, tmp, src string) (*sql.DB, error) {
	raw, err := sql.Open("duckdb", filepath.Join(tmp, "raw.duckdb"))
	if err != nil {
		return nil, err
	}
	// As many connections as statements in flight: the pre-bundle
	// baseline runs nine.
	raw.SetMaxIdleConns(16)
	t := time.Now()
	// The policy script's column types (Quantity INT, Sales_Price
	// DECIMAL(10,2), Timestamp TIMESTAMP, …), read from the same CSV.
	if _, err := raw.ExecContext(ctx, `CREATE TABLE sales_data AS SELECT * FROM read_csv(?, header = true, auto_detect = false,
		timestampformat = '%Y-%m-%d %H:%M:%S', columns = {
		'sku': 'VARCHAR(50)', 'product_name': 'VARCHAR(255)', 'category': 'VARCHAR(100)', 'quantity': 'INTEGER', 'sales_price': 'DECIMAL(10,2)',
		'timestamp': 'TIMESTAMP', 'city': 'VARCHAR(100)', 'region_code': 'VARCHAR(10)', 'country': 'VARCHAR(10)', 'latitude': 'DECIMAL(10,6)',
		'longitude': 'DECIMAL(10,6)', 'population': 'INTEGER', 'elevation': 'INTEGER', 'timezone': 'VARCHAR(50)'})`, src); err != nil {
		raw.Close()
		return nil, fmt.Errorf("baseline load: %w", err)
	}
	logf("raw DuckDB loaded in %s", since(t))
	return raw, nil
}

// bundleSets is what the raw bundle yielded: its rows per grouping set,
// and the size of every answer as the bench derives it from those sets on
// its own (not with the server's code).
type bundleSets struct {
	rows map[int64]int // rows per grouping set g

	// From the city set (g 3): distinct (city, country), distinct
	// country, distinct region (the time zone up to its first '/'), and
	// the summed orders (the headline's).
	cities, countries, regions int
	orders                     int64
	// From the category set (g 125): its rows.
	categories int
	// From the day set (g 126): distinct months, and the first and last
	// day (the filters' date range; "" when there is no day).
	months            int
	firstDay, lastDay string
}

// want is the row counts a request's answer must have.
func (b bundleSets) want(r request) []int {
	switch r.name {
	case "filters":
		dates := 0
		if b.firstDay != "" {
			dates = 1
		}
		return []int{b.categories, b.countries, dates}
	case "headline":
		return []int{1}
	case "cities":
		return []int{b.cities}
	case "regions":
		return []int{b.regions}
	case "countries":
		return []int{b.countries}
	case "categories":
		return []int{b.categories}
	case "timeseries":
		return []int{b.months}
	}
	panic("bench: no expected row count for request " + r.name)
}

// check compares an answer of tipgate's with the raw bundle.
func (b bundleSets) check(r request, a answer) error {
	if want := b.want(r); !slices.Equal(a.rows, want) {
		return fmt.Errorf("%s: tipgate answered %v rows, the raw bundle's grouping sets %v", r.name, a.rows, want)
	}
	if r.name == "headline" && a.orders != b.orders {
		return fmt.Errorf("headline: tipgate counted %d orders, the raw bundle's city set %d", a.orders, b.orders)
	}
	if r.name == "filters" && (a.minDate != b.firstDay || a.maxDate != b.lastDay) {
		return fmt.Errorf("filters: tipgate's date range is %q to %q, the raw bundle's days %q to %q", a.minDate, a.maxDate, b.firstDay, b.lastDay)
	}
	return nil
}

// rawBundle runs web.BundleSQL once on plain DuckDB, every row read, and
// derives from its grouping sets what every answer must hold.
func rawBundle(ctx context.Context, raw *sql.DB, where string) (bundleSets, error) {
	b := bundleSets{rows: map[int64]int{}}
	rows, err := raw.QueryContext(ctx, web.BundleSQL(where))
	if err != nil {
		return b, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return b, err
	}
	col := map[string]int{}
	for _, name := range []string{"g", "city", "country", "timezone", "day", "orders"} {
		if col[name] = slices.Index(cols, name); col[name] < 0 {
			return b, fmt.Errorf("web.BundleSQL has no %s column (columns %v)", name, cols)
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	cities, countries, regions, months := map[[2]string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return b, err
		}
		g, ok := integer(vals[col["g"]])
		if !ok {
			return b, fmt.Errorf("web.BundleSQL's g is %T", vals[col["g"]])
		}
		b.rows[g]++
		switch g {
		case setCities:
			city, country := text(vals[col["city"]]), text(vals[col["country"]])
			region, _, _ := strings.Cut(text(vals[col["timezone"]]), "/") // split_part(timezone, '/', 1)
			cities[[2]string{city, country}], countries[country], regions[region] = true, true, true
			orders, ok := integer(vals[col["orders"]])
			if !ok {
				return b, fmt.Errorf("web.BundleSQL's orders is %T", vals[col["orders"]])
			}
			b.orders += orders
		case setCategories:
			b.categories++
		case setDays:
			day, err := dayOf(vals[col["day"]])
			if err != nil {
				return b, err
			}
			months[day[:7]] = true
			if b.firstDay == "" || day < b.firstDay {
				b.firstDay = day
			}
			if day > b.lastDay {
				b.lastDay = day
			}
		default:
			return b, fmt.Errorf("web.BundleSQL yielded grouping set %d, which bundle.go does not document (want %v)", g, allSets)
		}
	}
	if err := rows.Err(); err != nil {
		return b, err
	}
	b.cities, b.countries, b.regions, b.months = len(cities), len(countries), len(regions), len(months)
	return b, nil
}

// text is a VARCHAR column's value ("" for NULL).
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// dayOf is a DATE column's value as YYYY-MM-DD, as the server's API
// writes it.
func dayOf(v any) (string, error) {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.DateOnly), nil
	case string:
		if _, err := time.Parse(time.DateOnly, x); err == nil {
			return x, nil
		}
	}
	return "", fmt.Errorf("web.BundleSQL's day is %T %v, not a date", v, v)
}

func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint64:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint8:
		return int64(x), true
	}
	return 0, false
}

// rawNaive runs the pre-bundle design's nine statements at once on plain
// DuckDB, every row read; it returns each request's row counts (as get
// shapes them).
func rawNaive(ctx context.Context, raw *sql.DB, where string) ([][]int, error) {
	type job struct{ req, part int }
	var jobs []job
	var stmts []string
	out := make([][]int, len(fullLoad))
	for i, r := range fullLoad {
		s := preBundleSQL(r.name, where)
		out[i] = make([]int, len(s))
		for k, q := range s {
			jobs = append(jobs, job{i, k})
			stmts = append(stmts, q)
		}
	}
	errs := make([]error, len(stmts))
	var wg sync.WaitGroup
	for j, q := range stmts {
		wg.Go(func() { out[jobs[j].req][jobs[j].part], errs[j] = drain(ctx, raw, q) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func drain(ctx context.Context, raw *sql.DB, q string) (int, error) {
	rows, err := raw.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// ---- the measurements ----

// timed runs f and adds its wall time to *d.
func timed[T any](d *[]time.Duration, f func() (T, error)) (T, error) {
	t := time.Now()
	v, err := f()
	*d = append(*d, time.Since(t))
	return v, err
}

// loadAll issues the seven requests at once, as the page does, and waits
// for all.
func loadAll(c *client) ([]answer, error) {
	out := make([]answer, len(fullLoad))
	errs := make([]error, len(fullLoad))
	var wg sync.WaitGroup
	for i, r := range fullLoad {
		wg.Go(func() { out[i], errs[i] = c.get(r) })
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// dashboardPath is the page's one request for a whole load: every panel
// and the filter choices (api/dashboard).
const dashboardPath = "/app/api/dashboard?grain=" + grain + "&choices=1"

// loadOne is a full load as the page sends it since api/dashboard: one
// request, whose answer holds every request of fullLoad.
func loadOne(c *client) ([]answer, error) {
	t := time.Now()
	resp, body, err := c.do(http.MethodGet, dashboardPath, nil, "")
	wall := time.Since(t)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d %s", dashboardPath, resp.StatusCode, truncate(string(body), 300))
	}
	var out struct {
		Panels  map[string]json.RawMessage `json:"panels"`
		Filters json.RawMessage            `json:"filters"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("GET %s: %w", dashboardPath, err)
	}
	ans := make([]answer, len(fullLoad))
	for i, r := range fullLoad {
		part := out.Panels[r.name]
		if r.name == "filters" {
			part = out.Filters
		}
		if part == nil {
			return nil, fmt.Errorf("GET %s: no %s in the answer", dashboardPath, r.name)
		}
		if ans[i], err = parseAnswer(r, part, wall); err != nil {
			return nil, err
		}
	}
	return ans, nil
}

// checkLoad checks every answer of a load against the raw bundle.
func (s *personStats) checkLoad(ans []answer) error {
	for i, r := range fullLoad {
		if err := s.sets.check(r, ans[i]); err != nil {
			return err
		}
	}
	return nil
}

// measureCold times full loads with the cache off, tipgate and the two
// baselines taking turns at going first.
func measureCold(ctx context.Context, srv *tipgate, raw *sql.DB, p person, reps int, s *personStats) error {
	c, err := signIn(srv.base, p.email)
	if err != nil {
		return err
	}
	logf("%s signed in; warming up and checking tipgate's answers against the raw bundle", p.email)
	// One untimed round of each side: warms them, and checks that tipgate
	// and the pre-bundle statements answer what the raw bundle yields.
	if s.sets, err = rawBundle(ctx, raw, p.where); err != nil {
		return fmt.Errorf("raw bundle: %w", err)
	}
	if s.answers, err = loadAll(c); err != nil {
		return err
	}
	if err := s.checkLoad(s.answers); err != nil {
		return err
	}
	one, err := loadOne(c)
	if err != nil {
		return err
	}
	if err := s.checkLoad(one); err != nil {
		return fmt.Errorf("api/dashboard: %w", err)
	}
	naive, err := rawNaive(ctx, raw, p.where)
	if err != nil {
		return fmt.Errorf("pre-bundle statements: %w", err)
	}
	for i, r := range fullLoad {
		if want := s.sets.want(r); !slices.Equal(naive[i], want) {
			return fmt.Errorf("%s: the pre-bundle statements yield %v rows, the raw bundle %v", r.name, naive[i], want)
		}
	}
	for rep := range reps {
		sides := []func() error{
			func() error {
				before, err := srv.statements()
				if err != nil {
					return err
				}
				ans, err := timed(&s.loadTG, func() ([]answer, error) { return loadAll(c) })
				if err != nil {
					return err
				}
				after, err := srv.statements()
				if err != nil {
					return err
				}
				s.loadStmts = append(s.loadStmts, after.n-before.n)
				s.loadStmtTime = append(s.loadStmtTime, time.Duration((after.sec-before.sec)*float64(time.Second)))
				for i, a := range ans {
					if a.cached {
						return fmt.Errorf("%s was answered from the cache, which is off", fullLoad[i].name)
					}
					s.coldReq[i].wall = append(s.coldReq[i].wall, a.wall)
					s.coldReq[i].server = append(s.coldReq[i].server, time.Duration(a.serverMS*float64(time.Millisecond)))
				}
				return s.checkLoad(ans)
			},
			func() error {
				before, err := srv.statements()
				if err != nil {
					return err
				}
				ans, err := timed(&s.loadOne, func() ([]answer, error) { return loadOne(c) })
				if err != nil {
					return err
				}
				after, err := srv.statements()
				if err != nil {
					return err
				}
				s.loadOneStmts = append(s.loadOneStmts, after.n-before.n)
				return s.checkLoad(ans)
			},
			func() error {
				_, err := timed(&s.rawBundle, func() (bundleSets, error) { return rawBundle(ctx, raw, p.where) })
				return err
			},
			func() error {
				_, err := timed(&s.rawNaive, func() ([][]int, error) { return rawNaive(ctx, raw, p.where) })
				return err
			},
		}
		for k := range sides {
			if err := sides[(k+rep)%len(sides)](); err != nil {
				return fmt.Errorf("full load: %w", err)
			}
		}
		logf("%s: rep %d/%d, full load tipgate %.1f ms (%.0f statement(s), %.1f ms), one request %.1f ms (%.0f statement(s)), raw bundle %.1f ms, raw pre-bundle %.1f ms",
			p.email, rep+1, reps, benchutil.MS(s.loadTG[rep]), s.loadStmts[rep], benchutil.MS(s.loadStmtTime[rep]), benchutil.MS(s.loadOne[rep]), s.loadOneStmts[rep], benchutil.MS(s.rawBundle[rep]), benchutil.MS(s.rawNaive[rep]))
	}
	return nil
}

// measureWarm times a reload within the cache's minute: one load fills
// the cache, then every request alone and whole loads are answered from
// it, without a statement.
func measureWarm(ctx context.Context, srv *tipgate, p person, reps int, s *personStats) error {
	c, err := signIn(srv.base, p.email)
	if err != nil {
		return err
	}
	ans, err := loadAll(c)
	if err != nil {
		return err
	}
	if err := s.checkLoad(ans); err != nil {
		return err
	}
	before, err := srv.statements()
	if err != nil {
		return err
	}
	for range reps {
		for i, r := range fullLoad {
			a, err := c.get(r)
			if err != nil {
				return err
			}
			if r.name != "filters" && !a.cached {
				return fmt.Errorf("%s was not answered from the cache within its minute", r.name)
			}
			if err := s.sets.check(r, a); err != nil {
				return err
			}
			s.warmReq[i].wall = append(s.warmReq[i].wall, a.wall)
			s.warmReq[i].server = append(s.warmReq[i].server, time.Duration(a.serverMS*float64(time.Millisecond)))
		}
		ans, err := timed(&s.warmLoad, func() ([]answer, error) { return loadAll(c) })
		if err != nil {
			return err
		}
		for i, a := range ans {
			if fullLoad[i].name != "filters" && !a.cached {
				return fmt.Errorf("%s was not answered from the cache within its minute", fullLoad[i].name)
			}
		}
		if err := s.checkLoad(ans); err != nil {
			return err
		}
	}
	after, err := srv.statements()
	if err != nil {
		return err
	}
	s.warmStmts = after.n - before.n
	logf("%s: warm full load %.1f ms (median of %d), %.0f statement(s) run", p.email, benchutil.MS(benchutil.Median(s.warmLoad)), reps, s.warmStmts)
	return ctx.Err()
}

// ---- the browser ----

type browserTool struct {
	node, script, modules, chromium string
}

type browserResult struct {
	OK       bool      `json:"ok"`
	Error    string    `json:"error"`
	Version  string    `json:"version"`
	Times    []float64 `json:"times"`   // ms, goto to ready, each page load
	InPage   []float64 `json:"inPage"`  // ms, navigation start to ready in the page's clock (0: not seen)
	APIDone  []float64 `json:"apiDone"` // ms, navigation start to the last filter/panel answer's last byte
	SignInMS float64   `json:"signInMs"`
}

// findBrowser finds node, playwright-core (tests/browser/node_modules)
// and Chromium.
func findBrowser(chromium string) (*browserTool, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH")
	}
	chrome, err := exec.LookPath(chromium)
	if err != nil {
		return nil, fmt.Errorf("the Chromium executable %q was not found; set --chromium or run scripts/browser-deps.sh", chromium)
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	modules := filepath.Join(root, "tests", "browser", "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "playwright-core", "package.json")); err != nil {
		return nil, fmt.Errorf("playwright-core is not installed in %s (run scripts/browser-deps.sh)", modules)
	}
	script := filepath.Join(root, "bench", "dashboard", "page.mjs")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("%s is missing", script)
	}
	return &browserTool{node: node, script: script, modules: modules, chromium: chrome}, nil
}

// repoRoot is the module's directory (the one with go.mod), found from
// the working directory up.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the tipgate module (no go.mod above the working directory)")
		}
		dir = parent
	}
}

// run signs in as email in headless Chromium and times reps page loads
// of /app/ to the dashboard's "ready".
func (b *browserTool) run(ctx context.Context, base, email string, reps int) (*browserResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.node, b.script)
	cmd.Env = append(os.Environ(), "TIPGATE_URL="+base, "TIPGATE_USER="+email, "TIPGATE_PASSWORD="+password,
		"CHROMIUM="+b.chromium, "PLAYWRIGHT_MODULES="+b.modules, "REPS="+strconv.Itoa(reps))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var res *browserResult
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "{") {
			var r browserResult
			if json.Unmarshal([]byte(line), &r) == nil {
				res = &r
			}
		}
	}
	switch {
	case res != nil && res.OK && len(res.Times) > 0:
		return res, nil
	case res != nil && res.Error != "":
		return nil, errors.New(oneLine(res.Error))
	case runErr != nil:
		return nil, fmt.Errorf("page.mjs: %v: %s", runErr, oneLine(truncate(stderr.String(), 400)))
	}
	return nil, errors.New("page.mjs printed no result")
}

// ---- the report ----

func render(f flags, stats map[string]*personStats, loadStart, loadEnd string, br *browserTool, browserNote string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Dashboard load (bench/dashboard), %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	cmd := fmt.Sprintf("go run ./bench/dashboard --rows %d --reps %d", f.rows, f.reps)
	if !f.browser {
		cmd += " --browser=false"
	}
	if f.chromium != "chromium" {
		cmd += " --chromium " + f.chromium
	}
	if f.results != "" {
		cmd += " --results " + f.results
	}
	fmt.Fprintf(&b, "Command: `%s`. Machine: %d CPUs, %s, %s/%s, load average %s at the start and %s at the end; "+
		"the server, its DuckDB, the baseline DuckDB and the HTTP client share this process and these cores.\n\n",
		cmd, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, loadStart, loadEnd)
	fmt.Fprintf(&b, "%d rows of generated sales data (seed 1) loaded by the reference policy script. Each person signs in through "+
		"the dashboard's authorization-code flow and the embedded IdP's login page; since issue 14 the page loads the whole dashboard "+
		"with one request, `api/dashboard?grain=month&choices=1` (every panel and the filter choices in one answer, one statement); "+
		"the panels' own endpoints stay for the API, and a full load through them is their seven API requests "+
		"sent at once, as the page sent them before: `filters` and the panels `headline`, `cities`, `regions`, `countries`, `categories`, "+
		"`timeseries?grain=month`, no dashboard filter set. tipgate answers all seven from one statement, `web.BundleSQL(where)` "+
		"(one scan aggregated by GROUPING SETS per city, per category and per day; the server derives countries, regions, the headline, "+
		"the filter choices and months from those in Go), which the load's concurrent requests share (singleflight) and, with the cache on, "+
		"later loads reuse. Cache off (`cache_ttl = \"0s\"`): every load runs its bundle. tipgate times are wall times at the client "+
		"over loopback (session check, the statement through the Data API with the person's policies, result file, JSON); "+
		"\"latency in the load\" is each request's own within the seven at once, \"server ms\" the panel's own `ms` field; "+
		"statements per load and their time are the server's `/metrics` (`tipgate_statements_total`, "+
		"`tipgate_statement_duration_seconds`: policy rewrite, DuckDB, result file). Baselines on plain DuckDB (same CSV, "+
		"`read_csv` with the script's column types, every row read, ming's row policy written by hand as `WHERE %s`): "+
		"**raw bundle** is `web.BundleSQL` run once, the same work as tipgate's; **pre-bundle** is the earlier design's nine "+
		"statements (one per panel, three for the filter choices) run at once, kept to show what the bundle saves. Every tipgate "+
		"answer was checked against counts the bench derives on its own from the raw bundle's grouping sets (`g` 3 = per city with "+
		"its position and time zone, 125 = per category, 126 = per day; any other `g` fails the run): cities = distinct (city, country) "+
		"of set 3, countries = distinct country of set 3, regions = distinct `split_part(timezone, '/', 1)` of set 3, categories = "+
		"the rows of set 125, months = distinct months of set 126's days, headline = one row whose orders are set 3's summed, "+
		"filters = categories + countries + set 126's first and last day (the dates compared too); and so were the pre-bundle "+
		"statements' row counts. Medians (and min) of %d loads, the three sides taking turns at going first.\n\n",
		f.rows, asia, f.reps)

	for _, p := range people {
		s := stats[p.email]
		fmt.Fprintf(&b, "### %s (group %s): %s\n\n", p.email, p.groups, p.sees)
		fmt.Fprintln(&b, "Server time per panel: each request's own latency inside the cold loads (seven at once), and alone with the cache warm.")
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "| request | rows | from grouping set `g` | latency in the cold load (ms) | min (ms) | server ms | warm, alone (ms) |")
		fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|")
		for i, r := range fullLoad {
			cold, warm := s.coldReq[i], s.warmReq[i]
			rows, sets, server := "", fmt.Sprint(r.set), "—"
			if r.set < 0 {
				a := s.answers[i].rows
				rows = fmt.Sprintf("%d + %d + %d", a[0], a[1], a[2])
				sets = fmt.Sprintf("%d, %d, %d", setCategories, setCities, setDays)
			} else {
				rows = strconv.Itoa(s.answers[i].rows[0])
				server = fmt.Sprintf("%.1f", benchutil.MS(benchutil.Median(cold.server)))
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %.1f | %.1f | %s | %.1f |\n", strings.TrimPrefix(r.path, "/app/api/"), rows, sets,
				benchutil.MS(benchutil.Median(cold.wall)), benchutil.MS(slices.Min(cold.wall)), server, benchutil.MS(benchutil.Median(warm.wall)))
		}
		fmt.Fprintln(&b)
		lt, lb := benchutil.Median(s.loadTG), benchutil.Median(s.rawBundle)
		fmt.Fprintln(&b, "| full load | median (ms) | min (ms) | ratio to raw bundle |")
		fmt.Fprintln(&b, "|---|---:|---:|---:|")
		fmt.Fprintf(&b, "| **tipgate, cache off, seven requests at once** | **%.1f** | %.1f | **%.2f** |\n", benchutil.MS(lt), benchutil.MS(slices.Min(s.loadTG)), ratio(lt, lb))
		lo := benchutil.Median(s.loadOne)
		fmt.Fprintf(&b, "| **tipgate, cache off, one request (`api/dashboard`, the page's load; %s statement(s) per load)** | **%.1f** | %.1f | **%.2f** |\n",
			stmtCount(s.loadOneStmts), benchutil.MS(lo), benchutil.MS(slices.Min(s.loadOne)), ratio(lo, lb))
		fmt.Fprintf(&b, "| of which tipgate's statement(s), server metric (%s per load) | %.1f | %.1f | %.2f |\n",
			stmtCount(s.loadStmts), benchutil.MS(benchutil.Median(s.loadStmtTime)), benchutil.MS(slices.Min(s.loadStmtTime)), ratio(benchutil.Median(s.loadStmtTime), lb))
		fmt.Fprintf(&b, "| raw DuckDB, `web.BundleSQL` once (the same work) | %.1f | %.1f | 1.00 |\n", benchutil.MS(lb), benchutil.MS(slices.Min(s.rawBundle)))
		fmt.Fprintf(&b, "| raw DuckDB, pre-bundle design: nine statements at once | %.1f | %.1f | %.2f |\n",
			benchutil.MS(benchutil.Median(s.rawNaive)), benchutil.MS(slices.Min(s.rawNaive)), ratio(benchutil.Median(s.rawNaive), lb))
		fmt.Fprintf(&b, "| tipgate, warm cache, seven requests at once (%s statements) | %.1f | %.1f | %.2f |\n\n",
			strconv.FormatFloat(s.warmStmts, 'f', 0, 64), benchutil.MS(benchutil.Median(s.warmLoad)), benchutil.MS(slices.Min(s.warmLoad)), ratio(benchutil.Median(s.warmLoad), lb))
	}

	fmt.Fprintln(&b, "### Full load against the target, warm cache and the browser")
	fmt.Fprintln(&b)
	fmt.Fprintf(&b, "Warm: a second server on the same warehouse with the default cache (`cache_ttl = \"1m\"`); one load fills the "+
		"person's bundle (policy context, no filter), then %d rounds of each request alone and %d loads are answered from it "+
		"(panels marked `cached`; the filter choices come from the same cached bundle; the server's metrics count the statements they ran). ", f.reps, f.reps)
	e := stats[people[0].email]
	ranBrowser := br != nil && e.browserCold != nil && e.browserWarm != nil
	if ranBrowser {
		fmt.Fprintf(&b, "Browser: headless Chromium (`bench/dashboard/page.mjs`, playwright-core from `tests/browser`), signed in through the "+
			"real login page as ethan, then time from `page.goto(/app/)` to `document.body.dataset.dashboard === \"ready\"` (every panel "+
			"rendered), median of %d page loads from about:blank after one untimed load (the page's own assets revalidate by ETag); "+
			"\"in the page\" is when the last filter/panel answer arrived and when the page set ready, in ms after the navigation started "+
			"(Resource Timing and a MutationObserver); statements per page load are the server's, over the %d loads.", f.reps, f.reps+1)
	}
	fmt.Fprint(&b, "\n\n")
	fmt.Fprintln(&b, "| | ethan (every row) | ming (Asia) |")
	fmt.Fprintln(&b, "|---|---:|---:|")
	row := func(label string, v func(*personStats) string) {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", label, v(stats[people[0].email]), v(stats[people[1].email]))
	}
	row(fmt.Sprintf("full load, cache off, tipgate (target ≤ %d ms)", targetMS), func(s *personStats) string {
		m := benchutil.Median(s.loadTG)
		verdict := "met"
		if benchutil.MS(m) > targetMS {
			verdict = "missed"
		}
		return fmt.Sprintf("%.1f ms (%s)", benchutil.MS(m), verdict)
	})
	row("full load, cache off, tipgate, one request (`api/dashboard`)", func(s *personStats) string {
		return fmt.Sprintf("%.1f ms; %s statement(s) per load", benchutil.MS(benchutil.Median(s.loadOne)), stmtCount(s.loadOneStmts))
	})
	row("statements per cold load, tipgate; their time", func(s *personStats) string {
		return fmt.Sprintf("%s; %.1f ms", stmtCount(s.loadStmts), benchutil.MS(benchutil.Median(s.loadStmtTime)))
	})
	row("full load, raw DuckDB, `web.BundleSQL` once", func(s *personStats) string {
		return fmt.Sprintf("%.1f ms", benchutil.MS(benchutil.Median(s.rawBundle)))
	})
	row("full load, raw DuckDB, pre-bundle nine statements", func(s *personStats) string { return fmt.Sprintf("%.1f ms", benchutil.MS(benchutil.Median(s.rawNaive))) })
	row("full load, warm cache, tipgate", func(s *personStats) string {
		return fmt.Sprintf("%.1f ms (min %.1f)", benchutil.MS(benchutil.Median(s.warmLoad)), benchutil.MS(slices.Min(s.warmLoad)))
	})
	row("slowest request, warm cache, one at a time", func(s *personStats) string {
		var worst time.Duration
		name := ""
		for i, st := range s.warmReq {
			if m := benchutil.Median(st.wall); m > worst {
				worst, name = m, fullLoad[i].name
			}
		}
		return fmt.Sprintf("%.1f ms (`%s`)", benchutil.MS(worst), name)
	})
	browser := func(r *browserResult, stmts float64) string {
		if r == nil {
			return "—"
		}
		out := fmt.Sprintf("%.0f ms (min %.0f)", medianF(r.Times), slices.Min(r.Times))
		in, api := positive(r.InPage), positive(r.APIDone)
		if len(in) > 0 && len(api) > 0 {
			out += fmt.Sprintf("; in the page: answers in at %.0f, ready at %.0f", medianF(api), medianF(in))
		}
		return out + fmt.Sprintf("; %.2g statements per page load", stmts)
	}
	row("browser to ready, cache off", func(s *personStats) string { return browser(s.browserCold, s.browserColdStmts) })
	row("browser to ready, warm cache", func(s *personStats) string { return browser(s.browserWarm, s.browserWarmStmts) })
	row("browser to ready, cache off ÷ the server's full load (one request); target ≤ 1.3", func(s *personStats) string {
		if s.browserCold == nil || len(s.loadOneAtBrowser) == 0 {
			return "—"
		}
		m := benchutil.Median(s.loadOneAtBrowser)
		r := medianF(s.browserCold.Times) / benchutil.MS(m)
		verdict := "met"
		if r > 1.3 {
			verdict = "missed"
		}
		return fmt.Sprintf("%.2f (%s): %.0f ms ÷ %.1f ms, the one request timed %d times around the page loads", r, verdict, medianF(s.browserCold.Times), benchutil.MS(m), len(s.loadOneAtBrowser))
	})
	fmt.Fprintln(&b)
	switch {
	case !ranBrowser:
		fmt.Fprintf(&b, "Browser: %s\n", browserNote)
	default:
		fmt.Fprintf(&b, "Browser: %s; page loads cache off %s ms, warm %s ms.\n", e.browserCold.Version, joinMS(e.browserCold.Times), joinMS(e.browserWarm.Times))
	}
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "### What limits these numbers")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, limits(stats, loadStart, loadEnd, ranBrowser))
	return b.String()
}

// limits is the "what limits these numbers" paragraph, from the results:
// medians of each cold load's split between tipgate's statement (its
// /metrics) and the rest of the load, beside the raw-DuckDB baselines.
func limits(stats map[string]*personStats, loadStart, loadEnd string, ranBrowser bool) string {
	var parts []string
	for _, p := range people {
		s := stats[p.email]
		name, _, _ := strings.Cut(p.email, "@")
		var shares []float64
		var rests []time.Duration
		for i, lt := range s.loadTG {
			shares = append(shares, pct(s.loadStmtTime[i], lt))
			rests = append(rests, max(lt-s.loadStmtTime[i], 0))
		}
		lt, st, rb, rn := benchutil.Median(s.loadTG), benchutil.Median(s.loadStmtTime), benchutil.Median(s.rawBundle), benchutil.Median(s.rawNaive)
		overhead := fmt.Sprintf("so tipgate's policy rewrite and result file make it %.2f× raw", ratio(st, rb))
		if ratio(st, rb) < 1.03 {
			overhead = fmt.Sprintf("so tipgate's policy rewrite and result file are within the noise, %.2f× raw", ratio(st, rb))
		}
		saves := fmt.Sprintf("the bundle spares %.0f%% of the pre-bundle design's %.0f ms on raw DuckDB", 100-pct(rb, rn), benchutil.MS(rn))
		if rb >= rn {
			saves = fmt.Sprintf("the bundle is %.0f%% slower than the pre-bundle design's %.0f ms on raw DuckDB", pct(rb, rn)-100, benchutil.MS(rn))
		}
		parts = append(parts, fmt.Sprintf("%s: the statement is %.0f%% of the cold load (%.0f of %.0f ms; raw DuckDB runs it in %.0f ms, %.0f%% of the load, "+
			"%s), and %.0f ms is the seven requests around it (HTTP, session, Data API, reading the result back, JSON); %s.",
			name, medianF(shares), benchutil.MS(st), benchutil.MS(lt), benchutil.MS(rb), pct(rb, lt), overhead, benchutil.MS(benchutil.Median(rests)), saves))
	}
	e := stats[people[0].email]
	m := stats[people[1].email]
	parts = append(parts, fmt.Sprintf("Warm, the timed loads ran %s and %s statements: the %.1f and %.1f ms loads are HTTP and JSON.",
		strconv.FormatFloat(e.warmStmts, 'f', 0, 64), strconv.FormatFloat(m.warmStmts, 'f', 0, 64), benchutil.MS(benchutil.Median(e.warmLoad)), benchutil.MS(benchutil.Median(m.warmLoad))))
	if ranBrowser {
		c := e.browserCold
		text := fmt.Sprintf("In Chromium (ethan, cache off) the page is ready at %.0f ms against %.0f ms for the load over HTTP", medianF(c.Times), benchutil.MS(benchutil.Median(e.loadTG)))
		if in, api := positive(c.InPage), positive(c.APIDone); len(in) > 0 && len(api) > 0 {
			text += fmt.Sprintf(" (last answer in at %.0f ms, rendering %.0f ms more)", medianF(api), medianF(in)-medianF(api))
		}
		text += fmt.Sprintf(", with %.2g statements per page load", e.browserColdStmts)
		if e.browserColdStmts > 1.05 {
			text += " (more than one, as expected from Chromium's six connections per host over HTTP/1.1: the seventh request starts " +
				"only when a first answer is in, after the shared statement finished, and with the cache off runs it again; the default cache " +
				"would answer it)"
		}
		parts = append(parts, text+".")
	}
	var target []string
	for _, p := range people {
		s := stats[p.email]
		name, _, _ := strings.Cut(p.email, "@")
		lt, rb := benchutil.MS(benchutil.Median(s.loadTG)), benchutil.MS(benchutil.Median(s.rawBundle))
		switch {
		case lt <= targetMS:
			target = append(target, fmt.Sprintf("%s's cold load meets it (%.0f ms, %.0f ms to spare)", name, lt, targetMS-lt))
		case rb > targetMS:
			target = append(target, fmt.Sprintf("%s's (%.0f ms) is out of reach while the scan alone takes %.0f ms on raw DuckDB here", name, lt, rb))
		default:
			target = append(target, fmt.Sprintf("%s's misses it (%.0f ms) although raw DuckDB runs the bundle in %.0f ms: tipgate's %.0f ms on top make the difference",
				name, lt, rb, lt-rb))
		}
	}
	parts = append(parts, fmt.Sprintf("Against the %d ms target for a full cold load: %s.", targetMS, strings.Join(target, "; ")))
	parts = append(parts, fmt.Sprintf("The scan is CPU-bound and all sides share %d CPUs with whatever else runs (load average %s at the start, %s at the end): "+
		"absolute times move with that load, the ratios (sides alternating) less.", runtime.NumCPU(), loadStart, loadEnd))
	return strings.Join(parts, " ")
}

// stmtCount is the statements per load: one number when every load ran
// the same, else the range.
func stmtCount(v []float64) string {
	if len(v) == 0 {
		return "—"
	}
	lo, hi := slices.Min(v), slices.Max(v)
	if lo == hi {
		return strconv.FormatFloat(lo, 'f', 0, 64)
	}
	return strconv.FormatFloat(lo, 'f', 0, 64) + "–" + strconv.FormatFloat(hi, 'f', 0, 64)
}

func pct(a, b time.Duration) float64 { return 100 * ratio(a, b) }

// ---- helpers ----

func medianF(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func positive(v []float64) []float64 {
	return slices.DeleteFunc(slices.Clone(v), func(x float64) bool { return x <= 0 })
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func joinMS(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(s, ", ")
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Millisecond) }

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// oneLine makes a message (Playwright's carry terminal colours and a call
// log) fit one line of the report.
func oneLine(s string) string {
	return truncate(strings.Join(strings.Fields(ansiEscape.ReplaceAllString(s, "")), " "), 400)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// loadAvg is the 1-minute load average, or "unknown".
