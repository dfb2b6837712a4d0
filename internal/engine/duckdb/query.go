package duckdb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Read runs a principal's query through its policy views.
func (e *Engine) Read(ctx context.Context, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	keyword, text := st.Keyword, st.Text
	pc, err := e.context(ctx, cat, sub)
	if err != nil {
		return nil, err
	}
	if keyword == "explain" {
		if explain, rest, analyze := splitExplain(text); explain {
			return e.explain(ctx, pc, rest, analyze, args)
		}
	}
	g, err := e.guard(ctx, e.parse, pc, text)
	if err != nil {
		return nil, err
	}
	conn, err := e.connFor(ctx, pc, "", pc.setup)
	if err != nil {
		return nil, err
	}
	if err := e.refreshDynamicViews(ctx, conn, sub, g.relations); err != nil {
		e.release(conn)
		return nil, err
	}
	stmt, err := conn.prepared(ctx, g.text)
	if err != nil {
		e.release(conn)
		return nil, mapError(err, pc)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		// Whatever failed (an interrupt, a bad argument), the next run
		// prepares afresh.
		conn.forget(g.text)
		e.release(conn)
		return nil, mapError(err, pc)
	}
	out := newRows(rows, func() { e.release(conn) }, pc)
	out.applied = engine.Applied(pc.access, g.relations)
	return out, nil
}

// Raw runs a superuser's statement on the raw tables, inside tx when it is
// not nil (a batch).
func (e *Engine) Raw(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (engine.Rows, error) {
	// A Redshift script's queries mean the same for every user.
	text, err := redshiftText(ctx, e.parse, st.Text)
	if err != nil {
		return nil, err
	}
	if tx != nil {
		t, err := txConn(tx)
		if err != nil {
			return nil, err
		}
		r, err := t.conn.QueryContext(ctx, text, args...)
		if err != nil {
			return nil, mapError(err, nil)
		}
		return newRows(r, func() {}, nil), nil
	}
	return e.superuserQuery(ctx, cat, sub, text, args)
}

// superuserQuery runs a statement on the raw tables.
func (e *Engine) superuserQuery(ctx context.Context, cat *policy.Catalog, sub policy.Subject, text string, args []any) (engine.Rows, error) {
	pc, err := e.context(ctx, cat, sub)
	if err != nil {
		return nil, err
	}
	setup := append(append(slices.Clip(pc.setup), rawMacros()...), "USE "+rawCatalog)
	conn, err := e.connFor(ctx, pc, "|raw", setup)
	if err != nil {
		return nil, err
	}
	if err := e.refreshDynamicViews(ctx, conn, sub, []string{strings.ToLower(text)}); err != nil {
		e.release(conn)
		return nil, err
	}
	if explain, _, _ := splitExplain(text); explain {
		defer e.release(conn)
		return planRows(ctx, conn, text, args, nil)
	}
	rows, err := conn.conn.QueryContext(ctx, text, args...)
	if err != nil {
		e.release(conn)
		return nil, mapError(err, nil)
	}
	return newRows(rows, func() { e.release(conn) }, nil), nil
}

// rawMacros are the compatibility and Redshift-semantics macros as temporary
// macros: the superuser's connection uses the raw catalog, where the
// shared ones in memory.main are not on the search path.
func rawMacros() []string {
	var out []string
	for _, m := range append(slices.Clip(compatMacros), redshiftMacros...) {
		if rest, ok := strings.CutPrefix(m, "CREATE OR REPLACE MACRO memory.main."); ok {
			out = append(out, "CREATE OR REPLACE TEMP MACRO "+rest)
		}
	}
	return out
}

// splitExplain recognises EXPLAIN [ANALYZE] and returns the statement
// after it.
func splitExplain(text string) (bool, string, bool) {
	toks, err := sqlscan.Tokens(text)
	if err != nil || len(toks) < 2 || !toks[0].Is("explain") {
		return false, text, false
	}
	i := 1
	analyze := false
	if toks[i].Is("analyze") || toks[i].Is("analyse") {
		analyze = true
		i++
	}
	if toks[i].Is("verbose") {
		i++
	}
	return true, text[toks[i].Pos:], analyze
}

// analyzer parses policy expressions with DuckDB's parser.
type analyzer struct{ e *Engine }

func (a analyzer) AnalyzeExpr(ctx context.Context, expr string) (policy.ExprInfo, error) {
	tree, err := parseSQL(ctx, a.e.parse, "SELECT "+expr)
	if err != nil {
		return policy.ExprInfo{}, err
	}
	if len(tree.statements) != 1 {
		return policy.ExprInfo{}, sqlerr.New(sqlerr.SyntaxError, "expression must be a single expression")
	}
	sel, _ := tree.statements[0]["node"].(node)
	var info policy.ExprInfo
	list, _ := sel["select_list"].([]any)
	if len(list) != 1 || sel["from_table"] == nil || str(sel["from_table"].(node), "type") != "EMPTY" {
		return policy.ExprInfo{}, sqlerr.New(sqlerr.SyntaxError, "expression must be a single expression")
	}
	// Column references outside subqueries belong to the policy's target;
	// references inside subqueries belong to their lookup tables.
	var outer func(v any)
	outer = func(v any) {
		switch x := v.(type) {
		case node:
			if str(x, "class") == "SUBQUERY" {
				// "x IN (SELECT ...)" keeps x as the node's child: x is outer.
				outer(x["child"])
				_ = walk(x["subquery"], func(n node) (bool, error) {
					if str(n, "class") == "COLUMN_REF" {
						info.SubqueryColumns = append(info.SubqueryColumns, columnNames(n))
					}
					return true, nil
				})
				return
			}
			if str(x, "class") == "COLUMN_REF" {
				info.Columns = append(info.Columns, columnNames(x))
				return
			}
			for _, c := range x {
				outer(c)
			}
		case []any:
			for _, c := range x {
				outer(c)
			}
		}
	}
	outer(list[0])
	var ctes []string
	_ = walk(list[0], func(n node) (bool, error) {
		ctes = append(ctes, cteNames(n)...)
		return true, nil
	})
	err = walk(list[0], func(n node) (bool, error) {
		switch str(n, "type") {
		case "BASE_TABLE":
			name := strings.ToLower(str(n, "table_name"))
			if str(n, "catalog_name") != "" || (str(n, "schema_name") != "" && !strings.EqualFold(str(n, "schema_name"), "public")) {
				return false, sqlerr.New(sqlerr.InvalidParameter, "policy expressions may only read tables of the public schema, not %s", name)
			}
			if a.e.systemNames[name] {
				return false, sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not read catalog relation %s", name)
			}
			if !contains(ctes, name) && !contains(info.Tables, name) {
				info.Tables = append(info.Tables, name)
			}
		case "TABLE_FUNCTION":
			return false, sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not call table functions")
		}
		if str(n, "class") == "FUNCTION" && functionDenied(str(n, "function_name")) {
			return false, sqlerr.New(sqlerr.InvalidParameter, "policy expressions may not call %s", str(n, "function_name"))
		}
		return true, nil
	})
	return info, err
}

var _ policy.ExprTyper = analyzer{}

// TypeOf binds expr over typed NULL inputs and returns DuckDB's type for it.
func (a analyzer) TypeOf(ctx context.Context, expr string, inputs []policy.Column) (string, error) {
	var cols []string
	for _, in := range inputs {
		cols = append(cols, "CAST(NULL AS "+duckType(in.Type)+") AS "+sqlscan.QuoteIdent(strings.ToLower(in.Name)))
	}
	if len(cols) == 0 {
		cols = []string{"1 AS one"}
	}
	var typ string
	err := a.e.parser.QueryRowContext(ctx, "SELECT typeof(("+expr+")) FROM (SELECT "+strings.Join(cols, ", ")+") AS inputs").Scan(&typ)
	if err != nil {
		return "", mapError(err, nil)
	}
	return typ, nil
}

// refreshDynamicViews rebuilds the system views whose rows change between
// statements (applied policies, query history, roles created on first sight)
// when a statement names them.
func (e *Engine) refreshDynamicViews(ctx context.Context, conn *pooledConn, sub policy.Subject, names []string) error {
	mentions := func(view string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, view) })
	}
	cat := e.cat.Load()
	var stmts []string
	for _, name := range engine.DynamicSystemViews() {
		// Asked only when named: the query history's rows are the whole
		// audit window, too dear to build for every statement.
		if !mentions(name) {
			continue
		}
		if v, ok := e.opts.System.Dynamic(cat, sub, name); ok {
			stmts = append(stmts, "CREATE OR REPLACE TEMP VIEW "+name+" AS "+valuesView(v))
		}
	}
	if len(stmts) > 0 {
		// A statement prepared before may have bound the old view.
		conn.clear()
	}
	for _, s := range stmts {
		if _, err := conn.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: refresh system view: %w", err)
		}
	}
	return nil
}
