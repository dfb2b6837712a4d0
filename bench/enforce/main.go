package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
)

// query is one dashboard panel; {{and}} / {{where}} mark where the baseline
// adds the policy predicate by hand.
type query struct {
	name string
	sql  string
}

const policy = "timezone LIKE 'Asia%'"

var mix = []query{
	{"totals by city", `SELECT city, sum(quantity * sales_price) AS revenue, sum(quantity) AS units, count(*) AS orders
		FROM sales_data {{where}} GROUP BY city ORDER BY revenue DESC`},
	{"by region", `SELECT country, sum(quantity * sales_price) AS revenue FROM sales_data {{where}} GROUP BY country ORDER BY revenue DESC`},
	{"by category", `SELECT category, sum(quantity * sales_price) AS revenue, avg(sales_price) AS avg_price FROM sales_data {{where}} GROUP BY category ORDER BY revenue DESC`},
	{"by month", `SELECT date_trunc('month', timestamp) AS month, sum(quantity * sales_price) AS revenue FROM sales_data {{where}} GROUP BY 1 ORDER BY 1`},
	{"top-N products", `SELECT product_name, sum(quantity * sales_price) AS revenue FROM sales_data {{where}} GROUP BY product_name ORDER BY revenue DESC LIMIT 10`},
	{"drill-down", `SELECT date_trunc('week', timestamp) AS week, category, sum(quantity) AS units
		FROM sales_data WHERE city = 'Tokyo' AND category IN ('Running', 'Cycling') {{and}} GROUP BY 1, 2 ORDER BY 1, 2`},
	{"headline", `SELECT sum(quantity * sales_price) AS revenue, sum(quantity) AS units, count(*) AS orders, avg(quantity * sales_price) AS aov FROM sales_data {{where}}`},
}

func (q query) enforced() string {
	return strings.NewReplacer("{{where}}", "", "{{and}}", "").Replace(q.sql)
}

func (q query) baseline() string {
	return strings.NewReplacer("{{where}}", "WHERE "+policy, "{{and}}", "AND "+policy).Replace(q.sql)
}

func main() {
	rows := flag.Int64("rows", 10_000_000, "rows of generated sales data")
	reps := flag.Int("reps", 5, "repetitions of each query on each side")
	results := flag.String("results", "", "append a report to this Markdown file")
	micro := flag.Int("micro", 0, "iterations of the per-statement overhead measurement (default 3000, 30 on trino: a Trino statement takes tens of ms)")
	kind := flag.String("engine", "duckdb", "engine: duckdb (embedded), postgres or trino (both need --dsn; the baseline is the same database or cluster)")
	dsn := flag.String("dsn", "", "the postgres engine's database (an empty one: the bench creates its tables there) or the trino engine's DSN (scripts/trino/with-cluster.sh gives one)")
	flag.Parse()
	if (*kind == "postgres" || *kind == "trino") != (*dsn != "") {
		fmt.Fprintln(os.Stderr, "bench: --dsn goes with --engine postgres or trino, and they need --dsn")
		os.Exit(2)
	}
	if *micro == 0 {
		*micro = 3000
		if *kind == "trino" {
			*micro = 30
		}
	}
	if err := run(context.Background(), engines.Config{Kind: *kind, DSN: *dsn}, *rows, *reps, *micro, *results); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, wh engines.Config, rows int64, reps, micro int, results string) error {
	tmp, err := os.MkdirTemp("", "tipgate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	s3 := filepath.Join(tmp, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		return err
	}
	// On Trino the policy script's COPY (batched INSERTs through the
	// coordinator) loads a base of the generated rows, and Trino repeats it
	// to the full count (amplify): the same rows and distribution, without
	// 10M rows through INSERT … VALUES.
	genRows, copies := rows, int64(1)
	if wh.Kind == "trino" {
		if genRows, copies, err = trinoBase(rows); err != nil {
			return err
		}
	}
	start := time.Now()
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: genRows, Seed: 1}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "generated %d rows in %s\n", genRows, time.Since(start).Round(time.Millisecond))

	eng, err := engines.Open(ctx, engines.Config{Kind: wh.Kind, DSN: wh.DSN, DataDir: filepath.Join(tmp, "tipgate"), S3Root: s3})
	if err != nil {
		return err
	}
	defer eng.Close()
	start = time.Now()
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), demo.PolicyScript); err != nil {
		return fmt.Errorf("policy script: %w", err)
	}
	fmt.Fprintf(os.Stderr, "tipgate loaded in %s\n", time.Since(start).Round(time.Millisecond))

	rawName := "raw DuckDB"
	switch wh.Kind {
	case "postgres":
		rawName = "plain PostgreSQL"
	case "trino":
		rawName = "Trino directly"
	}
	start = time.Now()
	raw, err := openBaseline(ctx, wh, filepath.Join(tmp, "raw.duckdb"), src)
	if err != nil {
		return err
	}
	defer raw.Close()
	if copies > 1 {
		if err := amplify(ctx, raw, rows, copies); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "%s loaded in %s\n", rawName, time.Since(start).Round(time.Millisecond))

	ming, err := identity.Simulated("ming@example.com", identity.DefaultNamespace, []string{"apac-sales"})
	if err != nil {
		return err
	}
	// Warm both sides once and check they agree. On Trino, ming's first
	// statement is the first of a new principal: timed on its own.
	var firstOfPrincipal time.Duration
	for i, q := range mix {
		began := time.Now()
		a, err := drainEngine(ctx, eng, ming, q.enforced())
		if err != nil {
			return fmt.Errorf("%s (tipgate): %w", q.name, err)
		}
		if i == 0 {
			firstOfPrincipal = time.Since(began)
		}
		b, err := drainRaw(ctx, raw, q.baseline())
		if err != nil {
			return fmt.Errorf("%s (raw): %w", q.name, err)
		}
		if a != b {
			return fmt.Errorf("%s: tipgate returned %d rows, %s %d", q.name, a, rawName, b)
		}
	}
	var fresh *freshness
	if wh.Kind == "trino" {
		if fresh, err = measureFreshness(ctx, eng, firstOfPrincipal); err != nil {
			return err
		}
	}
	return measure(ctx, wh, eng, raw, ming, rawName, rows, reps, micro, results, fresh)
}

// openBaseline opens the side that runs the query with the predicate
// written by hand: a plain DuckDB loaded from the CSV, or, for the
// postgres engine, a plain copy of the table in the same database (schema
// bench_raw, no row security), read as the connecting role.
func openBaseline(ctx context.Context, wh engines.Config, duckPath, src string) (*sql.DB, error) {
	if wh.Kind == "trino" {
		return openTrinoBaseline(wh.DSN)
	}
	if wh.Kind == "postgres" {
		cfg, err := pgx.ParseConfig(wh.DSN)
		if err != nil {
			return nil, fmt.Errorf("--dsn does not parse")
		}
		cfg.RuntimeParams["search_path"] = "bench_raw"
		db := stdlib.OpenDB(*cfg)
		db.SetMaxOpenConns(1)
		for _, s := range []string{"DROP SCHEMA IF EXISTS bench_raw CASCADE", "CREATE SCHEMA bench_raw",
			"CREATE TABLE bench_raw.sales_data AS SELECT * FROM tipgate_data.sales_data", "ANALYZE bench_raw.sales_data"} {
			if _, err := db.ExecContext(ctx, s); err != nil {
				db.Close()
				return nil, fmt.Errorf("baseline (%s): %w", s, err)
			}
		}
		return db, nil
	}
	raw, err := sql.Open("duckdb", duckPath)
	if err != nil {
		return nil, err
	}
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE sales_data AS SELECT * FROM read_csv(?, header = true, auto_detect = false, columns = {
		'sku': 'VARCHAR', 'product_name': 'VARCHAR', 'category': 'VARCHAR', 'quantity': 'INTEGER', 'sales_price': 'DECIMAL(10,2)',
		'timestamp': 'TIMESTAMP', 'city': 'VARCHAR', 'region_code': 'VARCHAR', 'country': 'VARCHAR', 'latitude': 'DECIMAL(10,6)',
		'longitude': 'DECIMAL(10,6)', 'population': 'INTEGER', 'elevation': 'INTEGER', 'timezone': 'VARCHAR'})`, src); err != nil {
		raw.Close()
		return nil, err
	}
	return raw, nil
}

func measure(ctx context.Context, wh engines.Config, eng engine.Engine, raw *sql.DB, ming identity.Principal, rawName string, rows int64, reps, micro int, results string, fresh *freshness) error {
	type result struct {
		name     string
		tg, base []time.Duration
		// tgCPU and baseCPU are the process's CPU time (user + system)
		// per run: unlike wall time, barely moved by other work on a
		// shared machine.
		tgCPU, baseCPU []time.Duration
	}
	startLoad := benchutil.LoadAvg()
	var res []result
	for _, q := range mix {
		r := result{name: q.name}
		for i := 0; i < reps; i++ {
			// Alternate which side goes first so neither always gets a warmer cache.
			sides := []func() error{
				func() error {
					return timeCPU(&r.tg, &r.tgCPU, func() error { _, err := drainEngine(ctx, eng, ming, q.enforced()); return err })
				},
				func() error {
					return timeCPU(&r.base, &r.baseCPU, func() error { _, err := drainRaw(ctx, raw, q.baseline()); return err })
				},
			}
			if i%2 == 1 {
				slices.Reverse(sides)
			}
			for _, s := range sides {
				if err := s(); err != nil {
					return err
				}
			}
		}
		res = append(res, r)
	}
	// Enforcement's own cost per statement: a statement that does no work,
	// through tipgate and directly.
	var tgMicro, rawMicro, tgCold, rawCold []time.Duration
	for i := 0; i < micro; i++ {
		// A statement text never seen before misses the admission cache.
		cold := fmt.Sprintf("SELECT %d AS x", i)
		if err := timeIt(&tgCold, func() error { _, err := drainEngine(ctx, eng, ming, cold); return err }); err != nil {
			return err
		}
		if err := timeIt(&rawCold, func() error { _, err := drainRaw(ctx, raw, cold); return err }); err != nil {
			return err
		}
		if err := timeIt(&tgMicro, func() error { _, err := drainEngine(ctx, eng, ming, "SELECT 1 AS x"); return err }); err != nil {
			return err
		}
		if err := timeIt(&rawMicro, func() error { _, err := drainRaw(ctx, raw, "SELECT 1 AS x"); return err }); err != nil {
			return err
		}
	}
	var b strings.Builder
	title := "Enforcement overhead"
	switch wh.Kind {
	case "postgres":
		title += " on the PostgreSQL engine"
	case "trino":
		title += " on the Trino engine"
	}
	fmt.Fprintf(&b, "\n## %s, %s\n\n", title, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	engineFlag := ""
	switch wh.Kind {
	case "postgres":
		engineFlag = " --engine postgres --dsn $DSN"
	case "trino":
		engineFlag = fmt.Sprintf(" --micro %d --engine trino --dsn $TIPGATE_TRINO_DSN", micro)
	}
	fmt.Fprintf(&b, "Command: `go run ./bench/enforce --rows %d --reps %d%s` (`make bench`). Machine: %d CPUs, %s, %s/%s.\n", rows, reps, engineFlag, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&b, "Principal `AWSIDC:ming@example.com` (apac-sales, RLS `%s`) through tipgate vs the same query with the predicate written by hand on %s; medians of %d alternating runs, all rows fetched. Load average %s at the start, %s at the end. CPU is the process's user + system time during the run (both sides run in this process), which other work on the machine barely moves.\n\n", policy, rawName, reps, startLoad, benchutil.LoadAvg())
	fmt.Fprintf(&b, "| query | tipgate (ms) | %s (ms) | ratio | tipgate CPU (ms) | %s CPU (ms) | CPU ratio |\n", rawName, rawName)
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|")
	var ratios, cpuRatios []float64
	for _, r := range res {
		t, base := benchutil.Median(r.tg), benchutil.Median(r.base)
		tc, bc := benchutil.Median(r.tgCPU), benchutil.Median(r.baseCPU)
		ratio, cpuRatio := float64(t)/float64(base), float64(tc)/float64(bc)
		ratios, cpuRatios = append(ratios, ratio), append(cpuRatios, cpuRatio)
		fmt.Fprintf(&b, "| %s | %.1f | %.1f | %.3f | %.1f | %.1f | %.3f |\n", r.name, benchutil.MS(t), benchutil.MS(base), ratio, benchutil.MS(tc), benchutil.MS(bc), cpuRatio)
	}
	slices.Sort(ratios)
	slices.Sort(cpuRatios)
	fmt.Fprintf(&b, "| **median ratio** | | | **%.3f** | | | **%.3f** |\n\n", ratios[len(ratios)/2], cpuRatios[len(cpuRatios)/2])
	over := benchutil.Median(tgMicro) - benchutil.Median(rawMicro)
	fmt.Fprintf(&b, "Per-statement enforcement cost (median `SELECT 1` through tipgate minus direct, %d runs): **%.0f µs** for a statement text seen before in the same policy context (tipgate %.0f µs, direct %.0f µs); **%.0f µs** for a new text (parse and admission; tipgate %.0f µs, direct %.0f µs).\n",
		micro, us(over), us(benchutil.Median(tgMicro)), us(benchutil.Median(rawMicro)), us(benchutil.Median(tgCold)-benchutil.Median(rawCold)), us(benchutil.Median(tgCold)), us(benchutil.Median(rawCold)))
	if fresh != nil {
		fresh.report(&b)
	}
	fmt.Print(b.String())
	if results != "" {
		f, err := os.OpenFile(results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.WriteString(f, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// timeCPU records f's wall time in wall and the process's CPU time
// during it in cpu.
func timeCPU(wall, cpu *[]time.Duration, f func() error) error {
	c := benchutil.ProcessCPU()
	err := timeIt(wall, f)
	*cpu = append(*cpu, benchutil.ProcessCPU()-c)
	return err
}

func timeIt(into *[]time.Duration, f func() error) error {
	start := time.Now()
	err := f()
	*into = append(*into, time.Since(start))
	return err
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }

func drainEngine(ctx context.Context, eng engine.Engine, p identity.Principal, q string) (int, error) {
	r, err := eng.Query(ctx, p, q)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	n := 0
	for r.Next() {
		n++
	}
	return n, r.Err()
}

func drainRaw(ctx context.Context, db *sql.DB, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
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
