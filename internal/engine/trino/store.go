package trino

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/policy"
)

// migrations bring the store's schema from one version to the next, in
// order, each in the same transaction as the recorded version. Never edit
// one that has shipped: append.
var migrations = [][]string{
	{
		"CREATE SCHEMA IF NOT EXISTS tipgate_trino",
		"CREATE TABLE tipgate_trino.meta (id int PRIMARY KEY CHECK (id = 1), schema_version int NOT NULL)",
		// The catalog: one row, its version the optimistic lock of Commit.
		"CREATE TABLE tipgate_trino.catalog (id int PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, body text NOT NULL)",
		// Principals seen with their roles: the rules file holds a rule for
		// each, so that it survives a restart of tipgate.
		"CREATE TABLE tipgate_trino.subjects (username text PRIMARY KEY, subject jsonb NOT NULL)",
	},
	{
		// Intents of table DDL whose catalog half has not committed: every
		// principal is refused on these tables until they are reconciled
		// (reconcile.go).
		`CREATE TABLE tipgate_trino.pending (table_name text PRIMARY KEY, renamed_from text NOT NULL DEFAULT '',
			owner text NOT NULL DEFAULT '', since timestamptz NOT NULL DEFAULT now())`,
	},
}

// lockKey serialises migrations and catalog commits of every tipgate
// process on the store.
const lockKey = 0x7469706774726e6f // "tipgtrno"

// beginLocked begins a store transaction holding the advisory lock that
// serialises migrations, catalog commits and reconciles of every tipgate
// process on the store.
func (e *Engine) beginLocked(ctx context.Context) (pgx.Tx, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("trino: store: begin: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("trino: store: lock the catalog: %w", err)
	}
	return tx, nil
}

func (e *Engine) migrate(ctx context.Context) error {
	tx, err := e.beginLocked(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var have int
	var exists bool
	if err := tx.QueryRow(ctx, "SELECT to_regclass('tipgate_trino.meta') IS NOT NULL").Scan(&exists); err != nil {
		return fmt.Errorf("trino: store: %w", err)
	}
	if exists {
		if err := tx.QueryRow(ctx, "SELECT schema_version FROM tipgate_trino.meta WHERE id = 1").Scan(&have); err != nil {
			return fmt.Errorf("trino: store: read the schema version: %w", err)
		}
	}
	if have > len(migrations) {
		return fmt.Errorf("trino: store: the tipgate_trino schema is at version %d, written by a newer tipgate (this one knows up to %d); upgrade tipgate", have, len(migrations))
	}
	for v := have; v < len(migrations); v++ {
		for _, s := range migrations[v] {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("trino: store: migrate to version %d: %w", v+1, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO tipgate_trino.meta VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET schema_version = excluded.schema_version`, len(migrations)); err != nil {
		return fmt.Errorf("trino: store: record the schema version: %w", err)
	}
	return tx.Commit(ctx)
}

// load reads the committed catalog and the subjects seen.
func (e *Engine) load(ctx context.Context) (*policy.Catalog, map[string]policy.Subject, error) {
	var body string
	cat := policy.New()
	err := e.pool.QueryRow(ctx, "SELECT body FROM tipgate_trino.catalog WHERE id = 1").Scan(&body)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, nil, fmt.Errorf("trino: store: read catalog: %w", err)
	default:
		if cat, err = policy.Unmarshal([]byte(body)); err != nil {
			return nil, nil, err
		}
	}
	subs := map[string]policy.Subject{}
	rows, err := e.pool.Query(ctx, "SELECT username, subject FROM tipgate_trino.subjects")
	if err != nil {
		return nil, nil, fmt.Errorf("trino: store: read subjects: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var user string
		var b []byte
		var s policy.Subject
		if err := rows.Scan(&user, &b); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, nil, fmt.Errorf("trino: store: subject %q: %w", user, err)
		}
		subs[user] = s
	}
	return cat, subs, rows.Err()
}

// saveSubject records the roles a principal was last seen with.
func (e *Engine) saveSubject(ctx context.Context, s policy.Subject) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = e.pool.Exec(ctx, `INSERT INTO tipgate_trino.subjects VALUES ($1, $2)
		ON CONFLICT (username) DO UPDATE SET subject = excluded.subject`, s.User, b)
	if err != nil {
		return fmt.Errorf("trino: store: record subject: %w", err)
	}
	return nil
}
