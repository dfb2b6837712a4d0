package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// node is one object of DuckDB's serialized parse tree (json_serialize_sql).
// Working on DuckDB's own parse means tipgate checks exactly the statement
// DuckDB will bind, never a second opinion of what the text says.
type node = map[string]any

// parseTree is the serialized form of a statement list.
type parseTree struct {
	raw        node
	statements []node
}

// parseSQL asks DuckDB's parser for the tree of sql. Only SELECT-family
// statements serialize; anything else is refused here, which is what makes
// a principal's statement read-only.
func parseSQL(ctx context.Context, q querier, text string) (*parseTree, error) {
	var js string
	if err := q.QueryRowContext(ctx, serializeSQL, text).Scan(&js); err != nil {
		return nil, fmt.Errorf("duckdb: parse: %w", err)
	}
	var raw node
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("duckdb: decode parse tree: %w", err)
	}
	if isErr, _ := raw["error"].(bool); isErr {
		msg, _ := raw["error_message"].(string)
		typ, _ := raw["error_type"].(string)
		if typ == "parser" {
			e := sqlerr.New(sqlerr.SyntaxError, "%s", msg)
			if p, err := strconv.Atoi(fmt.Sprint(raw["position"])); err == nil {
				e.Position = p + 1
			}
			return nil, e
		}
		if strings.Contains(msg, "Only SELECT statements") {
			return nil, errNotRead
		}
		return nil, sqlerr.New(sqlerr.SyntaxError, "%s", msg)
	}
	stmts, _ := raw["statements"].([]any)
	t := &parseTree{raw: raw}
	for _, s := range stmts {
		if m, ok := s.(node); ok {
			t.statements = append(t.statements, m)
		}
	}
	return t, nil
}

var errNotRead = sqlerr.New(sqlerr.PermissionDenied, "permission denied: only SELECT, WITH and EXPLAIN statements may be run")

// deparse turns a (possibly rewritten) tree back into SQL text with
// DuckDB's own printer.
func deparse(ctx context.Context, q querier, t *parseTree) (string, error) {
	b, err := json.Marshal(t.raw)
	if err != nil {
		return "", fmt.Errorf("duckdb: encode parse tree: %w", err)
	}
	var out string
	if err := q.QueryRowContext(ctx, "SELECT json_deserialize_sql(?::JSON)", string(b)).Scan(&out); err != nil {
		return "", fmt.Errorf("duckdb: deparse: %w", err)
	}
	return out, nil
}

const serializeSQL = "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR"

// preparedParser runs the serializer through a statement prepared once,
// which halves the cost of admitting a statement never seen before.
type preparedParser struct {
	db   *sql.DB
	stmt *sql.Stmt
}

func (p preparedParser) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if query == serializeSQL {
		return p.stmt.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

// querier is the part of *sql.DB / *sql.Conn the parser needs.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// walk calls f on every object in the tree, depth first. f returning
// false skips the object's children.
func walk(v any, f func(node) (bool, error)) error {
	switch x := v.(type) {
	case node:
		descend, err := f(x)
		if err != nil || !descend {
			return err
		}
		for _, child := range x {
			if err := walk(child, f); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range x {
			if err := walk(child, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func str(n node, key string) string {
	s, _ := n[key].(string)
	return s
}

// columnNames returns a COLUMN_REF's name parts, lower-cased.
func columnNames(n node) []string {
	parts, _ := n["column_names"].([]any)
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		s, _ := p.(string)
		out = append(out, strings.ToLower(s))
	}
	return out
}

// constantString builds a VARCHAR constant expression node.
func constantString(s string) node {
	return node{
		"class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": json.Number("18446744073709551615"),
		"value": node{"type": node{"id": "VARCHAR", "type_info": nil}, "is_null": false, "value": s},
	}
}

// cteNames returns the CTE names a query node defines.
func cteNames(n node) []string {
	cm, _ := n["cte_map"].(node)
	entries, _ := cm["map"].([]any)
	var out []string
	for _, e := range entries {
		if m, ok := e.(node); ok {
			out = append(out, strings.ToLower(str(m, "key")))
		}
	}
	return out
}
