package trino

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Read runs a principal's query on Trino as the principal (impersonated by
// the service user), under the rules compiled for the principal's roles,
// which Trino enforces.
func (e *Engine) Read(ctx context.Context, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	if strings.EqualFold(sub.User, e.opts.User) {
		return nil, sqlerr.New(sqlerr.PermissionDenied, "permission denied: %s is the Trino engine's service user", sub.User)
	}
	text := st.Text
	query, analyze, isExplain := explainPrefix(text)
	if isExplain {
		text = query
	}
	if err := checkKeyword(text); err != nil {
		return nil, err
	}
	text, targs, err := placeholders(text, args)
	if err != nil {
		return nil, err
	}
	text, named := redshiftNames(cat, text)
	if text, err = e.withSystemViews(cat, sub, text); err != nil {
		return nil, err
	}
	release, err := e.acquire(ctx, sub)
	if err != nil {
		return nil, err
	}
	as := sql.Named("X-Trino-User", sub.User)
	var plan string
	if err := e.db.QueryRowContext(ctx, "EXPLAIN (TYPE IO, FORMAT JSON) "+text, append(targs, as)...).Scan(&plan); err != nil {
		release()
		return nil, mapReadError(err)
	}
	relations, err := checkIO(plan, e.opts.Catalog, e.opts.Schema)
	if err != nil {
		release()
		return nil, err
	}
	for _, n := range named {
		// A name of the statement may be a column or an alias: only a
		// table the principal reads counts.
		if a, ok := cat.Decide(sub, n); ok && a.Visible && !slices.Contains(relations, n) {
			relations = append(relations, n)
		}
	}
	slices.Sort(relations)
	for _, rel := range relations {
		acc, ok := cat.Decide(sub, rel)
		if !ok || !acc.Rows.Enforced {
			continue
		}
		for _, p := range acc.Rows.Policies {
			if len(p.UngrantedLookups) > 0 {
				release()
				return nil, sqlerr.PermissionDeniedRelation(p.UngrantedLookups[0])
			}
		}
	}
	if isExplain {
		defer release()
		return e.explain(ctx, cat, sub, text, analyze, relations, targs)
	}
	r, err := e.db.QueryContext(ctx, text, append(targs, as)...)
	if err != nil {
		release()
		return nil, mapReadError(err)
	}
	out, err := newRows(r, release, "SELECT")
	if err != nil {
		return nil, err
	}
	decisions := map[string]policy.Access{}
	for _, rel := range relations {
		if a, ok := cat.Decide(sub, rel); ok {
			decisions[rel] = a
		}
	}
	out.applied = engine.Applied(decisions, relations)
	return out, nil
}

// rowStatements return rows; the superuser's other statements return a tag.
var rowStatements = []string{"select", "with", "values", "table", "explain", "show", "describe"}

// Raw runs a superuser's statement as the service user on the warehouse
// schema. Trino has no transaction across statements on Iceberg shared
// with the store: a batch's statements each take effect alone.
func (e *Engine) Raw(ctx context.Context, _ engine.Tx, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	text, targs, err := placeholders(st.Text, args)
	if err != nil {
		return nil, err
	}
	if text, err = e.withSystemViews(cat, sub, text); err != nil {
		return nil, err
	}
	kw := strings.ToLower(st.Keyword)
	if kw == "truncate" {
		text = truncateTable(text)
	}
	isRows := false
	for _, k := range rowStatements {
		isRows = isRows || k == kw
	}
	if !isRows {
		res, err := e.db.ExecContext(ctx, text, targs...)
		if err != nil {
			return nil, mapError(err)
		}
		n, _ := res.RowsAffected()
		return engine.TagRows(strings.ToUpper(kw), n), nil
	}
	r, err := e.db.QueryContext(ctx, text, targs...)
	if err != nil {
		return nil, mapError(err)
	}
	out, err := newRows(r, func() {}, strings.ToUpper(kw))
	if err != nil {
		return nil, err
	}
	return out, nil
}
