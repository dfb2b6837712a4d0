package policy

import (
	"context"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// checkMaskExprs verifies that masking expressions read only the policy's
// inputs. Lookup tables in masks are not supported: a mask runs per row and
// tipgate keeps masks to the row they mask.
func (c *Catalog) checkMaskExprs(ctx context.Context, env Env, pol string, inputs []Column, exprs []ddl.Expr) ([]string, error) {
	if env.Analyzer == nil {
		return nil, sqlerr.New(sqlerr.Internal, "no expression analyzer configured")
	}
	out := make([]string, 0, len(exprs))
	for _, e := range exprs {
		info, err := env.Analyzer.AnalyzeExpr(ctx, e.Text)
		if err != nil {
			return nil, err
		}
		if len(info.Tables) > 0 {
			return nil, sqlerr.New(sqlerr.FeatureUnsupported, "masking policy %s: lookup tables in masking expressions are not supported", pol)
		}
		for _, ref := range info.Columns {
			name := ref[len(ref)-1]
			if len(ref) == 1 && slices.Contains(sessionFunctions, name) {
				continue
			}
			if len(ref) > 1 || !slices.ContainsFunc(inputs, func(col Column) bool { return strings.EqualFold(col.Name, name) }) {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "masking policy %s: column %q is not an input of the policy", pol, strings.Join(ref, "."))
			}
		}
		out = append(out, e.Text)
	}
	return out, nil
}

func (c *Catalog) createMaskingPolicy(ctx context.Context, s *ddl.CreateMaskingPolicy, env Env) error {
	if err := requireSecAdmin(env, "create masking policies"); err != nil {
		return err
	}
	if err := validName("policy", s.Name); err != nil {
		return err
	}
	if _, ok := c.MaskingPolicies[s.Name]; ok {
		if s.IfNotExists {
			return nil
		}
		return sqlerr.New(sqlerr.DuplicateObject, "masking policy %q already exists", s.Name)
	}
	if len(s.Inputs) == 0 {
		return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s needs at least one input column", s.Name)
	}
	inputs := columnsFrom(s.Inputs)
	exprs, err := c.checkMaskExprs(ctx, env, s.Name, inputs, s.Using)
	if err != nil {
		return err
	}
	c.MaskingPolicies[s.Name] = &MaskingPolicy{Name: s.Name, Inputs: inputs, Using: exprs, ModifiedBy: env.Actor.User, ModifiedAt: env.now()}
	return nil
}

func (c *Catalog) alterMaskingPolicy(ctx context.Context, s *ddl.AlterMaskingPolicy, env Env) error {
	if err := requireSecAdmin(env, "alter masking policies"); err != nil {
		return err
	}
	p, ok := c.MaskingPolicies[s.Name]
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "masking policy %q does not exist", s.Name)
	}
	if len(s.Using) != len(p.Using) {
		return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s: ALTER must keep %d output expression(s)", s.Name, len(p.Using))
	}
	exprs, err := c.checkMaskExprs(ctx, env, s.Name, p.Inputs, s.Using)
	if err != nil {
		return err
	}
	// The new expressions must fit every column the policy already masks,
	// as ATTACH checks them: otherwise the catalog would hold an attachment
	// that ATTACH refuses, which no script could build again.
	altered := *p
	altered.Using = exprs
	for _, a := range c.MaskAttachments {
		if a.Policy != p.Name {
			continue
		}
		if t, ok := c.Table(a.Table); ok {
			if err := checkMaskTypes(ctx, env, &altered, t, a.Outputs); err != nil {
				return err
			}
		}
	}
	p.Using, p.ModifiedBy, p.ModifiedAt = exprs, env.Actor.User, env.now()
	return nil
}

func (c *Catalog) dropMaskingPolicy(s *ddl.DropMaskingPolicy, env Env) error {
	if err := requireSecAdmin(env, "drop masking policies"); err != nil {
		return err
	}
	if _, ok := c.MaskingPolicies[s.Name]; !ok {
		if s.IfExists {
			return nil
		}
		return sqlerr.New(sqlerr.UndefinedObject, "masking policy %q does not exist", s.Name)
	}
	attached := slices.ContainsFunc(c.MaskAttachments, func(a MaskAttachment) bool { return a.Policy == s.Name })
	if attached && !s.Cascade {
		return sqlerr.New(sqlerr.DependentObjects, "cannot drop masking policy %q because it is attached to a relation; detach it first", s.Name)
	}
	c.MaskAttachments = slices.DeleteFunc(c.MaskAttachments, func(a MaskAttachment) bool { return a.Policy == s.Name })
	delete(c.MaskingPolicies, s.Name)
	return nil
}

func (c *Catalog) attachMaskingPolicy(ctx context.Context, s *ddl.AttachMaskingPolicy, env Env) error {
	if err := requireSecAdmin(env, "attach or detach masking policies"); err != nil {
		return err
	}
	p, ok := c.MaskingPolicies[s.Policy]
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "masking policy %q does not exist", s.Policy)
	}
	t, err := c.lookupTable(s.Table)
	if err != nil {
		return err
	}
	outputs, err := canonicalColumns(t, s.Outputs)
	if err != nil {
		return err
	}
	if len(outputs) == 0 {
		return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s: no output columns", p.Name)
	}
	g := granteeFrom(s.Grantee)
	if err := c.checkGrantee(g); err != nil {
		return err
	}
	if s.Detach {
		i := slices.IndexFunc(c.MaskAttachments, func(a MaskAttachment) bool {
			return a.Policy == p.Name && a.Table == t.Name && a.Grantee == g && slices.Equal(a.Outputs, outputs)
		})
		if i < 0 {
			return sqlerr.New(sqlerr.UndefinedObject, "masking policy %q is not attached to %s(%s) for %s", p.Name, t.Name, strings.Join(outputs, ", "), g)
		}
		c.MaskAttachments = slices.Delete(c.MaskAttachments, i, i+1)
		return nil
	}
	inputs, err := canonicalColumns(t, s.Inputs)
	if err != nil {
		return err
	}
	if err := checkMaskShape(p, t, outputs, inputs); err != nil {
		return err
	}
	if err := checkMaskTypes(ctx, env, p, t, outputs); err != nil {
		return err
	}
	for _, a := range c.MaskAttachments {
		if a.Table != t.Name {
			continue
		}
		for _, out := range outputs {
			if !slices.Contains(a.Outputs, out) {
				continue
			}
			if a.Grantee == g {
				return sqlerr.New(sqlerr.DuplicateObject, "column %s.%s already has masking policy %q attached for %s", t.Name, out, a.Policy, g)
			}
			if a.Priority == s.Priority && a.Policy != p.Name {
				return sqlerr.New(sqlerr.InvalidParameter,
					"cannot attach masking policy %q to %s.%s with priority %d: policy %q is attached to that column with the same priority", p.Name, t.Name, out, s.Priority, a.Policy)
			}
		}
	}
	c.MaskAttachments = append(c.MaskAttachments, MaskAttachment{Policy: p.Name, Table: t.Name, Outputs: outputs, Inputs: inputs,
		Grantee: g, Priority: s.Priority, Grantor: env.Actor.User})
	return nil
}

// checkMaskShape checks that the columns bound to the policy's inputs have
// the input types, and that the policy yields one value per output.
func checkMaskShape(p *MaskingPolicy, t *Table, outputs, inputs []string) error {
	if len(p.Using) > 1 && len(p.Using) != len(outputs) {
		return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s yields %d values but %d output columns were given", p.Name, len(p.Using), len(outputs))
	}
	bound := [][]string{inputs}
	if len(inputs) == 0 {
		if len(p.Using) == 1 && len(p.Inputs) == 1 {
			bound = bound[:0]
			for _, o := range outputs {
				bound = append(bound, []string{o})
			}
		} else {
			bound = [][]string{outputs}
		}
	}
	for _, cols := range bound {
		if len(cols) != len(p.Inputs) {
			return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s takes %d input column(s), %d given", p.Name, len(p.Inputs), len(cols))
		}
		for i, name := range cols {
			col, _ := t.Column(name)
			if !TypesCompatible(col.Type, p.Inputs[i].Type) {
				return sqlerr.New(sqlerr.InvalidParameter, "masking policy %s: input %s is %s but column %s.%s is %s", p.Name, p.Inputs[i].Name, p.Inputs[i].Type, t.Name, col.Name, col.Type)
			}
		}
	}
	return nil
}

// checkMaskTypes refuses a masking expression whose type is not the masked
// column's, as Redshift does (a constant must be cast explicitly), when the
// engine can type expressions.
func checkMaskTypes(ctx context.Context, env Env, p *MaskingPolicy, t *Table, outputs []string) error {
	typer, ok := env.Analyzer.(ExprTyper)
	if !ok {
		return nil
	}
	for i, out := range outputs {
		expr := p.Using[0]
		if len(p.Using) > 1 {
			expr = p.Using[i]
		}
		got, err := typer.TypeOf(ctx, expr, p.Inputs)
		if err != nil {
			return sqlerr.Wrap(sqlerr.InvalidParameter, err, "masking policy %s: the expression cannot be evaluated: %v", p.Name, err)
		}
		col, _ := t.Column(out)
		if !TypesCompatible(got, col.Type) {
			return sqlerr.New(sqlerr.InvalidParameter,
				"masking policy %s returns %s but column %s.%s is %s; cast the expression to the column's type", p.Name, got, t.Name, col.Name, col.Type)
		}
	}
	return nil
}
