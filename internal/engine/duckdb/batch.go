package duckdb

import (
	"context"
	"fmt"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// ReadBatch implements engine.ReadBatcher: a batch of reads runs on one
// policy connection in one transaction (one snapshot).
func (e *Engine) ReadBatch(ctx context.Context, cat *policy.Catalog, sub policy.Subject, stmts []engine.Stmt, each func(int, engine.Rows) error) error {
	pc, err := e.context(ctx, cat, sub)
	if err != nil {
		return err
	}
	conn, err := e.connFor(ctx, pc, "", pc.setup)
	if err != nil {
		return err
	}
	defer e.release(conn)
	// The batch's transaction may create and roll back temp views: no
	// statement prepared outside it survives it.
	conn.clear()
	if _, err := conn.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return fmt.Errorf("duckdb: begin: %w", err)
	}
	rollback := func() { _, _ = conn.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") }
	for i, st := range stmts {
		if explain, _, _ := splitExplain(st.SQL); explain {
			rollback()
			return sqlerr.New(sqlerr.FeatureUnsupported, "EXPLAIN is not available inside a batch")
		}
		g, err := e.guard(ctx, e.parse, pc, st.SQL)
		if err == nil {
			err = e.refreshDynamicViews(ctx, conn, sub, g.relations)
		}
		if err != nil {
			rollback()
			return err
		}
		r, err := conn.conn.QueryContext(ctx, g.text, st.Args...)
		if err != nil {
			rollback()
			return mapError(err, pc)
		}
		rows := newRows(r, func() {}, pc)
		rows.applied = engine.Applied(pc.access, g.relations)
		err = each(i, rows)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = rows.Err()
		}
		if err != nil {
			rollback()
			return err
		}
	}
	if _, err := conn.conn.ExecContext(ctx, "COMMIT"); err != nil {
		rollback()
		return fmt.Errorf("duckdb: commit: %w", err)
	}
	return nil
}
