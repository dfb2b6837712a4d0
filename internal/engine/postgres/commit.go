package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// pgTx is a commit's open transaction.
type pgTx struct {
	tx pgx.Tx
}

func txOf(t engine.Tx) (*pgTx, error) {
	p, ok := t.(*pgTx)
	if !ok || p == nil {
		return nil, fmt.Errorf("postgres: not a PostgreSQL transaction: %T", t)
	}
	return p, nil
}

// maxAttempts bounds how often Commit re-runs fn after a conflict with
// another writer (another tipgate process, or roles created on the same
// cluster at the same time).
const maxAttempts = 5

// Commit runs fn on the committed catalog inside one transaction, persists
// the catalog it returns and compiles it into PostgreSQL's objects in that
// same transaction. Writers of every tipgate process on the database are
// serialised by an advisory lock taken first, and fn always sees the
// catalog as stored, not this process's possibly older copy. A transaction
// that loses a race on cluster-wide objects (roles) is retried with fn
// run again.
func (e *Engine) Commit(ctx context.Context, fn func(tx engine.Tx, cat *policy.Catalog) (*policy.Catalog, error)) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err = e.commitOnce(ctx, fn); err == nil || !retryable(err) {
			return err
		}
		e.log.DebugContext(ctx, "catalog commit conflicted; running it again", "attempt", attempt, "err", err)
	}
	return err
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "40001", "40P01": // serialization failure, deadlock
		return true
	case "23505", "XX000": // a role created concurrently; "tuple concurrently updated"
		return pe.TableName == "pg_authid" || pe.ConstraintName == "pg_authid_rolname_index" ||
			pe.Message == "tuple concurrently updated"
	}
	return false
}

func (e *Engine) commitOnce(ctx context.Context, fn func(tx engine.Tx, cat *policy.Catalog) (*policy.Catalog, error)) error {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		return fmt.Errorf("postgres: lock the catalog: %w", err)
	}
	if _, err := tx.Exec(ctx, "SET LOCAL search_path = "+qi(schemaData)+", "+qi(schemaCompat)+", pg_catalog"); err != nil {
		return fmt.Errorf("postgres: set search path: %w", err)
	}
	cur, stored, err := e.stored(ctx, tx)
	if err != nil {
		return err
	}
	next, err := fn(&pgTx{tx: tx}, cur)
	if err != nil {
		return err
	}
	if next == nil || next == cur {
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("postgres: commit: %w", err)
		}
		e.cat.Store(cur)
		return nil
	}
	c := &compiler{e: e, tx: tx, prefix: e.opts.RolePrefix}
	prev := cur
	if !stored {
		prev = nil // nothing compiled yet
	}
	if err := c.compile(ctx, prev, next); err != nil {
		return err
	}
	body, err := next.Marshal()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO tipgate.catalog (id, version, body) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body`, next.Version, string(body)); err != nil {
		return fmt.Errorf("postgres: write catalog: %w", err)
	}
	// Other processes on the database reload when this commits (watch.go).
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", catalogChannel, itoa(next.Version)); err != nil {
		return fmt.Errorf("postgres: announce catalog: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	e.cat.Store(next)
	return nil
}

// stored reads the committed catalog under the commit lock; stored is
// false for a database no catalog was written to yet.
func (e *Engine) stored(ctx context.Context, tx pgx.Tx) (*policy.Catalog, bool, error) {
	var version int64
	var body string
	err := tx.QueryRow(ctx, "SELECT version, body FROM tipgate.catalog WHERE id = 1").Scan(&version, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return policy.New(), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("postgres: read catalog: %w", err)
	}
	if mine := e.cat.Load(); mine != nil && mine.Version == version {
		return mine, true, nil
	}
	cat, err := policy.Unmarshal([]byte(body))
	if err != nil {
		return nil, false, err
	}
	return cat, true, nil
}
