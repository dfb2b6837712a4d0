package duckdb

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// rawCatalog is the DuckDB catalog that holds the real tables. A principal's
// statement may never name it (guard) and cannot reach it by an unqualified
// name (it is not on the search path of policy connections).
const rawCatalog = "tg_raw"

func rawTable(name string) string {
	return rawCatalog + ".main." + sqlscan.QuoteIdent(name)
}

// compileView returns the view that computes exactly what the decision
// allows: the row filter on raw values first (inner query), then masks in
// place of masked columns, and only the granted columns. Column names and
// types stay those of the table. Its SQL is viewPlan.sql(""); the parts
// are kept for the pushdown of leakproof predicates (pushdown.go).
func (e *Engine) compileView(ctx context.Context, q querier, cat *policy.Catalog, sub policy.Subject, a policy.Access) (*viewPlan, error) {
	alias := a.Table
	var preds []string
	for _, p := range a.Rows.Policies {
		if p.Alias != "" {
			alias = p.Alias
		}
		if pol := cat.RLSPolicies[p.Policy]; pol != nil {
			for _, lk := range pol.Lookups {
				if !cat.HasLookupGrant(pol.Name, lk) {
					// The principal is not told which policy failed or why:
					// that would describe the policy.
					return nil, sqlerr.PermissionDeniedRelation(lk)
				}
			}
		}
		pred, err := e.rewriteExpr(ctx, q, cat, sub, p.Predicate, nil)
		if err != nil {
			return nil, fmt.Errorf("RLS policy %s: %w", p.Policy, err)
		}
		preds = append(preds, "("+pred+")")
	}
	v := &viewPlan{table: a.Table, source: rawTable(a.Table) + " AS " + sqlscan.QuoteIdent(alias), columns: map[string]string{}}
	switch {
	case !a.Rows.Enforced:
	case a.Rows.DenyAll():
		v.filter = "false"
	default:
		conj := " AND "
		if a.Rows.Conjunction == "or" {
			conj = " OR "
		}
		// A NULL predicate hides the row, as in WHERE.
		v.filter = "coalesce(" + strings.Join(preds, conj) + ", false)"
		v.bareFilter = "(" + strings.Join(preds, conj) + ")"
		pushable, err := e.rowFilterInfallible(ctx, q, preds, a, alias)
		if err != nil {
			return nil, err
		}
		v.pushable = pushable
	}
	var cols []string
	for _, c := range a.Columns {
		if !c.Granted {
			continue
		}
		qc := sqlscan.QuoteIdent(c.Name)
		if c.Mask == nil {
			cols = append(cols, qc)
			v.columns[strings.ToLower(c.Name)] = duckType(c.Type)
			continue
		}
		bind := map[string]string{}
		for i, p := range c.Mask.Params {
			if i < len(c.Mask.Args) {
				bind[strings.ToLower(p.Name)] = c.Mask.Args[i]
			}
		}
		expr, err := e.rewriteExpr(ctx, q, cat, sub, c.Mask.Expr, bind)
		if err != nil {
			return nil, fmt.Errorf("masking policy %s: %w", c.Mask.Policy, err)
		}
		independent, err := rowIndependent(ctx, q, expr)
		if err != nil {
			return nil, err
		}
		if !independent {
			v.maskReads = append(v.maskReads, strings.ToLower(c.Name))
		}
		cols = append(cols, "CAST(("+expr+") AS "+duckType(c.Type)+") AS "+qc)
	}
	v.projection = strings.Join(cols, ", ")
	return v, nil
}

// rewriteExpr prepares a policy expression for a view: lookup tables are
// read from the raw catalog (a policy reads with its own privileges, not
// the invoker's), session functions become the principal's values, and
// masking inputs are bound to the attached columns through TRY, so a mask,
// like the principal's own SQL, never sees a value of a hidden row
// (isolate.go): only the row filter reads hidden rows.
func (e *Engine) rewriteExpr(ctx context.Context, q querier, cat *policy.Catalog, sub policy.Subject, expr string, bind map[string]string) (string, error) {
	tree, err := parseSQL(ctx, q, "SELECT "+expr)
	if err != nil {
		return "", err
	}
	if len(tree.statements) != 1 {
		return "", sqlerr.New(sqlerr.SyntaxError, "policy expression is not a single expression")
	}
	var ctes []string
	_ = walk(tree.statements[0], func(n node) (bool, error) {
		ctes = append(ctes, cteNames(n)...)
		return true, nil
	})
	// bound holds the masking inputs already bound to their columns: a
	// column's name may equal another parameter's and must not be bound
	// twice.
	bound := map[uintptr]bool{}
	err = walk(tree.statements[0], func(n node) (bool, error) {
		if bound[reflect.ValueOf(n).Pointer()] {
			// A masking input already bound to its column: its name may
			// equal another parameter's and must not be bound twice.
			return false, nil
		}
		if str(n, "type") == "BASE_TABLE" && str(n, "catalog_name") == "" {
			name := strings.ToLower(str(n, "table_name"))
			if _, ok := cat.Table(name); ok && !contains(ctes, name) {
				n["catalog_name"], n["schema_name"], n["table_name"] = rawCatalog, "main", name
			}
		}
		for k, child := range n {
			m, ok := child.(node)
			if !ok || str(m, "class") != "COLUMN_REF" {
				continue
			}
			names := columnNames(m)
			if len(names) == 1 {
				switch names[0] {
				case "current_user", "session_user", "user", "current_role":
					n[k] = constantString(sub.User)
					continue
				}
				if col, ok := bind[names[0]]; ok {
					m["column_names"] = []any{col}
					n[k] = boundInput(bound, m)
				}
			}
		}
		if list, ok := n["children"].([]any); ok {
			rewriteList(list, sub, bind, bound)
		}
		return true, nil
	})
	if err != nil {
		return "", err
	}
	// A policy means what it means on Redshift (integer division, NULL-
	// strict CONCAT, …), like the principal's own SQL.
	if _, err := redshiftRewrite(ctx, q, tree.statements[0], false); err != nil {
		return "", err
	}
	text, err := deparse(ctx, q, tree)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(text, "SELECT "), nil
}

// rewriteList handles COLUMN_REFs held in lists (function arguments).
func rewriteList(list []any, sub policy.Subject, bind map[string]string, bound map[uintptr]bool) {
	for i, child := range list {
		m, ok := child.(node)
		if !ok || str(m, "class") != "COLUMN_REF" {
			continue
		}
		names := columnNames(m)
		if len(names) != 1 {
			continue
		}
		switch names[0] {
		case "current_user", "session_user", "user", "current_role":
			list[i] = constantString(sub.User)
			continue
		}
		if col, ok := bind[names[0]]; ok {
			m["column_names"] = []any{col}
			list[i] = boundInput(bound, m)
		}
	}
}

// boundInput binds a masking input to its column through TRY.
func boundInput(bound map[uintptr]bool, col node) node {
	t := tryNode(col)
	bound[reflect.ValueOf(t).Pointer()] = true
	return t
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// duckType maps a Redshift type spelling to DuckDB's.
func duckType(t string) string {
	u := strings.ToUpper(strings.Join(strings.Fields(t), " "))
	base, args, _ := strings.Cut(u, "(")
	if args != "" {
		args = "(" + args
	}
	switch strings.TrimSpace(base) {
	case "TEXT", "BPCHAR", "NVARCHAR", "NCHAR", "CHARACTER VARYING", "CHARACTER", "CHAR", "VARCHAR", "STRING":
		return "VARCHAR"
	case "DOUBLE PRECISION", "FLOAT8", "FLOAT":
		return "DOUBLE"
	case "FLOAT4", "REAL":
		return "REAL"
	case "INT", "INT4", "INTEGER":
		return "INTEGER"
	case "INT2", "SMALLINT":
		return "SMALLINT"
	case "INT8", "BIGINT":
		return "BIGINT"
	case "BOOL", "BOOLEAN":
		return "BOOLEAN"
	case "TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP":
		return "TIMESTAMP"
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return "TIMESTAMPTZ"
	case "VARBYTE", "VARBINARY", "BINARY VARYING":
		return "BLOB"
	case "SUPER":
		return "VARCHAR"
	case "DECIMAL", "NUMERIC":
		if args == "" {
			return "DECIMAL(18,0)"
		}
		return "DECIMAL" + args
	}
	return u
}
