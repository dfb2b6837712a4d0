package postgres

import (
	"context"
	"errors"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

var errNotExpr = sqlerr.New(sqlerr.SyntaxError, "expression must be a single expression")

// analyzer reads policy expressions with PostgreSQL's own grammar.
type analyzer struct{ e *Engine }

var (
	_ policy.Analyzer  = analyzer{}
	_ policy.ExprTyper = analyzer{}
)

// Analyzer parses and types policy expressions with PostgreSQL.
func (e *Engine) Analyzer() policy.Analyzer { return analyzer{e} }

// AnalyzeExpr reads a policy expression with PostgreSQL's grammar, without
// a database: the Trino engine reads Redshift's policy expressions with it.
func AnalyzeExpr(ctx context.Context, expr string) (policy.ExprInfo, error) {
	return analyzer{}.AnalyzeExpr(ctx, expr)
}

func (a analyzer) AnalyzeExpr(ctx context.Context, expr string) (policy.ExprInfo, error) {
	_, root, err := parseExpr(expr)
	if err != nil {
		var se *sqlerr.Error
		if errors.As(err, &se) {
			return policy.ExprInfo{}, err
		}
		return policy.ExprInfo{}, sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", pgMessage(err))
	}
	var info policy.ExprInfo
	ctes := map[string]bool{}
	walk(root, func(n *pg.Node) bool {
		if c := n.GetCommonTableExpr(); c != nil {
			ctes[strings.ToLower(c.Ctename)] = true
		}
		return true
	})
	inner := func(n *pg.Node) bool {
		if c := n.GetColumnRef(); c != nil {
			info.SubqueryColumns = append(info.SubqueryColumns, lowerAll(strs(c.Fields)))
		}
		return true
	}
	walk(root, func(n *pg.Node) bool { return outerCol(&info, n, inner) })
	// What the expression may read: tables of the public schema (lookup
	// tables), no catalog, no table function, no refused function.
	var cerr error
	walk(root, func(n *pg.Node) bool {
		if cerr != nil {
			return false
		}
		switch {
		case n.GetRangeVar() != nil:
			rv := n.GetRangeVar()
			name := strings.ToLower(rv.Relname)
			schema := strings.ToLower(rv.Schemaname)
			switch {
			case rv.Catalogname != "" || (schema != "" && schema != "public"):
				cerr = sqlerr.New(sqlerr.InvalidParameter, "policy expressions may only read tables of the public schema, not %s", qualified(rv))
			case strings.HasPrefix(name, "pg_") || isSystemView(name):
				cerr = sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not read catalog relation %s", name)
			case !ctes[name] && !slices.Contains(info.Tables, name):
				info.Tables = append(info.Tables, name)
			}
		case n.GetRangeFunction() != nil:
			cerr = sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not call table functions")
		case n.GetFuncCall() != nil:
			schema, name := funcName(n.GetFuncCall())
			if (schema != "" && schema != "pg_catalog") || refusedFunction(name) {
				cerr = sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not call %s", name)
			}
		}
		return cerr == nil
	})
	return info, cerr
}

func outerCol(info *policy.ExprInfo, n *pg.Node, inner func(*pg.Node) bool) bool {
	if sl := n.GetSubLink(); sl != nil {
		if sl.Testexpr != nil {
			walk(sl.Testexpr, func(n *pg.Node) bool { return outerCol(info, n, inner) })
		}
		walk(sl.Subselect, inner)
		return false
	}
	if c := n.GetColumnRef(); c != nil {
		info.Columns = append(info.Columns, lowerAll(strs(c.Fields)))
	}
	return true
}

func lowerAll(s []string) []string {
	for i := range s {
		s[i] = strings.ToLower(s[i])
	}
	return s
}

// TypeOf asks PostgreSQL for the type of expr over typed inputs.
func (a analyzer) TypeOf(ctx context.Context, expr string, inputs []policy.Column) (string, error) {
	if _, root, err := parseExpr(expr); err == nil {
		if c := root.GetAConst(); c != nil && c.Isnull {
			// An untyped NULL has no type to compare (Redshift says so too).
			return `"NULL"`, nil
		}
	}
	var cols []string
	for _, in := range inputs {
		cols = append(cols, "CAST(NULL AS "+pgType(in.Type)+") AS "+qi(strings.ToLower(in.Name)))
	}
	if len(cols) == 0 {
		cols = []string{"1 AS one"}
	}
	tx, err := a.e.pool.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SET TRANSACTION READ ONLY"); err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, "SET LOCAL search_path = "+qi(schemaData)+", "+qi(schemaCompat)); err != nil {
		return "", err
	}
	var typ string
	if err := tx.QueryRow(ctx, "SELECT format_type(pg_typeof(("+expr+"))::oid, NULL) FROM (SELECT "+strings.Join(cols, ", ")+") AS inputs").Scan(&typ); err != nil {
		return "", mapError(err)
	}
	return redshiftType(typ), nil
}

// redshiftType names a PostgreSQL type (format_type) as Redshift does.
func redshiftType(t string) string {
	base, args, _ := strings.Cut(t, "(")
	if args != "" {
		args = "(" + args
	}
	switch base {
	case "character varying", "text":
		return "VARCHAR" + args
	case "character", "bpchar":
		return "CHAR" + args
	case "integer":
		return "INTEGER"
	case "smallint":
		return "SMALLINT"
	case "bigint":
		return "BIGINT"
	case "numeric":
		return "DECIMAL" + args
	case "double precision":
		return "DOUBLE PRECISION"
	case "real":
		return "REAL"
	case "boolean":
		return "BOOLEAN"
	case "timestamp without time zone":
		return "TIMESTAMP" + args
	case "timestamp with time zone":
		return "TIMESTAMPTZ" + args
	case "date":
		return "DATE"
	case "bytea":
		return "VARBYTE"
	case "unknown":
		return "VARCHAR"
	}
	return strings.ToUpper(t)
}
