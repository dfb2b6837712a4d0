package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tipgate/tipgate/internal/store"
)

// Options configure the store.
type Options struct {
	// DSN names the database ([store] dsn).
	DSN string
	// MaxConns bounds the pool (0: pgx's default).
	MaxConns int32
	// AuditWindow is how many of the newest audit records Recent reads at
	// most (default 10000).
	AuditWindow int
	// Tracer, when set, sees every query and batch (round trips: the
	// tests count them).
	Tracer pgx.QueryTracer
}

// Store is the PostgreSQL store.
type Store struct {
	pool        *pgxpool.Pool
	auditWindow int
}

var (
	_ store.Store        = (*Store)(nil)
	_ store.ResultHolder = (*Store)(nil)
)

// Open connects, creates or migrates the schema and refuses a newer one.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.DSN == "" {
		return nil, errors.New("store: no DSN: set [store] dsn to a postgres:// URL")
	}
	cfg, err := pgxpool.ParseConfig(opts.DSN)
	if err != nil {
		// pgx's message can quote the DSN, password included.
		return nil, errors.New("store: the DSN does not parse: want postgres://user@host:port/database or key=value pairs")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.Tracer != nil {
		cfg.ConnConfig.Tracer = opts.Tracer
	}
	if opts.AuditWindow <= 0 {
		opts.AuditWindow = 10000
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to %s: %w", where, err)
	}
	s := &Store{pool: pool, auditWindow: opts.AuditWindow}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: %s does not answer: %w", where, errors.Join(store.ErrUnavailable, err))
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) Statements() store.Statements     { return (*statements)(s) }
func (s *Store) DataSessions() store.DataSessions { return (*dataSessions)(s) }
func (s *Store) ClientTokens() store.ClientTokens { return (*clientTokens)(s) }
func (s *Store) Revocations() store.Revocations   { return (*revocations)(s) }
func (s *Store) Replay() store.Replay             { return (*replay)(s) }
func (s *Store) Audit() store.Audit               { return (*auditLog)(s) }
func (s *Store) WebSessions() store.WebSessions   { return (*webSessions)(s) }
func (s *Store) Keys() store.Keys                 { return (*keys)(s) }
func (s *Store) Replicas() store.Replicas         { return (*replicas)(s) }
func (s *Store) Documents() store.Documents       { return (*documents)(s) }

// Results is the result store replicas share.
func (s *Store) Results() store.ResultStore { return (*results)(s) }

// Shared is true: every replica opens the same database.
func (s *Store) Shared() bool { return true }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return wrap("ping", s.pool.Ping(ctx)) }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// wrap names the operation and classifies the error: a server's refusal
// stays as it is (a bug or a constraint), anything else (no connection, a
// broken one, a timeout) is store.ErrUnavailable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe):
		if pe.Code == "23505" {
			return fmt.Errorf("store: %s: %w", op, store.ErrConflict)
		}
		if pe.Code[:2] == "57" || pe.Code[:2] == "08" || pe.Code == "53300" {
			// Admin shutdown, cannot connect now, too many connections.
			return fmt.Errorf("store: %s: %w", op, errors.Join(store.ErrUnavailable, err))
		}
		return fmt.Errorf("store: %s: %w", op, err)
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("store: %s: %w", op, store.ErrNotFound)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("store: %s: %w", op, err)
	}
	return fmt.Errorf("store: %s: %w", op, errors.Join(store.ErrUnavailable, err))
}
