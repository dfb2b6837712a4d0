package trino

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/policy"
)

// maxInlined bounds the values of one lookup inlined into a rule.
const maxInlined = 1000

// inlineLookups replaces, in a row filter of one principal's rule (Trino
// SQL), each "IN (SELECT …)" whose subquery runs on its own (it reads
// lookup tables only: current_user is already the principal's name) with
// the list of values it returns now, read as the service user.
//
// Why: Trino plans a filter with a subquery as a semi-join, and its
// predicate pushdown moves the statement's own predicates below the
// semi-join onto the table scan, where they see hidden rows (an
// expression failing on one fails the statement: a yes/no side channel).
// A filter over the row alone is evaluated before the statement's
// predicates. The lists are read again whenever the rules are written,
// which every change of a table's rows through tipgate does
// (lookupsChanged). A correlated subquery does not run on its own and is
// left as it is, as is one returning more than maxInlined values.
func (e *Engine) inlineLookups(ctx context.Context, filter string) (string, bool, error) {
	return inlineWith(filter, func(sub string) ([]string, bool, error) { return e.lookupValues(ctx, sub) })
}

// inlineWith is inlineLookups with the values of a subquery from values.
func inlineWith(filter string, values func(sub string) ([]string, bool, error)) (string, bool, error) {
	res, err := pg.Scan(filter)
	if err != nil {
		return filter, false, nil
	}
	toks := res.Tokens
	var b strings.Builder
	pos := 0
	inlined := false
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Token != pg.Token_IN_P || toks[i+1].Token != pg.Token_ASCII_40 || toks[i+2].Token != pg.Token_SELECT {
			continue
		}
		_, closing, ok := callArgs(filter, toks, i+1)
		if !ok {
			continue
		}
		sub := filter[toks[i+2].Start:toks[closing].Start]
		vals, ok, err := values(sub)
		if err != nil {
			return "", false, err
		}
		if !ok {
			continue
		}
		start := toks[i].Start
		not := i > 0 && toks[i-1].Token == pg.Token_NOT
		if not {
			start = toks[i-1].Start
		}
		var repl string
		switch {
		case len(vals) == 0 && not:
			repl = "IS NULL OR true" // x NOT IN (no rows) is true
		case len(vals) == 0:
			repl = "IS NULL AND false" // x IN (no rows) is false
		default:
			repl = "IN (" + strings.Join(vals, ", ") + ")"
			if not {
				repl = "NOT " + repl
			}
		}
		b.WriteString(filter[pos:start])
		b.WriteString(repl)
		pos = int(toks[closing].End)
		i = closing
		inlined = true
	}
	b.WriteString(filter[pos:])
	return b.String(), inlined, nil
}

// lookupValues runs a lookup subquery as the service user and returns its
// distinct values as typed literals; ok is false when it does not run on
// its own (correlated) or returns too many values.
func (e *Engine) lookupValues(ctx context.Context, sub string) ([]string, bool, error) {
	rows, err := e.db.QueryContext(ctx, "SELECT DISTINCT CAST(x AS varchar), typeof(x) FROM ("+sub+") AS tg_lookup(x) LIMIT "+
		strconv.Itoa(maxInlined+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, false, nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		var typ string
		if err := rows.Scan(&v, &typ); err != nil {
			return nil, false, nil
		}
		if !v.Valid {
			out = append(out, "NULL")
			continue
		}
		out = append(out, "CAST("+qs(v.String)+" AS "+typ+")")
	}
	if rows.Err() != nil || len(out) > maxInlined {
		return nil, false, nil
	}
	return out, true, nil
}

// rowWrites are the superuser's statements that change a table's rows.
var rowWrites = []string{"insert", "update", "delete", "merge", "truncate"}

// lookupsChanged rewrites the rules after a statement that changed rows,
// when they hold inlined lookup values: the lists are read again, and the
// statement returns once Trino applies them (a principal's next read sees
// the lookup table as it now is). Which table changed is not parsed out
// of the statement: any write rewrites them.
func (e *Engine) lookupsChanged(ctx context.Context, cat *policy.Catalog, keyword string) error {
	if !slices.Contains(rowWrites, keyword) {
		return nil
	}
	e.rulesMu.Lock()
	defer e.rulesMu.Unlock()
	if !e.lookupsInlined {
		return nil
	}
	return e.writeRulesLocked(ctx, cat)
}
