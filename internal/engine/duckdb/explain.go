package duckdb

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// explain shows a principal the plan of its statement, as much of it as
// engine.ExplainFull allows. The reduced plan names operators and tables
// only; scans of row-filtered tables read "RLS SecureScan", as in
// Redshift. It is the unoptimised plan, which no statistics shape.
func (e *Engine) explain(ctx context.Context, pc *policyContext, text string, analyze bool, args []any) (engine.Rows, error) {
	full, err := engine.ExplainFull(pc.sub, pc.masked, analyze)
	if err != nil {
		return nil, err
	}
	g, err := e.guard(ctx, e.parse, pc, text)
	if err != nil {
		return nil, err
	}
	conn, err := e.connFor(ctx, pc, "", pc.setup)
	if err != nil {
		return nil, err
	}
	defer e.release(conn)
	out := &valueRows{cols: []engine.Column{{Name: "QUERY PLAN", Type: engine.Type{Kind: engine.TypeVarchar}}}}
	if full {
		prefix := "EXPLAIN "
		if analyze {
			prefix = "EXPLAIN ANALYZE "
		}
		return planRows(ctx, conn, prefix+g.text, args, pc)
	}
	// The unoptimised logical plan: the optimiser consults statistics of
	// all rows, hidden ones included, and its plan (an EMPTY_RESULT, say)
	// would answer questions about them. It is the plan of the statement
	// before the pushdown of leakproof predicates, whose shape would show
	// which of the principal's views take them (and so something of their
	// policies); the pushdown changes no result.
	js, err := logicalPlan(ctx, conn, g.checked, args)
	if err != nil {
		return nil, mapError(err, pc)
	}
	var plan []planNode
	if err := json.Unmarshal([]byte(js), &plan); err != nil {
		return nil, fmt.Errorf("duckdb: decode plan: %w", err)
	}
	for _, n := range plan {
		renderPlan(n, 0, pc, &out.data)
	}
	return out, nil
}

var reRawName = regexp.MustCompile(regexp.QuoteMeta(rawCatalog+".main.") + `(\S+)`)

type planNode struct {
	Name      string         `json:"name"`
	Children  []planNode     `json:"children"`
	ExtraInfo map[string]any `json:"extra_info"`
}

func renderPlan(n planNode, depth int, pc *policyContext, out *[][]any) {
	label := n.Name
	if tbl, ok := n.ExtraInfo["Table"].(string); ok {
		name := strings.TrimPrefix(tbl, rawCatalog+".main.")
		switch {
		case slices.Contains(pc.protected, name):
			label = "RLS SecureScan " + name
		case pc.lookups[name]:
			// A policy's lookup table, or the principal's own read of it:
			// the plan cannot tell, and naming it would reveal the policy.
			label = "RLS SecureScan (lookup)"
		default:
			label += " " + name
		}
	}
	indent := strings.Repeat("  ", depth)
	if depth > 0 {
		indent += "->  "
	}
	*out = append(*out, []any{indent + label})
	for _, c := range n.Children {
		renderPlan(c, depth+1, pc, out)
	}
}

func logicalPlan(ctx context.Context, conn *pooledConn, text string, args []any) (string, error) {
	rows, err := conn.conn.QueryContext(ctx, "EXPLAIN (FORMAT JSON) "+text, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return "", err
		}
		if k == "logical_plan" {
			return v, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", sqlerr.New(sqlerr.Internal, "no logical plan available")
}

// planRows runs an EXPLAIN and returns DuckDB's physical plan, one row per
// line.
func planRows(ctx context.Context, conn *pooledConn, text string, args []any, pc *policyContext) (engine.Rows, error) {
	out := &valueRows{cols: []engine.Column{{Name: "QUERY PLAN", Type: engine.Type{Kind: engine.TypeVarchar}}}}
	rows, err := conn.conn.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, mapError(err, pc)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, mapError(err, pc)
		}
		if k != "physical_plan" && k != "analyzed_plan" {
			continue
		}
		for _, line := range strings.Split(strings.TrimRight(v, "\n"), "\n") {
			if pc != nil {
				// Keep the box drawing aligned: the prefix is 12 characters.
				line = reRawName.ReplaceAllString(line, "      $1      ")
			}
			out.data = append(out.data, []any{line})
		}
	}
	return out, mapError(rows.Err(), pc)
}
