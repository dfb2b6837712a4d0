package postgres

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/tipgate/tipgate/internal/engine"
)

// Redshift's query semantics on PostgreSQL. Most of them PostgreSQL has
// natively (integer division, NULL order, division by zero, SUBSTRING);
// functions whose meaning differs for the same argument types live in
// tipgate_compat, ahead of pg_catalog on the search path (SPLIT_PART, AVG
// of integers); what only the parse tree can tell is rewritten here:
// CONCAT of two arguments is NULL-strict, and a date part may be written as
// an identifier or one of Redshift's abbreviations. docs/postgres.md lists
// what stays different.

// datePart is the PostgreSQL name of a Redshift date part, which differs
// from the canonical one only for the sub-second parts.
func datePart(spelled string) (string, bool) {
	p, ok := engine.DatePart(spelled)
	switch p {
	case "millisecond":
		p = "milliseconds"
	case "microsecond":
		p = "microseconds"
	}
	return p, ok
}

// datePartFunctions take a date part first.
var datePartFunctions = map[string]bool{"date_part": true, "date_trunc": true, "extract": true}

// redshiftRewrite rewrites one node in place and reports whether it did.
func redshiftRewrite(n *pg.Node) bool {
	fc := n.GetFuncCall()
	if fc == nil {
		return false
	}
	schema, name := funcName(fc)
	if schema != "" {
		return false
	}
	switch {
	case name == "concat" && len(fc.Args) == 2 && !fc.AggStar && fc.AggFilter == nil && fc.Over == nil:
		n.Node = &pg.Node_AExpr{AExpr: &pg.A_Expr{Kind: pg.A_Expr_Kind_AEXPR_OP, Name: []*pg.Node{pg.MakeStrNode("||")},
			Lexpr: fc.Args[0], Rexpr: fc.Args[1], Location: fc.Location}}
		return true
	case datePartFunctions[name] && len(fc.Args) >= 1:
		arg := fc.Args[0]
		if cr := arg.GetColumnRef(); cr != nil {
			if names := strs(cr.Fields); len(names) == 1 {
				if part, ok := datePart(names[0]); ok {
					fc.Args[0] = stringConst(part)
					return true
				}
			}
		}
		if c := arg.GetAConst(); c != nil && c.GetSval() != nil {
			if part, ok := datePart(c.GetSval().Sval); ok && part != c.GetSval().Sval {
				fc.Args[0] = stringConst(part)
				return true
			}
		}
	}
	return false
}
