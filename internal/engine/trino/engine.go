package trino

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/trinodb/trino-go-client/trino" // database/sql driver "trino"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// Options configure the engine.
type Options struct {
	// URL is the Trino coordinator, https://host:port.
	URL string
	// User and Password are tipgate's service user, the one user the
	// cluster's rules let impersonate others (docs/trino.md).
	User, Password string
	// CACert, when set, is the PEM file of the CA that signed the
	// coordinator's certificate (else the system's roots are trusted).
	CACert string
	// Catalog and Schema name where the warehouse's tables live (an Iceberg
	// catalog in tipgate's tests); the engine owns the schema.
	Catalog, Schema string
	// RulesPath is the file-based access control file the coordinator reads
	// (security.config-file), which the engine writes whole.
	RulesPath string
	// WriteRules, when set, replaces writing RulesPath: tests that run
	// several engines on one cluster merge their rules (trinoserver).
	WriteRules func(body []byte) error
	// StoreDSN is the PostgreSQL database holding the policy catalog.
	StoreDSN string
	// S3Root, when set, is the local folder that s3://bucket/key sources map to.
	S3Root string
	// RulesTimeout bounds the wait for Trino to load new rules (default 30 s).
	RulesTimeout time.Duration
	Logger       *slog.Logger
	// System are the router's system views.
	System *engine.SystemViews
}

// Engine is a tipgate warehouse in a Trino catalog.
type Engine struct {
	opts Options
	log  *slog.Logger
	pool *pgxpool.Pool
	db   *sql.DB
	cat  atomic.Pointer[policy.Catalog]

	// rulesMu guards the rules file, the subjects compiled into it and
	// the readers of each user (see acquire).
	rulesMu    sync.Mutex
	rulesCond  *sync.Cond
	subjects   map[string]policy.Subject
	readers    map[string]int // user → reads running under the compiled subject
	generation int64          // of the last rules file written
	applied    []byte         // the rules Trino applies, compiled at generation 0; nil if unknown
	// pending are the tables of unfinished DDL: no principal has a rule
	// on them (reconcile.go).
	pending map[string]pendingDDL
	// testAfterDDL, set by tests, runs between a DDL's Trino half and its
	// catalog half; an error stands for tipgate stopping there.
	testAfterDDL func() error
	testCrash    bool // testAfterDDL's error stands for tipgate stopping

	admissions admissions // the guard's answers (read.go)
	// lookupsInlined: the last rules hold lookup values read when they
	// were written (inlineLookups), so a change of rows rewrites them.
	lookupsInlined bool
}

var _ engine.Backend = (*Engine)(nil)

// Open connects to the store and to Trino, creates or checks the store's
// schema and the warehouse schema, and writes the rules file.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	if opts.URL == "" || opts.User == "" || opts.Catalog == "" || opts.Schema == "" || (opts.RulesPath == "" && opts.WriteRules == nil) || opts.StoreDSN == "" {
		return nil, errors.New("trino: url, user, catalog, schema, rules_path and store_dsn are all needed (docs/trino.md)")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.System == nil {
		opts.System = engine.NewSystemViews(nil)
	}
	if opts.RulesTimeout <= 0 {
		opts.RulesTimeout = 30 * time.Second
	}
	opts.Catalog, opts.Schema = strings.ToLower(opts.Catalog), strings.ToLower(opts.Schema)
	cfg, err := pgxpool.ParseConfig(opts.StoreDSN)
	if err != nil {
		return nil, errors.New("trino: the store DSN does not parse: want postgres://user@host:port/database")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("trino: store: %w", err)
	}
	e := &Engine{opts: opts, log: opts.Logger, pool: pool, subjects: map[string]policy.Subject{}, readers: map[string]int{}, pending: map[string]pendingDDL{}}
	e.rulesCond = sync.NewCond(&e.rulesMu)
	fail := func(err error) (*Engine, error) {
		e.Close()
		return nil, err
	}
	dsn, err := serviceDSN(opts)
	if err != nil {
		return fail(err)
	}
	if e.db, err = sql.Open("trino", dsn); err != nil {
		return fail(fmt.Errorf("trino: %w", err))
	}
	if err := e.migrate(ctx); err != nil {
		return fail(err)
	}
	cat, subs, err := e.load(ctx)
	if err != nil {
		return fail(err)
	}
	e.cat.Store(cat)
	e.subjects = subs
	if err := e.prepareWarehouse(ctx); err != nil {
		return fail(err)
	}
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	if e.pending, err = e.loadPending(ctx, e.pool); err != nil {
		return fail(err)
	}
	// The first rules already refuse the tables of an interrupted DDL;
	// reconciling then repairs what it can (reconcile.go).
	if err := e.writeRulesLocked(ctx, cat); err != nil {
		return fail(err)
	}
	if len(e.pending) > 0 {
		if err := e.reconcileLocked(ctx); err != nil {
			return fail(err)
		}
	}
	return e, nil
}

// serviceDSN is the trino-go-client DSN of the service user.
func serviceDSN(opts Options) (string, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("trino: url %q is not https://host:port", opts.URL)
	}
	if u.Scheme != "https" {
		// Trino takes passwords over HTTPS only, and over plain HTTP any
		// client could claim any user (docs/trino.md).
		return "", fmt.Errorf("trino: url must be https://, not %s://", u.Scheme)
	}
	u.User = url.UserPassword(opts.User, opts.Password)
	q := url.Values{}
	q.Set("catalog", opts.Catalog)
	q.Set("schema", opts.Schema)
	q.Set("source", "tipgate")
	if opts.CACert != "" {
		q.Set("SSLCertPath", opts.CACert)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// probeTable is the one-row table whose generation column the rules mask
// with the rules file's generation for the service user: reading it tells
// whether Trino has loaded a given file. Its name is reserved (sys_), so no
// warehouse table can take it.
const probeTable = "sys_tipgate_rules"

func (e *Engine) prepareWarehouse(ctx context.Context) error {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + e.schemaName(),
		"CREATE TABLE IF NOT EXISTS " + e.tableName(probeTable) + " (generation bigint)",
	}
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("trino: prepare %s: %w", e.schemaName(), err)
		}
	}
	var n int
	if err := e.db.QueryRowContext(ctx, "SELECT count(*) FROM "+e.tableName(probeTable)).Scan(&n); err != nil {
		return fmt.Errorf("trino: read %s: %w", probeTable, err)
	}
	if n == 0 {
		if _, err := e.db.ExecContext(ctx, "INSERT INTO "+e.tableName(probeTable)+" VALUES (0)"); err != nil {
			return fmt.Errorf("trino: fill %s: %w", probeTable, err)
		}
	}
	return nil
}

// schemaName is the warehouse schema, quoted.
func (e *Engine) schemaName() string { return qi(e.opts.Catalog) + "." + qi(e.opts.Schema) }

// tableName is a warehouse table, quoted and fully qualified.
func (e *Engine) tableName(t string) string { return e.schemaName() + "." + qi(t) }

// qi quotes a Trino identifier.
func qi(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// qs quotes a Trino string literal.
func qs(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Catalog returns the last catalog this process committed or read.
func (e *Engine) Catalog() *policy.Catalog { return e.cat.Load() }

// Close closes the connections.
func (e *Engine) Close() error {
	if e.db != nil {
		e.db.Close()
	}
	e.pool.Close()
	return nil
}

// DB is the service user's connection to Trino, for tests.
func (e *Engine) DB() *sql.DB { return e.db }
