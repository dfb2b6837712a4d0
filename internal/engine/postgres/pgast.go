package postgres

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walk calls fn on every node of PostgreSQL's parse tree below m, parents
// before children; fn returns false to skip a node's children. The walk is
// generic (protobuf reflection) so that no node kind a new PostgreSQL adds
// escapes it.
func walk(m proto.Message, fn func(n *pg.Node) bool) {
	var visit func(m protoreflect.Message)
	visit = func(m protoreflect.Message) {
		if n, ok := m.Interface().(*pg.Node); ok && n != nil {
			if !fn(n) {
				return
			}
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					visit(l.Get(i).Message())
				}
			case fd.IsMap():
			case fd.Message() != nil:
				visit(v.Message())
			}
			return true
		})
	}
	if m != nil {
		visit(m.ProtoReflect())
	}
}

// strs returns the String values of a name list (qualified names).
func strs(list []*pg.Node) []string {
	var out []string
	for _, n := range list {
		if s := n.GetString_(); s != nil {
			out = append(out, s.Sval)
		} else if n.GetAStar() != nil {
			out = append(out, "*")
		}
	}
	return out
}

// funcName returns a call's name, lower-cased, and its schema ("" when unqualified).
func funcName(fc *pg.FuncCall) (schema, name string) {
	parts := strs(fc.Funcname)
	switch len(parts) {
	case 0:
		return "", ""
	case 1:
		return "", strings.ToLower(parts[0])
	default:
		return strings.ToLower(parts[len(parts)-2]), strings.ToLower(parts[len(parts)-1])
	}
}

func stringConst(s string) *pg.Node {
	return &pg.Node{Node: &pg.Node_AConst{AConst: &pg.A_Const{Val: &pg.A_Const_Sval{Sval: &pg.String{Sval: s}}}}}
}

func principalCall() *pg.Node {
	return pg.MakeFuncCallNode([]*pg.Node{pg.MakeStrNode("tipgate"), pg.MakeStrNode("principal")}, nil, -1)
}

// isSessionUser reports the SQL value functions that name the session's
// user (current_user, session_user, user, current_role).
func isSessionUser(n *pg.Node) bool {
	f := n.GetSqlvalueFunction()
	if f == nil {
		return false
	}
	switch f.Op {
	case pg.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg.SQLValueFunctionOp_SVFOP_SESSION_USER,
		pg.SQLValueFunctionOp_SVFOP_USER, pg.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:
		return true
	}
	return false
}

// parseExpr parses a policy expression as the only item of a SELECT.
func parseExpr(expr string) (*pg.ParseResult, *pg.Node, error) {
	tree, err := pg.Parse("SELECT " + expr)
	if err != nil {
		return nil, nil, err
	}
	if len(tree.Stmts) != 1 {
		return nil, nil, errNotExpr
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 || sel.WhereClause != nil {
		return nil, nil, errNotExpr
	}
	return tree, sel.TargetList[0].GetResTarget().Val, nil
}

// deparseExpr prints back the expression of a tree from parseExpr.
func deparseExpr(tree *pg.ParseResult) (string, error) {
	out, err := pg.Deparse(tree)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(out, "SELECT "), nil
}
