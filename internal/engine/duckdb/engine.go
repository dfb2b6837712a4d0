package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// sqlConn is the admin connection inside a catalog transaction.
type sqlConn = *sql.Conn

// Options configure an embedded warehouse.
type Options struct {
	// DataDir holds warehouse.duckdb and a staging folder for COPY.
	DataDir string
	// S3Root, when set, is the local folder that s3://bucket/key sources map to.
	S3Root string
	Logger *slog.Logger
	// Threads caps DuckDB's worker threads; 0 keeps DuckDB's default.
	Threads int
	// MaxIdleConns bounds the idle policy connections kept (default 64).
	MaxIdleConns int
	// System are the router's system views, which the engine materialises
	// for each principal (nil: none beyond empty ones).
	System *engine.SystemViews
	// FromPlans makes the engine receive policies as a native engine does:
	// each committed catalog is compiled to per-table plans over all
	// grantees (policy.Plan), and a subject's decisions are read from those
	// plans (TablePlan.AccessFor) instead of from the catalog. The
	// conformance suite runs both ways, which holds the plans to the whole
	// suite before an engine such as PostgreSQL depends on them.
	FromPlans bool
}

// compiled is a catalog with its plans, when Options.FromPlans is set.
type compiled struct {
	cat   *policy.Catalog
	plans map[string]policy.TablePlan
}

// Engine is the embedded DuckDB warehouse. tipgate enforces policies here
// itself: raw tables live in a catalog principals' SQL may not name, and
// each principal's statement runs on a connection whose only tables are
// views computing exactly the catalog's decision.
type Engine struct {
	opts Options
	log  *slog.Logger
	// db hands out policy connections. It keeps no idle connections, so a
	// closed connection is really closed and its temp views die with it;
	// database/sql's pool would otherwise give one principal's views to
	// the next caller.
	db *sql.DB
	// parser runs only json_serialize_sql and friends; its connections
	// never hold state.
	parser  *sql.DB
	parse   preparedParser
	admin   *sql.Conn  // DDL and catalog writes, serialised by ddlMu
	ddlMu   sync.Mutex // one catalog change at a time
	cat     atomic.Pointer[policy.Catalog]
	plans   atomic.Pointer[compiled]
	pool    *connPool
	staging string

	ctxMu    sync.Mutex
	contexts map[string]*policyContext

	// systemNames are relation names DuckDB resolves without qualification
	// from its system catalogs; a principal's statement may not use them.
	systemNames map[string]bool
	// functions sorts aggregate names from others: an aggregate's
	// arguments are evaluated on the rows that reach it, not a dictionary.
	functions functionKinds
	// guards caches admission decisions by policy context and text.
	guards *boundedCache[*guardResult]
}

var (
	_ engine.Backend     = (*Engine)(nil)
	_ engine.ReadBatcher = (*Engine)(nil)
)

// Open opens (creating if needed) the warehouse in opts.DataDir.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	if opts.DataDir == "" {
		return nil, errors.New("duckdb: no data directory")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.System == nil {
		opts.System = engine.NewSystemViews(nil)
	}
	if opts.MaxIdleConns <= 0 {
		opts.MaxIdleConns = 64
	}
	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("duckdb: data directory: %w", err)
	}
	staging := filepath.Join(dir, "staging")
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return nil, fmt.Errorf("duckdb: create data directory: %w", err)
	}
	connector, err := duckdbdrv.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: open: %w", err)
	}
	e := &Engine{
		opts: opts, log: opts.Logger, db: sql.OpenDB(connector), parser: sql.OpenDB(connector), pool: newConnPool(opts.MaxIdleConns),
		staging: staging, contexts: map[string]*policyContext{},
		guards: newBoundedCache[*guardResult](4096),
	}
	e.db.SetMaxIdleConns(0)
	if err := e.init(ctx, filepath.Join(dir, "warehouse.duckdb")); err != nil {
		e.parser.Close()
		e.db.Close()
		return nil, err
	}
	return e, nil
}

// init attaches the warehouse, then closes every door a principal's SQL
// could use to leave its views: no file or network access outside the
// staging folders, no extension loading, and a locked configuration.
func (e *Engine) init(ctx context.Context, path string) error {
	admin, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("duckdb: connect: %w", err)
	}
	e.admin = admin
	allowed := []string{sqlscan.QuoteString(e.staging + "/")}
	if e.opts.S3Root != "" {
		root, err := filepath.Abs(e.opts.S3Root)
		if err != nil {
			return fmt.Errorf("duckdb: s3 root: %w", err)
		}
		allowed = append(allowed, sqlscan.QuoteString(root+"/"))
	}
	stmts := []string{
		"ATTACH " + sqlscan.QuoteString(path) + " AS " + rawCatalog,
		"CREATE SCHEMA IF NOT EXISTS " + rawCatalog + ".tipgate",
		"CREATE TABLE IF NOT EXISTS " + rawCatalog + ".tipgate.catalog (id INTEGER PRIMARY KEY, version BIGINT NOT NULL, body VARCHAR NOT NULL)",
		"SET GLOBAL allowed_directories = [" + strings.Join(allowed, ", ") + "]",
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		// EXPLAIN returns the unoptimised plan too; principals are shown only that one.
		"SET GLOBAL explain_output = 'all'",
		"SET GLOBAL disabled_optimizers = '" + strings.Join(disabledOptimizers, ",") + "'",
	}
	if e.opts.Threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET GLOBAL threads = %d", e.opts.Threads))
	}
	stmts = append(stmts, compatMacros...)
	stmts = append(stmts, redshiftInit()...) // semantics.go
	// The admin connection runs a superuser's batches in the raw catalog,
	// where the shared macros are not on the search path.
	stmts = append(stmts, rawMacros()...)
	stmts = append(stmts, "SET GLOBAL lock_configuration = true", "USE "+rawCatalog)
	for _, s := range stmts {
		if _, err := admin.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: initialise warehouse (%s): %w", firstWords(s), err)
		}
	}
	stmt, err := e.parser.PrepareContext(ctx, serializeSQL)
	if err != nil {
		return fmt.Errorf("duckdb: prepare parser: %w", err)
	}
	e.parse = preparedParser{db: e.parser, stmt: stmt}
	if err := e.loadSystemNames(ctx); err != nil {
		return err
	}
	return e.loadCatalog(ctx)
}

// disabledOptimizers are DuckDB's optimizers that would let hidden rows
// decide what a principal's expressions see (auditedOptimizers has the
// verdict on every optimizer; docs/enforcement.md the argument).
var disabledOptimizers = []string{"filter_pushdown", "filter_pullup", "cte_filter_pusher", "statistics_propagation"}

// compatMacros give principals Redshift functions DuckDB spells otherwise.
var compatMacros = []string{
	"CREATE OR REPLACE MACRO memory.main.nvl(a, b) AS coalesce(a, b)",
	"CREATE OR REPLACE MACRO memory.main.nvl2(a, b, c) AS CASE WHEN a IS NOT NULL THEN b ELSE c END",
	"CREATE OR REPLACE MACRO memory.main.getdate() AS CAST(current_timestamp AS TIMESTAMP)",
	"CREATE OR REPLACE MACRO memory.main.len(s) AS length(s)",
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 3 {
		f = f[:3]
	}
	return strings.Join(f, " ")
}

func (e *Engine) loadSystemNames(ctx context.Context) error {
	rows, err := e.admin.QueryContext(ctx, `SELECT lower(table_name) FROM duckdb_tables() WHERE database_name IN ('system','temp')
		UNION SELECT lower(view_name) FROM duckdb_views() WHERE database_name IN ('system','temp')
		UNION SELECT lower(function_name) FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro')`)
	if err != nil {
		return fmt.Errorf("duckdb: list system relations: %w", err)
	}
	defer rows.Close()
	e.systemNames = map[string]bool{"information_schema": true, "pg_catalog": true}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("duckdb: list system relations: %w", err)
		}
		e.systemNames[n] = true
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("duckdb: list system relations: %w", err)
	}
	return e.loadAggregates(ctx)
}

func (e *Engine) loadAggregates(ctx context.Context) error {
	rows, err := e.admin.QueryContext(ctx, `SELECT lower(function_name), bool_and(function_type = 'aggregate') FROM duckdb_functions()
		GROUP BY 1 HAVING bool_or(function_type = 'aggregate')`)
	if err != nil {
		return fmt.Errorf("duckdb: list aggregate functions: %w", err)
	}
	defer rows.Close()
	e.functions = functionKinds{aggregates: map[string]bool{}, maybeAggregates: map[string]bool{}}
	for rows.Next() {
		var n string
		var only bool
		if err := rows.Scan(&n, &only); err != nil {
			return fmt.Errorf("duckdb: list aggregate functions: %w", err)
		}
		if only {
			e.functions.aggregates[n] = true
		} else {
			e.functions.maybeAggregates[n] = true
		}
	}
	return rows.Err()
}

// loadCatalog reads the persisted catalog and checks it against the tables
// that exist; a mismatch means the data directory was changed behind
// tipgate's back, and serving it could apply the wrong policies.
func (e *Engine) loadCatalog(ctx context.Context) error {
	var body string
	err := e.admin.QueryRowContext(ctx, "SELECT body FROM "+rawCatalog+".tipgate.catalog WHERE id = 1").Scan(&body)
	cat := policy.New()
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("duckdb: read catalog: %w", err)
	default:
		if cat, err = policy.Unmarshal([]byte(body)); err != nil {
			return err
		}
	}
	have, err := e.rawTables(ctx, e.admin)
	if err != nil {
		return err
	}
	for _, name := range cat.TableNames() {
		if !slices.Contains(have, name) {
			return fmt.Errorf("duckdb: catalog names table %s, which the warehouse does not hold", name)
		}
	}
	for _, name := range have {
		if _, ok := cat.Table(name); !ok {
			return fmt.Errorf("duckdb: warehouse holds table %s, which the catalog does not know", name)
		}
	}
	e.store(cat)
	return nil
}

// store makes cat the current catalog, compiling its plans first when the
// engine decides from plans.
func (e *Engine) store(cat *policy.Catalog) {
	if e.opts.FromPlans {
		e.plans.Store(compile(cat))
	}
	e.cat.Store(cat)
}

func compile(cat *policy.Catalog) *compiled {
	c := &compiled{cat: cat, plans: map[string]policy.TablePlan{}}
	for _, p := range cat.Plans() {
		c.plans[p.Table] = p
	}
	return c
}

// decide is the subject's access to table under cat.
func (e *Engine) decide(cat *policy.Catalog, sub policy.Subject, table string) policy.Access {
	if !e.opts.FromPlans {
		a, _ := cat.Decide(sub, table)
		return a
	}
	c := e.plans.Load()
	if c == nil || c.cat != cat {
		// A snapshot other than the current one (a change being committed).
		c = compile(cat)
	}
	p, ok := c.plans[table]
	if !ok {
		return policy.Access{Table: table}
	}
	return p.AccessFor(sub)
}

func (e *Engine) rawTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' ORDER BY 1", rawCatalog)
	if err != nil {
		return nil, fmt.Errorf("duckdb: list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("duckdb: list tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Catalog returns the current catalog snapshot.
func (e *Engine) Catalog() *policy.Catalog { return e.cat.Load() }

// Close closes every connection and the database.
func (e *Engine) Close() error {
	for _, c := range e.pool.drain(func(string) bool { return false }) {
		c.close()
	}
	if e.admin != nil {
		e.admin.Close()
	}
	if e.parse.stmt != nil {
		e.parse.stmt.Close()
	}
	e.parser.Close()
	return e.db.Close()
}

// duckTx is an open transaction on the admin connection.
type duckTx struct {
	conn sqlConn
	// loaded is set when a COPY ran in it: the load is checkpointed after
	// the commit.
	loaded bool
}

func txConn(tx engine.Tx) (*duckTx, error) {
	t, ok := tx.(*duckTx)
	if !ok || t == nil {
		return nil, fmt.Errorf("duckdb: not a DuckDB transaction: %T", tx)
	}
	return t, nil
}

// Commit runs fn inside one DuckDB transaction on the admin connection
// together with writing the catalog it returns, then publishes that
// catalog. Data and policy change together or not at all, including on a
// crash: DuckDB's write-ahead log makes the transaction atomic. Catalog
// changes are serialised by ddlMu: the embedded warehouse belongs to one
// process, so fn never has to run twice.
func (e *Engine) Commit(ctx context.Context, fn func(tx engine.Tx, cat *policy.Catalog) (*policy.Catalog, error)) error {
	e.ddlMu.Lock()
	defer e.ddlMu.Unlock()
	cur := e.cat.Load()
	if _, err := e.admin.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: begin: %w", err)
	}
	tx := &duckTx{conn: e.admin}
	next, err := fn(tx, cur)
	if err == nil && next != nil && next != cur {
		var body []byte
		if body, err = next.Marshal(); err == nil {
			_, err = e.admin.ExecContext(ctx, "INSERT OR REPLACE INTO "+rawCatalog+".tipgate.catalog VALUES (1, ?, ?)", next.Version, string(body))
		}
	}
	if err != nil {
		if _, rerr := e.admin.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			e.log.ErrorContext(ctx, "rollback failed", "err", rerr)
		}
		return err
	}
	if _, err := e.admin.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = e.admin.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return fmt.Errorf("duckdb: commit: %w", err)
	}
	if next != nil && next != cur {
		e.store(next)
		e.dropStale(next.PolicyVersion)
	}
	if tx.loaded {
		e.checkpoint(ctx)
	}
	return nil
}

// checkpoint writes a bulk load to the warehouse file now, compressed as
// DuckDB stores data for good, rather than leaving it in the WAL until the
// next automatic checkpoint. A load is then read the way every later read
// reads it, and the enforcement tests see the storage (dictionaries
// included) that production sees. A failed checkpoint loses nothing: the
// data is committed in the WAL. The caller holds ddlMu.
func (e *Engine) checkpoint(ctx context.Context) {
	if _, err := e.admin.ExecContext(ctx, "CHECKPOINT "+rawCatalog); err != nil {
		e.log.WarnContext(ctx, "checkpoint after COPY failed", "err", err)
	}
}

// Analyzer parses and types policy expressions with DuckDB.
func (e *Engine) Analyzer() policy.Analyzer { return analyzer{e} }

// dropStale forgets contexts and idle connections of older catalogs.
func (e *Engine) dropStale(version int64) {
	prefix := fmt.Sprintf("%d|", version)
	for _, c := range e.pool.drain(func(key string) bool { return strings.HasPrefix(key, prefix) }) {
		c.close()
	}
	e.ctxMu.Lock()
	for k, pc := range e.contexts {
		if pc.version != version {
			delete(e.contexts, k)
		}
	}
	e.ctxMu.Unlock()
}
