// Package pgmigrate applies versioned schema migrations to a PostgreSQL
// database: an ordered list of steps, each a list of statements, applied in
// one transaction under an advisory lock together with the version they
// reach, and a database written by a newer tipgate refused (dex's
// storage/sql/migrate.go). The warehouse engine (schema tipgate) and the
// shared store (schema tipgate_store) both use it, each with its own lock
// and version table.
package pgmigrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNewerSchema is returned (wrapped) when the database's schema was
// written by a newer tipgate than this one.
var ErrNewerSchema = errors.New("schema newer than this tipgate")

// Plan describes one schema's migrations.
type Plan struct {
	// Name is how messages name the schema ("the tipgate schema").
	Name string
	// Prefix starts every error message ("postgres", "store").
	Prefix string
	// LockKey serialises migrations of every process on the database.
	LockKey int64
	// Migrations bring the schema from version i to i+1. Never edit one
	// that has shipped: append.
	Migrations [][]string
	// ReadVersion reads the recorded version; a missing table (a fresh
	// database) is reported by the error, which Apply recognises.
	ReadVersion func(ctx context.Context, tx pgx.Tx) (int, error)
	// WriteVersion records the version reached, in the same transaction.
	WriteVersion func(ctx context.Context, tx pgx.Tx, version int) error
	// After, when set, runs last in the transaction, whether or not a
	// migration ran (checks of settings recorded beside the version).
	After func(ctx context.Context, tx pgx.Tx, applied bool) error
}

// Apply creates or upgrades the schema and refuses a newer one.
func Apply(ctx context.Context, pool *pgxpool.Pool, p Plan) error {
	tx, have, err := begin(ctx, pool, p)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if have > len(p.Migrations) {
		return fmt.Errorf("%s: %s is at version %d, written by a newer tipgate (this one knows up to %d); upgrade tipgate: %w",
			p.Prefix, p.Name, have, len(p.Migrations), ErrNewerSchema)
	}
	applied := have < len(p.Migrations)
	for v := have; v < len(p.Migrations); v++ {
		for _, s := range p.Migrations[v] {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: migrate %s to version %d: %w", p.Prefix, p.Name, v+1, err)
			}
		}
	}
	if applied {
		if err := p.WriteVersion(ctx, tx, len(p.Migrations)); err != nil {
			return fmt.Errorf("%s: record the version of %s: %w", p.Prefix, p.Name, err)
		}
	}
	if p.After != nil {
		if err := p.After(ctx, tx, applied); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit the migration of %s: %w", p.Prefix, p.Name, err)
	}
	return nil
}

// begin opens the transaction, takes the lock and reads the version. A
// fresh database fails the read, which aborts the transaction: it is begun
// again, and the table probed first (another process may have created it
// meanwhile).
func begin(ctx context.Context, pool *pgxpool.Pool, p Plan) (pgx.Tx, int, error) {
	for attempt := 0; ; attempt++ {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: begin: %w", p.Prefix, err)
		}
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", p.LockKey); err != nil {
			tx.Rollback(context.WithoutCancel(ctx))
			return nil, 0, fmt.Errorf("%s: lock %s: %w", p.Prefix, p.Name, err)
		}
		if attempt > 0 {
			if _, err := tx.Exec(ctx, "SAVEPOINT probe"); err != nil {
				tx.Rollback(context.WithoutCancel(ctx))
				return nil, 0, fmt.Errorf("%s: begin: %w", p.Prefix, err)
			}
		}
		have, err := p.ReadVersion(ctx, tx)
		if err != nil && attempt > 0 && IsUndefinedTable(err) {
			if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT probe"); rerr != nil {
				tx.Rollback(context.WithoutCancel(ctx))
				return nil, 0, fmt.Errorf("%s: begin: %w", p.Prefix, rerr)
			}
			return tx, 0, nil
		}
		if err == nil {
			return tx, have, nil
		}
		tx.Rollback(context.WithoutCancel(ctx))
		if !IsUndefinedTable(err) {
			return nil, 0, fmt.Errorf("%s: read the version of %s: %w", p.Prefix, p.Name, err)
		}
	}
}

// IsUndefinedTable reports a missing table or schema.
func IsUndefinedTable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "42P01" || pe.Code == "3F000")
}
