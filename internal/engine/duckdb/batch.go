package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

var _ engine.Batcher = (*Engine)(nil)

// QueryBatch implements engine.Batcher. A batch of reads runs on one
// policy connection in one transaction (one snapshot); a batch that
// changes data or policies runs in one transaction on the admin connection
// with the catalog, as single statements do. A batch may not mix the two
// for a non-superuser: its reads would have to see policies the batch has
// not committed yet.
func (e *Engine) QueryBatch(ctx context.Context, p identity.Principal, stmts []engine.Stmt, each func(int, engine.Rows) error) error {
	parsed := make([]ddl.Stmt, len(stmts))
	writes, reads := 0, 0
	for i, st := range stmts {
		s, err := ddl.Parse(st.SQL)
		if err != nil {
			return syntaxError(err)
		}
		parsed[i] = s
		if _, other := s.(*ddl.Other); other {
			reads++
		} else {
			writes++
		}
	}
	cat := e.cat.Load()
	var err error
	if !p.Superuser {
		if cat, err = e.ensureUser(ctx, p); err != nil {
			return err
		}
	}
	sub := cat.Subject(p)
	if sub.Superuser || writes > 0 {
		if !sub.Superuser && reads > 0 {
			return sqlerr.New(sqlerr.FeatureUnsupported, "a batch may not mix reads with changes to policies; run them as separate batches")
		}
		return e.changeBatch(ctx, p, parsed, stmts, each)
	}
	return e.readBatch(ctx, cat, sub, stmts, each)
}

func (e *Engine) readBatch(ctx context.Context, cat *policy.Catalog, sub policy.Subject, stmts []engine.Stmt, each func(int, engine.Rows) error) error {
	pc, err := e.context(ctx, cat, sub)
	if err != nil {
		return err
	}
	conn, err := e.connFor(ctx, pc, "", pc.setup)
	if err != nil {
		return err
	}
	defer e.release(conn)
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
		e.applied.record(sub, pc, g.relations, st.SQL)
		r, err := conn.conn.QueryContext(ctx, g.text, st.Args...)
		if err != nil {
			rollback()
			return mapError(err, pc)
		}
		rows := newRows(r, func() {}, pc)
		rows.applied = appliedPolicies(pc, g.relations)
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

// changeBatch runs every statement inside one catalog transaction.
func (e *Engine) changeBatch(ctx context.Context, p identity.Principal, parsed []ddl.Stmt, stmts []engine.Stmt, each func(int, engine.Rows) error) error {
	return e.commit(ctx, func(tx sqlConn, cur *policy.Catalog) (*policy.Catalog, error) {
		for i, st := range parsed {
			sub := cur.Subject(p)
			var rows engine.Rows
			switch s := st.(type) {
			case *ddl.CreateTable, *ddl.DropTable, *ddl.AlterTable, *ddl.Copy:
				if !sub.Superuser {
					return nil, sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers may create, change, drop or load tables")
				}
				next, affected, err := e.tableStep(ctx, tx, cur, sub, st)
				if err != nil {
					return nil, mapError(err, nil)
				}
				cur, rows = next, tagRows(stepTag(st), affected)
			case *ddl.Other:
				// Only superusers reach here with reads or DML (checked above).
				if !slices.Contains(superuserStatements, s.Keyword) {
					return nil, sqlerr.New(sqlerr.FeatureUnsupported, "%s statements are not supported", strings.ToUpper(s.Keyword))
				}
				r, err := tx.QueryContext(ctx, s.Text, stmts[i].Args...)
				if err != nil {
					return nil, mapError(err, nil)
				}
				rows = newRows(r, func() {}, nil)
			default:
				next, err := cur.Apply(ctx, st, policy.Env{Actor: sub, Analyzer: analyzer{e}})
				if err != nil {
					return nil, err
				}
				cur, rows = next, tagRows(commandTag(st), -1)
			}
			err := each(i, rows)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				return nil, err
			}
		}
		return cur, nil
	})
}

func stepTag(st ddl.Stmt) string {
	if _, ok := st.(*ddl.Copy); ok {
		return "COPY"
	}
	return commandTag(st)
}
