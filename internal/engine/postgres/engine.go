package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// Options configure the engine.
type Options struct {
	// DSN is the database to use, as a postgres:// URL or key=value string.
	// The role it names must be a superuser, or hold CREATEROLE and
	// BYPASSRLS and CREATE on the database (docs/postgres.md).
	DSN string
	// RolePrefix is put before every PostgreSQL role name the engine
	// creates, for several tipgate databases on one cluster (roles are
	// cluster-wide). Empty in production: a principal's role then has its
	// Redshift name, "AWSIDC:apac-sales".
	RolePrefix string
	// S3Root, when set, is the local folder that s3://bucket/key sources map to.
	S3Root string
	// StatementTimeout bounds each principal's statement (default 5 minutes).
	StatementTimeout time.Duration
	// MaxConns bounds the connection pool (0: pgx's default).
	MaxConns int32
	Logger   *slog.Logger
	// System are the router's system views, which the engine materialises
	// for each statement that names one.
	System *engine.SystemViews
}

// Engine is a tipgate warehouse in one PostgreSQL database.
type Engine struct {
	opts Options
	log  *slog.Logger
	pool *pgxpool.Pool
	cat  atomic.Pointer[policy.Catalog]
	// superuser is whether the engine's own role is a PostgreSQL superuser.
	superuser bool

	// sessionMu serialises the sync of a user's session roles (the groups
	// its token carries) into role memberships.
	sessionMu sync.Mutex
	sessions  map[string]string // pg user → sorted session roles granted

	// stopWatch ends the catalog watcher (watch.go).
	stopWatch context.CancelFunc
	watchDone chan struct{}
}

var (
	_ engine.Backend     = (*Engine)(nil)
	_ engine.ReadBatcher = (*Engine)(nil)
)

// Open connects to the database, creates or checks the tipgate schemas and
// loads the catalog.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	if opts.DSN == "" {
		return nil, errors.New("postgres: no DSN: set [warehouse] dsn or --dsn to a postgres:// URL")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.System == nil {
		opts.System = engine.NewSystemViews(nil)
	}
	if opts.StatementTimeout <= 0 {
		opts.StatementTimeout = 5 * time.Minute
	}
	cfg, err := pgxpool.ParseConfig(opts.DSN)
	if err != nil {
		// pgx's message can quote the DSN, password included: do not pass it on.
		return nil, errors.New("postgres: the DSN does not parse: want postgres://user@host:port/database or key=value pairs")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	where := fmt.Sprintf("%s:%d/%s as %s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, cfg.ConnConfig.User)
	// Principals' statements go through the extended protocol only, as
	// unnamed statements: one statement each, never a cached plan.
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", where, err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s does not answer: %w", where, err)
	}
	e := &Engine{opts: opts, log: opts.Logger, pool: pool, sessions: map[string]string{}}
	if err := e.checkPrivileges(ctx, where); err != nil {
		pool.Close()
		return nil, err
	}
	if err := e.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := e.reload(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	e.stopWatch, e.watchDone = stop, make(chan struct{})
	go func() { defer close(e.watchDone); e.watch(wctx) }()
	return e, nil
}

// checkPrivileges fails early, naming what is missing, rather than halfway
// through compiling a policy.
func (e *Engine) checkPrivileges(ctx context.Context, where string) error {
	var super, bypass, createRole, createDB bool
	var version int
	err := e.pool.QueryRow(ctx, `SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole,
		has_database_privilege(current_database(), 'CREATE'), current_setting('server_version_num')::int
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&super, &bypass, &createRole, &createDB, &version)
	if err != nil {
		return fmt.Errorf("postgres: read the privileges of the role tipgate connects as: %w", err)
	}
	if version < 150000 {
		return fmt.Errorf("postgres: %s runs PostgreSQL %d.%d; tipgate needs 15 or newer", where, version/10000, version%10000)
	}
	e.superuser = super
	if super {
		return nil
	}
	var missing []string
	if !createRole {
		missing = append(missing, "CREATEROLE")
	}
	if !bypass {
		missing = append(missing, "BYPASSRLS")
	}
	if !createDB {
		missing = append(missing, "CREATE on the database")
	}
	if len(missing) > 0 {
		return fmt.Errorf("postgres: the role tipgate connects as (%s) lacks %v; grant them or connect as a superuser (docs/postgres.md)", where, missing)
	}
	return nil
}

// reload reads the committed catalog.
func (e *Engine) reload(ctx context.Context) error {
	var body string
	err := e.pool.QueryRow(ctx, "SELECT body FROM tipgate.catalog WHERE id = 1").Scan(&body)
	cat := policy.New()
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return fmt.Errorf("postgres: read catalog: %w", err)
	default:
		if cat, err = policy.Unmarshal([]byte(body)); err != nil {
			return err
		}
	}
	e.cat.Store(cat)
	return nil
}

// Catalog returns the last catalog this process committed or read.
func (e *Engine) Catalog() *policy.Catalog { return e.cat.Load() }

// Close closes the pool.
func (e *Engine) Close() error {
	if e.stopWatch != nil {
		e.stopWatch()
		<-e.watchDone
	}
	e.pool.Close()
	return nil
}

// Pool is the engine's connection pool, for tests that look at the
// compiled objects.
func (e *Engine) Pool() *pgxpool.Pool { return e.pool }
