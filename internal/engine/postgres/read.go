package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Read runs a principal's read under the principal's own PostgreSQL role,
// which PostgreSQL's row security, column grants and masking views hold
// to the catalog's decision.
func (e *Engine) Read(ctx context.Context, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	a, err := e.admit(ctx, cat, sub, st.Text)
	if err != nil {
		return nil, err
	}
	conn, tx, err := e.begin(ctx, sub)
	if err != nil {
		return nil, err
	}
	if a.explain {
		defer conn.Release()
		defer tx.Rollback(context.WithoutCancel(ctx))
		return e.explain(ctx, tx, cat, sub, a, args)
	}
	r, err := tx.Query(ctx, a.text, args...)
	if err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, mapReadError(err)
	}
	out := newRows(r, finisher(ctx, tx, conn.Release), mapReadError)
	if err := out.prime(); err != nil {
		return nil, err
	}
	out.applied = appliedPolicies(cat, sub, a.relations)
	return out, nil
}

// admit guards the statement and refuses, as Redshift does, a read of a
// table whose policy reads a lookup table it was not granted.
func (e *Engine) admit(ctx context.Context, cat *policy.Catalog, sub policy.Subject, text string) (admitted, error) {
	a, err := guard(cat, sub, text, func() map[string]engine.SystemView { return e.systemViews(cat, sub) })
	if err != nil {
		return admitted{}, err
	}
	if err := e.ensureSession(ctx, cat, sub); err != nil {
		return admitted{}, err
	}
	for _, rel := range a.relations {
		acc, ok := cat.Decide(sub, rel)
		if !ok || !acc.Rows.Enforced {
			continue
		}
		for _, p := range acc.Rows.Policies {
			if len(p.UngrantedLookups) > 0 {
				// The principal is not told which policy failed or why.
				return admitted{}, sqlerr.PermissionDeniedRelation(p.UngrantedLookups[0])
			}
		}
	}
	return a, nil
}

// begin opens the principal's transaction: read-only, its role, a
// statement timeout and the search path that shows it the views and
// Redshift's functions, all SET LOCAL so that nothing outlives it on the
// pooled connection.
func (e *Engine) begin(ctx context.Context, sub policy.Subject) (*pgxpool.Conn, pgx.Tx, error) {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: connect: %w", err)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		conn.Release()
		return nil, nil, fmt.Errorf("postgres: begin: %w", err)
	}
	setup := fmt.Sprintf("SET LOCAL ROLE %s; SET LOCAL statement_timeout = %d; SET LOCAL search_path = %s, %s, pg_catalog",
		qi(pgName(e.opts.RolePrefix, sub.User)), e.opts.StatementTimeout.Milliseconds(), qi(schemaViews), qi(schemaCompat))
	// tipgate's own text, several statements: the simple protocol.
	if _, err := tx.Exec(ctx, setup, pgx.QueryExecModeSimpleProtocol); err != nil {
		tx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, nil, mapError(err)
	}
	return conn, tx, nil
}

// ReadBatch runs several reads of one principal in one snapshot.
func (e *Engine) ReadBatch(ctx context.Context, cat *policy.Catalog, sub policy.Subject, stmts []engine.Stmt, each func(i int, rows engine.Rows) error) error {
	var texts []admitted
	for _, st := range stmts {
		a, err := e.admit(ctx, cat, sub, st.SQL)
		if err != nil {
			return err
		}
		texts = append(texts, a)
	}
	conn, tx, err := e.begin(ctx, sub)
	if err != nil {
		return err
	}
	defer conn.Release()
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", pgx.QueryExecModeSimpleProtocol); err != nil {
		// Only allowed before the first query; the setup ran SETs only,
		// which take no snapshot.
		return mapError(err)
	}
	for i, a := range texts {
		r, err := tx.Query(ctx, a.text, stmts[i].Args...)
		if err != nil {
			return mapReadError(err)
		}
		out := newRows(r, func(bool) error { return nil }, mapReadError)
		if err := out.prime(); err != nil {
			return err
		}
		out.applied = appliedPolicies(cat, sub, a.relations)
		err = each(i, out)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = out.Err()
		}
		if err != nil {
			return err
		}
	}
	return mapError(tx.Commit(ctx))
}

// appliedPolicies names the policies that shaped a read of relations, for
// the audit log and SVV_RLS_APPLIED_POLICY.
func appliedPolicies(cat *policy.Catalog, sub policy.Subject, relations []string) []engine.AppliedPolicy {
	decisions := map[string]policy.Access{}
	for _, rel := range relations {
		if a, ok := cat.Decide(sub, rel); ok {
			decisions[rel] = a
		}
	}
	return engine.Applied(decisions, relations)
}

// rowStatements return rows; the superuser's other statements return a tag.
var rowStatements = []string{"select", "with", "values", "table", "explain", "show"}

// Raw runs a superuser's statement on the raw tables (tipgate_data first
// on the search path), inside tx when it is not nil (a batch).
func (e *Engine) Raw(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	text, err := e.rawText(cat, sub, st)
	if err != nil {
		return nil, err
	}
	st = &ddl.Other{Keyword: st.Keyword, Text: text}
	if tx != nil {
		t, err := txOf(tx)
		if err != nil {
			return nil, err
		}
		return rawRun(ctx, t.tx, st, args, func(bool) error { return nil })
	}
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	ptx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("postgres: begin: %w", err)
	}
	if _, err := ptx.Exec(ctx, "SET LOCAL search_path = "+qi(schemaData)+", "+qi(schemaCompat)+", pg_catalog", pgx.QueryExecModeSimpleProtocol); err != nil {
		ptx.Rollback(context.WithoutCancel(ctx))
		conn.Release()
		return nil, mapError(err)
	}
	return rawRun(ctx, ptx, st, args, finisher(ctx, ptx, conn.Release))
}

// rawText gives the superuser's queries what principals' have: the system
// views, and current_user as the Redshift user.
func (e *Engine) rawText(cat *policy.Catalog, sub policy.Subject, st *ddl.Other) (string, error) {
	if !slices.Contains(rowStatements, st.Keyword) {
		return st.Text, nil
	}
	tree, err := pg.Parse(st.Text)
	if err != nil || len(tree.Stmts) != 1 {
		return st.Text, nil // PostgreSQL reports it
	}
	stmt := tree.Stmts[0].Stmt
	if ex := stmt.GetExplainStmt(); ex != nil {
		stmt = ex.Query
	}
	sel := stmt.GetSelectStmt()
	if sel == nil {
		return st.Text, nil
	}
	var system map[string]engine.SystemView
	var inline []string
	changed := false
	walk(stmt, func(n *pg.Node) bool {
		if isSessionUser(n) {
			n.Node = stringConst(sub.User).Node
			changed = true
			return false
		}
		if redshiftRewrite(n) {
			changed = true
		}
		if rv := n.GetRangeVar(); rv != nil && rv.Schemaname == "" {
			name := strings.ToLower(rv.Relname)
			if _, table := cat.Table(name); !table && isSystemView(name) {
				if system == nil {
					system = e.systemViews(cat, sub)
				}
				if _, ok := system[name]; ok && !slices.Contains(inline, name) {
					inline = append(inline, name)
				}
			}
		}
		return true
	})
	if len(inline) > 0 {
		if err := addViews(sel, system, inline); err != nil {
			return "", err
		}
		changed = true
	}
	if !changed {
		return st.Text, nil
	}
	out, err := pg.Deparse(tree)
	if err != nil {
		return "", sqlerr.Wrap(sqlerr.Internal, err, "statement could not be printed back")
	}
	return out, nil
}

func rawRun(ctx context.Context, tx pgx.Tx, st *ddl.Other, args []any, finish func(bool) error) (engine.Rows, error) {
	if !slices.Contains(rowStatements, st.Keyword) {
		tag, err := tx.Exec(ctx, st.Text, args...)
		if ferr := finish(err == nil); err == nil {
			err = ferr
		}
		if err != nil {
			return nil, mapError(err)
		}
		return engine.TagRows(strings.ToUpper(st.Keyword), tag.RowsAffected()), nil
	}
	r, err := tx.Query(ctx, st.Text, args...)
	if err != nil {
		finish(false)
		return nil, mapError(err)
	}
	out := newRows(r, finish, mapError)
	if err := out.prime(); err != nil {
		return nil, err
	}
	return out, nil
}
