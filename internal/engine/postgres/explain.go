package postgres

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"
	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// explain answers EXPLAIN by the router's rule (engine.ExplainFull): the
// full plan, predicates included, to holders of EXPLAIN RLS (and EXPLAIN
// MASKING where a mask applies); otherwise only PostgreSQL's operators and
// tables, a scan of a row-filtered table named "RLS SecureScan", because
// PostgreSQL prints the policies' predicates and row estimates that count
// hidden rows.
func (e *Engine) explain(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, sub policy.Subject, a admitted, args []any) (engine.Rows, error) {
	masked, filtered := false, map[string]bool{}
	for _, rel := range a.relations {
		acc, ok := cat.Decide(sub, rel)
		if !ok {
			continue
		}
		if !acc.Visible {
			return nil, sqlerr.PermissionDeniedRelation(rel)
		}
		filtered[rel] = acc.Rows.Enforced
		for _, c := range acc.Columns {
			masked = masked || (c.Granted && c.Mask != nil)
		}
	}
	full, err := engine.ExplainFull(sub, masked, a.analyze)
	if err != nil {
		return nil, err
	}
	var lines []string
	if full {
		r, err := tx.Query(ctx, a.text, args...)
		if err != nil {
			return nil, mapReadError(err)
		}
		for r.Next() {
			var l string
			if err := r.Scan(&l); err != nil {
				return nil, mapReadError(err)
			}
			lines = append(lines, l)
		}
		if err := r.Err(); err != nil {
			return nil, mapReadError(err)
		}
	} else {
		tree, err := pg.Parse(a.text)
		if err != nil {
			return nil, sqlerr.Wrap(sqlerr.Internal, err, "statement does not parse")
		}
		query, err := pg.Deparse(&pg.ParseResult{Version: tree.Version, Stmts: []*pg.RawStmt{{Stmt: tree.Stmts[0].Stmt.GetExplainStmt().Query}}})
		if err != nil {
			return nil, sqlerr.Wrap(sqlerr.Internal, err, "statement could not be printed back")
		}
		var plan string
		if err := tx.QueryRow(ctx, "EXPLAIN (COSTS OFF, FORMAT JSON) "+query, args...).Scan(&plan); err != nil {
			return nil, mapReadError(err)
		}
		var root []struct {
			Plan planNode `json:"Plan"`
		}
		if err := json.Unmarshal([]byte(plan), &root); err != nil || len(root) != 1 {
			return nil, sqlerr.New(sqlerr.Internal, "EXPLAIN returned an unexpected plan")
		}
		lines = reducedPlan(root[0].Plan, filtered, 0, nil)
	}
	out := make([][]any, len(lines))
	for i, l := range lines {
		out[i] = []any{l}
	}
	return newConstRows([]engine.Column{{Name: "QUERY PLAN", Type: engine.Type{Kind: engine.TypeVarchar}}}, out), nil
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

// reducedPlan prints operators and tables only, no predicate, no estimate.
func reducedPlan(n planNode, filtered map[string]bool, depth int, out []string) []string {
	label := n.NodeType
	if n.Relation != "" {
		if filtered[n.Relation] {
			label = "RLS SecureScan " + n.Relation
		} else {
			label += " on " + n.Relation
		}
	}
	if depth > 0 {
		label = strings.Repeat("  ", depth-1) + "  ->  " + label
	}
	out = append(out, label)
	for _, c := range n.Plans {
		out = reducedPlan(c, filtered, depth+1, out)
	}
	return out
}
