package trino

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// trinoTx is a commit's open store transaction.
type trinoTx struct {
	tx pgx.Tx
	// rowsChanged: a statement of the batch changed rows (Raw), so the
	// rules' inlined lookup values are read again at commit.
	rowsChanged bool
	// marked are the DDL intents this commit recorded; the commit deletes
	// them with the catalog (reconcile.go).
	marked []pendingDDL
	// crashed: the test hook stopped a DDL between its halves, standing
	// for tipgate stopping there, so nothing is reconciled.
	crashed bool
}

// Commit runs fn on the stored catalog inside one store transaction
// (writers of every tipgate process serialised by an advisory lock),
// persists the catalog it returns, and then writes the rules Trino
// applies and waits until Trino has loaded them. Table DDL inside fn runs
// on Trino, which has no transaction shared with the store: it records an
// intent first, and the tables of an intent left behind are refused to
// every principal until reconciled (reconcile.go, docs/trino.md).
func (e *Engine) Commit(ctx context.Context, fn func(tx engine.Tx, cat *policy.Catalog) (*policy.Catalog, error)) error {
	// rulesMu first, then a store connection, as acquire takes them: taken
	// the other way round, commits holding the pool's connections (waiting
	// on the advisory lock, or on rulesMu) starved a first read holding
	// rulesMu and waiting for a connection (the oracle's concurrent first
	// reads of new principals deadlocked so).
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	if len(e.pending) > 0 {
		// An earlier DDL was interrupted: repair what can be repaired
		// first (its tables stay refused otherwise).
		if err := e.reconcileLocked(ctx); err != nil {
			e.log.Error("trino: reconcile interrupted table DDL", "error", err)
		}
	}
	ttx := &trinoTx{}
	err := e.commitLocked(ctx, ttx, fn)
	if err != nil && len(ttx.marked) > 0 {
		// The store rolled back and the intents stay in it: the Trino
		// half may have run.
		for _, p := range ttx.marked {
			e.pending[p.Table] = p
		}
		if !ttx.crashed {
			if rerr := e.reconcileLocked(context.WithoutCancel(ctx)); rerr != nil {
				e.log.Error("trino: reconcile after a failed table DDL; its tables stay refused", "error", rerr)
			}
		}
	}
	return err
}

func (e *Engine) commitLocked(ctx context.Context, ttx *trinoTx, fn func(tx engine.Tx, cat *policy.Catalog) (*policy.Catalog, error)) error {
	tx, err := e.beginLocked(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	cur, err := e.stored(ctx, tx)
	if err != nil {
		return err
	}
	ttx.tx = tx
	next, err := fn(ttx, cur)
	if err != nil {
		return err
	}
	if len(ttx.marked) > 0 {
		var names []string
		for _, p := range ttx.marked {
			names = append(names, p.Table)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM tipgate_trino.pending WHERE table_name = ANY($1)", names); err != nil {
			return fmt.Errorf("trino: store: clear DDL intents: %w", err)
		}
		// The catalog now says what Trino has: the rules written below
		// name the tables again. Should the store not commit, Commit puts
		// the intents back.
		for _, n := range names {
			delete(e.pending, n)
		}
	}
	if next == nil || next == cur {
		if ttx.rowsChanged && e.lookupsInlined {
			if err := e.writeRulesLocked(ctx, cur); err != nil {
				return err
			}
		}
		e.cat.Store(cur)
		return tx.Commit(ctx)
	}
	body, err := next.Marshal()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO tipgate_trino.catalog (id, version, body) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET version = excluded.version, body = excluded.body`, next.Version, string(body)); err != nil {
		return fmt.Errorf("trino: store: write catalog: %w", err)
	}
	// The rules go out before the store commits: a principal must never
	// run under rules older than a catalog another replica can read.
	// Rules newer than the catalog (this commit failing after) only
	// tighten or loosen what the next commit rewrites.
	if err := e.writeRulesLocked(ctx, next); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("trino: store: commit: %w", err)
	}
	e.cat.Store(next)
	return nil
}

func (e *Engine) stored(ctx context.Context, tx pgx.Tx) (*policy.Catalog, error) {
	var version int64
	var body string
	err := tx.QueryRow(ctx, "SELECT version, body FROM tipgate_trino.catalog WHERE id = 1").Scan(&version, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return policy.New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("trino: store: read catalog: %w", err)
	}
	if mine := e.cat.Load(); mine != nil && mine.Version == version {
		return mine, nil
	}
	return policy.Unmarshal([]byte(body))
}
