package trino

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

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
	text = limitOffset(text)
	// The policy translator also serves the principal's own Redshift
	// spellings (x::type, NVL, LEN, LEFT, RIGHT; current_user becomes the
	// principal's name, which it is). The guard's IO plan is of the
	// translated text, the one that runs.
	if text, err = translate(text, sub.User); err != nil {
		return nil, err
	}
	if text, err = e.withSystemViews(cat, sub, text); err != nil {
		return nil, err
	}
	release, err := e.acquire(ctx, sub)
	if err != nil {
		return nil, err
	}
	as := sql.Named("X-Trino-User", sub.User)
	key := admissionKey{version: cat.Version, subject: fmt.Sprintf("%s|%t|%t|%t", sub.Key(), sub.IgnoreRLS, sub.ExplainRLS, sub.ExplainMasking), text: text}
	relations, ok := e.admissions.get(key)
	if !ok {
		var plan string
		if err := e.db.QueryRowContext(ctx, "EXPLAIN (TYPE IO, FORMAT JSON) "+text, append(targs, as)...).Scan(&plan); err != nil {
			release()
			return nil, mapReadError(err)
		}
		if relations, err = checkIO(plan, e.opts.Catalog, e.opts.Schema); err != nil {
			release()
			return nil, err
		}
		e.admissions.put(key, relations)
	}
	for _, rel := range relations {
		// Only the catalog's tables: never one of Iceberg's metadata tables
		// ("t$files" holds every data file's column bounds) or anything
		// else of the schema tipgate did not create (the rules refuse them
		// too).
		if _, ok := cat.Table(rel); !ok {
			release()
			return nil, sqlerr.PermissionDeniedRelation(rel)
		}
	}
	// The relations the statement reads are the catalog tables it names:
	// Trino's IO plan also lists the lookup tables of row filters (which
	// the principal does not read, and EXPLAIN must not show), and leaves
	// out a table whose scan the optimizer removed (a row filter of false).
	// A name of the statement may be a column or an alias: only a table
	// the principal may read counts.
	planned := relations
	relations = nil
	for _, n := range named {
		if a, ok := cat.Decide(sub, n); ok && a.Visible && !slices.Contains(relations, n) {
			relations = append(relations, n)
		}
	}
	for _, rel := range planned {
		if _, isLookup := cat.IsLookupTable(rel); !isLookup && !slices.Contains(relations, rel) {
			relations = append(relations, rel)
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
func (e *Engine) Raw(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	text, targs, err := placeholders(st.Text, args)
	if err != nil {
		return nil, err
	}
	text = limitOffset(text)
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
		if t, ok := tx.(*trinoTx); ok && t != nil {
			// Inside Commit, which holds rulesMu: it rewrites the rules.
			t.rowsChanged = t.rowsChanged || slices.Contains(rowWrites, kw)
		} else if err := e.lookupsChanged(ctx, cat, kw); err != nil {
			return nil, err
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

// admissionKey is what decides the guard's answer for a statement: its
// text (after tipgate's rewriting, system views included), the principal's
// policy context, and the catalog version (every table DDL and policy change
// moves it, and with it what the names resolve to and the rules Trino
// applies). Bound parameter values cannot change which tables a query
// reads.
type admissionKey struct {
	version int64
	subject string
	text    string
}

// admissions caches the tables each admitted statement reads, so a
// statement seen before runs with one Trino query, not two (the guard's
// EXPLAIN costs a round trip to the coordinator: tens of ms). Only
// admissions are cached; a refusal is computed again. Trino's rules still
// decide every run: the cache only spares the guard's analysis.
type admissions struct {
	mu sync.Mutex
	m  map[admissionKey][]string
}

// maxAdmissions bounds the cache; when full it starts again empty.
const maxAdmissions = 4096

func (a *admissions) get(k admissionKey) ([]string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r, ok := a.m[k]
	return slices.Clone(r), ok
}

func (a *admissions) put(k admissionKey, relations []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil || len(a.m) >= maxAdmissions {
		a.m = map[admissionKey][]string{}
	}
	a.m[k] = slices.Clone(relations)
}
