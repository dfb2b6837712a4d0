package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// predicate compiles one attached RLS policy to a PostgreSQL expression
// over the table's columns. A policy that reads lookup tables becomes a
// SECURITY DEFINER function of its WITH columns and the principal, owned
// by tipgate's role (which bypasses row security): a policy reads lookup
// tables with its own privileges (GRANT SELECT … TO RLS POLICY), not the
// principal's.
func (c *compiler) predicate(ctx context.Context, cat *policy.Catalog, p policy.TablePlan, g policy.GranteePlan, r policy.PlanRLS) (string, error) {
	if len(r.UngrantedLookups) > 0 {
		// tipgate refuses the read with the lookup table's denial before it
		// runs; other clients see no rows.
		return "false", nil
	}
	if len(r.Lookups) == 0 {
		return rewriteExpr(r.Predicate, r.Alias, nil, principalCall)
	}
	pol := cat.RLSPolicies[r.Policy]
	if pol == nil {
		return "", sqlerr.New(sqlerr.UndefinedObject, "RLS policy %s does not exist", r.Policy)
	}
	var params, args []string
	for _, w := range pol.With {
		params = append(params, qi(strings.ToLower(w.Name))+" "+pgType(w.Type))
		args = append(args, qi(strings.ToLower(w.Name)))
	}
	principalParam := len(pol.With) + 1
	params = append(params, "tg_principal text")
	body, err := rewriteExpr(r.Predicate, r.Alias, nil, func() *pg.Node { return pg.MakeParamRefNode(int32(principalParam), -1) })
	if err != nil {
		return "", err
	}
	fn := qi(schemaRLS) + "." + qi(pgName("", p.Table+"|"+r.Policy+"|"+g.Grantee.String()))
	if err := c.exec(ctx, "CREATE FUNCTION "+fn+"("+strings.Join(params, ", ")+") RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER "+
		"SET search_path = "+qi(schemaData)+", "+qi(schemaCompat)+", pg_catalog AS "+dollarQuote("SELECT "+body)); err != nil {
		return "", err
	}
	if err := c.exec(ctx, "REVOKE ALL ON FUNCTION "+fn+" FROM PUBLIC"); err != nil {
		return "", err
	}
	if err := c.exec(ctx, "GRANT EXECUTE ON FUNCTION "+fn+" TO "+c.grantee(g.Grantee)); err != nil {
		return "", err
	}
	return fn + "(" + strings.Join(append(args, "tipgate.principal()"), ", ") + ")", nil
}

func dollarQuote(s string) string {
	tag := "$tg$"
	for i := 0; strings.Contains(s, tag); i++ {
		tag = fmt.Sprintf("$tg%d$", i)
	}
	return tag + s + tag
}

// view returns the masking view's query: every column of the table, each
// masked column as a CASE over the masks that may apply, highest priority
// first, unmasked for superusers and when no mask applies.
func (c *compiler) view(p policy.TablePlan) (string, error) {
	type arm struct {
		g policy.GranteePlan
		m policy.PlanMask
	}
	var cols []string
	for _, col := range p.Columns {
		var arms []arm
		for _, g := range p.Grantees {
			for _, m := range g.Masks {
				if strings.EqualFold(m.Column, col.Name) {
					arms = append(arms, arm{g, m})
				}
			}
		}
		qc := qi(col.Name)
		if len(arms) == 0 {
			cols = append(cols, qc)
			continue
		}
		// Highest priority first; on a tie the grantee that sorts first
		// (plan order), as policy.TablePlan.AccessFor decides.
		slices.SortStableFunc(arms, func(a, b arm) int { return b.m.Priority - a.m.Priority })
		var sb strings.Builder
		sb.WriteString("CASE")
		for _, g := range p.Grantees {
			if g.Superuser {
				sb.WriteString(" WHEN " + c.holds(g.Grantee) + " THEN " + qc)
			}
		}
		for _, a := range arms {
			bind := map[string]string{}
			for i, prm := range a.m.Params {
				if i < len(a.m.Args) {
					bind[strings.ToLower(prm.Name)] = strings.ToLower(a.m.Args[i])
				}
			}
			expr, err := rewriteExpr(a.m.Expr, "", bind, principalCall)
			if err != nil {
				return "", fmt.Errorf("masking policy %s: %w", a.m.Policy, err)
			}
			sb.WriteString(" WHEN " + c.holds(a.g.Grantee) + " THEN CAST((" + expr + ") AS " + pgType(col.Type) + ")")
		}
		sb.WriteString(" ELSE " + qc + " END AS " + qc)
		cols = append(cols, sb.String())
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + dataTable(p.Table), nil
}

// rewriteExpr prepares a policy expression for PostgreSQL: references
// through the policy's alias lose it, masking inputs are bound to the
// attached columns, and the session functions become the principal
// (principal builds the node that stands for it).
func rewriteExpr(expr, alias string, bind map[string]string, principal func() *pg.Node) (string, error) {
	tree, root, err := parseExpr(expr)
	if err != nil {
		return "", sqlerr.Wrap(sqlerr.SyntaxError, err, "policy expression does not parse: %s", pgMessage(err))
	}
	walk(root, func(n *pg.Node) bool {
		if isSessionUser(n) {
			n.Node = principal().Node
			return false
		}
		cr := n.GetColumnRef()
		if cr == nil {
			return true
		}
		names := strs(cr.Fields)
		if alias != "" && len(names) == 2 && strings.EqualFold(names[0], alias) {
			cr.Fields = cr.Fields[1:]
			names = names[1:]
		}
		if len(names) == 1 {
			if col, ok := bind[strings.ToLower(names[0])]; ok {
				cr.Fields = []*pg.Node{pg.MakeStrNode(col)}
			}
		}
		return false
	})
	return deparseExpr(tree)
}
