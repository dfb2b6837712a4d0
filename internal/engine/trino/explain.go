package trino

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// explainPrefix splits "EXPLAIN [ANALYZE] [VERBOSE] query" on PostgreSQL's
// tokens: ok is false for a statement that is not an EXPLAIN.
func explainPrefix(text string) (query string, analyze, ok bool) {
	res, err := pg.Scan(text)
	if err != nil || len(res.Tokens) == 0 || res.Tokens[0].Token != pg.Token_EXPLAIN {
		return "", false, false
	}
	i := 1
	for i < len(res.Tokens) {
		switch res.Tokens[i].Token {
		case pg.Token_ANALYZE, pg.Token_ANALYSE:
			analyze = true
			i++
			continue
		case pg.Token_VERBOSE:
			i++
			continue
		}
		break
	}
	if i >= len(res.Tokens) {
		return "", false, false
	}
	return text[res.Tokens[i].Start:], analyze, true
}

// explain answers a principal's EXPLAIN by the router's rule
// (engine.ExplainFull): Trino's own plan, which prints the row filter and
// the masks, only to holders of EXPLAIN RLS (and EXPLAIN MASKING where a
// mask applies); to others the operators tipgate knows without Trino's
// plan: the output and one scan per table, a row-filtered one named
// "RLS SecureScan", no predicate and no estimate. The query itself passed
// the guard (relations are what Trino's analyzer says it reads).
func (e *Engine) explain(ctx context.Context, cat *policy.Catalog, sub policy.Subject, query string, analyze bool, relations []string, args []any) (engine.Rows, error) {
	masked, filtered := false, map[string]bool{}
	for _, rel := range relations {
		acc, ok := cat.Decide(sub, rel)
		if !ok || !acc.Visible {
			return nil, sqlerr.PermissionDeniedRelation(rel)
		}
		filtered[rel] = acc.Rows.Enforced
		for _, c := range acc.Columns {
			masked = masked || (c.Granted && c.Mask != nil)
		}
	}
	full, err := engine.ExplainFull(sub, masked, analyze)
	if err != nil {
		return nil, err
	}
	var lines []string
	if full {
		stmt := "EXPLAIN "
		if analyze {
			stmt = "EXPLAIN ANALYZE "
		}
		var plan string
		if err := e.db.QueryRowContext(ctx, stmt+query, append(slices.Clone(args), sql.Named("X-Trino-User", sub.User))...).Scan(&plan); err != nil {
			return nil, mapReadError(err)
		}
		lines = strings.Split(strings.TrimRight(plan, "\n"), "\n")
	} else {
		lines = []string{"Output"}
		for _, rel := range relations {
			if filtered[rel] {
				lines = append(lines, "  ->  RLS SecureScan "+rel)
			} else {
				lines = append(lines, "  ->  TableScan "+rel)
			}
		}
	}
	out := make([][]any, len(lines))
	for i, l := range lines {
		out[i] = []any{l}
	}
	return &constRows{cols: []engine.Column{{Name: "QUERY PLAN", Type: engine.Type{Kind: engine.TypeVarchar}}}, rows: out, i: -1}, nil
}

// constRows is a result tipgate computed itself.
type constRows struct {
	cols []engine.Column
	rows [][]any
	i    int
}

func (r *constRows) Columns() []engine.Column { return r.cols }
func (r *constRows) Next() bool               { r.i++; return r.i < len(r.rows) }
func (r *constRows) Values() []any            { return r.rows[r.i] }
func (r *constRows) Err() error               { return nil }
func (r *constRows) Close() error             { return nil }
func (r *constRows) Tag() string              { return "EXPLAIN" }
func (r *constRows) RowsAffected() int64      { return -1 }
