package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// sessionFunctions are names a predicate may use without declaring them in
// WITH: Redshift's session information functions.
var sessionFunctions = []string{"current_user", "session_user", "user", "current_user_id", "current_role"}

// checkPredicate verifies that an RLS predicate reads only the WITH columns
// of the target (through the alias when there is one) and returns the
// lookup tables it reads.
func (c *Catalog) checkPredicate(ctx context.Context, env Env, pol string, with []Column, alias, expr string) ([]string, error) {
	if env.Analyzer == nil {
		return nil, sqlerr.New(sqlerr.Internal, "no expression analyzer configured")
	}
	info, err := env.Analyzer.AnalyzeExpr(ctx, expr)
	if err != nil {
		return nil, err
	}
	for _, ref := range info.Columns {
		name := ref[len(ref)-1]
		if len(ref) == 1 && slices.Contains(sessionFunctions, name) {
			continue
		}
		if len(ref) > 2 || (len(ref) == 2 && (alias == "" || ref[0] != strings.ToLower(alias))) {
			return nil, sqlerr.New(sqlerr.InvalidParameter,
				"RLS policy %s: column reference %q must name a column of the WITH clause%s",
				pol, strings.Join(ref, "."), aliasHint(alias))
		}
		if !slices.ContainsFunc(with, func(col Column) bool { return strings.EqualFold(col.Name, name) }) {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "RLS policy %s: column %q is not in the policy's WITH clause", pol, name)
		}
	}
	var lookups []string
	for _, tn := range info.Tables {
		t, ok := c.Table(tn)
		if !ok {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "RLS policy %s: lookup relation %q does not exist", pol, tn)
		}
		if c.hasRLSAttachment(t.Name) {
			return nil, sqlerr.New(sqlerr.InvalidParameter,
				"RLS policy %s: relation %s cannot be a lookup table because an RLS policy is attached to it", pol, t.Name)
		}
		// Redshift also refuses tables that merely have RLS turned on
		// (spec §1.2), attached or not: the policy would read rows its
		// readers' own RLS hides.
		if t.RLS || t.DatashareRLS {
			return nil, sqlerr.New(sqlerr.InvalidParameter,
				"RLS policy %s: relation %s cannot be a lookup table because row level security is turned on for it", pol, t.Name)
		}
		if !slices.Contains(lookups, t.Name) {
			lookups = append(lookups, t.Name)
		}
	}
	if err := c.checkUncorrelated(pol, with, alias, info); err != nil {
		return nil, err
	}
	slices.Sort(lookups)
	return lookups, nil
}

func aliasHint(alias string) string {
	if alias == "" {
		return ""
	}
	return fmt.Sprintf(" (qualified with the alias %q)", alias)
}

func (c *Catalog) hasRLSAttachment(table string) bool {
	return slices.ContainsFunc(c.RLSAttachments, func(a RLSAttachment) bool { return a.Table == table })
}

func columnsFrom(defs []ddl.ColumnDef) []Column {
	out := make([]Column, 0, len(defs))
	for _, d := range defs {
		out = append(out, Column{Name: d.Name, Type: d.Type})
	}
	return out
}

func (c *Catalog) createRLSPolicy(ctx context.Context, s *ddl.CreateRLSPolicy, env Env) error {
	if err := requireSecAdmin(env, "create RLS policies"); err != nil {
		return err
	}
	if err := validName("policy", s.Name); err != nil {
		return err
	}
	if _, ok := c.RLSPolicies[s.Name]; ok {
		return sqlerr.New(sqlerr.DuplicateObject, "RLS policy %q already exists", s.Name)
	}
	with := columnsFrom(s.With)
	lookups, err := c.checkPredicate(ctx, env, s.Name, with, s.Alias, s.Using.Text)
	if err != nil {
		return err
	}
	c.RLSPolicies[s.Name] = &RLSPolicy{Name: s.Name, With: with, Alias: s.Alias, Using: s.Using.Text,
		Lookups: lookups, ModifiedBy: env.Actor.User, ModifiedAt: env.now()}
	// Older Redshift grants lookup access to the policy implicitly; newer
	// Redshift wants an explicit GRANT ... TO RLS POLICY. Granting at
	// creation and allowing REVOKE supports scripts written for either.
	for _, t := range lookups {
		c.LookupGrants = append(c.LookupGrants, LookupGrant{Table: t, Policy: s.Name})
	}
	return nil
}

func (c *Catalog) alterRLSPolicy(ctx context.Context, s *ddl.AlterRLSPolicy, env Env) error {
	if err := requireSecAdmin(env, "alter RLS policies"); err != nil {
		return err
	}
	p, ok := c.RLSPolicies[s.Name]
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "RLS policy %q does not exist", s.Name)
	}
	lookups, err := c.checkPredicate(ctx, env, s.Name, p.With, p.Alias, s.Using.Text)
	if err != nil {
		return err
	}
	for _, t := range lookups {
		if !slices.Contains(p.Lookups, t) && !c.HasLookupGrant(p.Name, t) {
			c.LookupGrants = append(c.LookupGrants, LookupGrant{Table: t, Policy: p.Name})
		}
	}
	p.Using, p.Lookups, p.ModifiedBy, p.ModifiedAt = s.Using.Text, lookups, env.Actor.User, env.now()
	return nil
}

func (c *Catalog) dropRLSPolicy(s *ddl.DropRLSPolicy, env Env) error {
	if err := requireSecAdmin(env, "drop RLS policies"); err != nil {
		return err
	}
	if _, ok := c.RLSPolicies[s.Name]; !ok {
		if s.IfExists {
			return nil
		}
		return sqlerr.New(sqlerr.UndefinedObject, "RLS policy %q does not exist", s.Name)
	}
	attached := slices.ContainsFunc(c.RLSAttachments, func(a RLSAttachment) bool { return a.Policy == s.Name })
	if attached && !s.Cascade {
		return sqlerr.New(sqlerr.DependentObjects, "cannot drop RLS policy %q because it is attached to a relation; detach it first or use CASCADE", s.Name)
	}
	c.RLSAttachments = slices.DeleteFunc(c.RLSAttachments, func(a RLSAttachment) bool { return a.Policy == s.Name })
	c.LookupGrants = slices.DeleteFunc(c.LookupGrants, func(g LookupGrant) bool { return g.Policy == s.Name })
	delete(c.RLSPolicies, s.Name)
	return nil
}

func (c *Catalog) attachRLSPolicy(s *ddl.AttachRLSPolicy, env Env) error {
	verb := "attach"
	if s.Detach {
		verb = "detach"
	}
	if err := requireSecAdmin(env, verb+" RLS policies"); err != nil {
		return err
	}
	p, ok := c.RLSPolicies[s.Policy]
	if !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "RLS policy %q does not exist", s.Policy)
	}
	for _, tn := range s.Tables {
		t, err := c.lookupTable(tn)
		if err != nil {
			return err
		}
		if !s.Detach {
			if err := c.checkAttachable(p, t); err != nil {
				return err
			}
		}
		for _, dg := range s.Grantees {
			g := granteeFrom(dg)
			if err := c.checkGrantee(g); err != nil {
				return err
			}
			i := slices.IndexFunc(c.RLSAttachments, func(a RLSAttachment) bool {
				return a.Policy == p.Name && a.Table == t.Name && a.Grantee == g
			})
			switch {
			case s.Detach && i < 0:
				return sqlerr.New(sqlerr.UndefinedObject, "RLS policy %q is not attached to %s for %s", p.Name, t.Name, g)
			case s.Detach:
				c.RLSAttachments = slices.Delete(c.RLSAttachments, i, i+1)
			case i >= 0:
				return sqlerr.New(sqlerr.DuplicateObject, "RLS policy %q is already attached to %s for %s", p.Name, t.Name, g)
			default:
				c.RLSAttachments = append(c.RLSAttachments, RLSAttachment{Policy: p.Name, Table: t.Name, Grantee: g, Grantor: env.Actor.User})
			}
		}
	}
	return nil
}

// checkAttachable applies Redshift's ATTACH rules: the table has the WITH
// columns with compatible types, is not a lookup table, and every policy on
// it uses the same alias.
func (c *Catalog) checkAttachable(p *RLSPolicy, t *Table) error {
	if lp, ok := c.IsLookupTable(t.Name); ok {
		return sqlerr.New(sqlerr.InvalidParameter, "cannot attach RLS policy %q to %s: it is a lookup table of RLS policy %q", p.Name, t.Name, lp)
	}
	for _, w := range p.With {
		col, ok := t.Column(w.Name)
		if !ok {
			return sqlerr.New(sqlerr.UndefinedColumn, "cannot attach RLS policy %q to %s: column %q does not exist", p.Name, t.Name, w.Name)
		}
		if !TypesCompatible(w.Type, col.Type) {
			return sqlerr.New(sqlerr.InvalidParameter, "cannot attach RLS policy %q to %s: column %q is %s, the policy expects %s", p.Name, t.Name, w.Name, col.Type, w.Type)
		}
	}
	for _, a := range c.RLSAttachments {
		if a.Table != t.Name || a.Policy == p.Name {
			continue
		}
		if other := c.RLSPolicies[a.Policy]; other != nil && !strings.EqualFold(other.Alias, p.Alias) {
			return sqlerr.New(sqlerr.InvalidParameter,
				"cannot attach RLS policy %q to %s: policies on one relation must use the same alias (%q uses %q)", p.Name, t.Name, other.Name, other.Alias)
		}
	}
	return nil
}

func (c *Catalog) alterTableRLS(s *ddl.AlterTableRLS, env Env) error {
	if err := requireSecAdmin(env, "turn row level security on or off"); err != nil {
		return err
	}
	t, err := c.lookupTable(s.Table)
	if err != nil {
		return err
	}
	if s.ForDatashares {
		t.DatashareRLS = s.On
		if s.Conjunction != "" {
			t.DatashareConj = s.Conjunction
		}
		return nil
	}
	t.RLS = s.On
	if s.Conjunction != "" {
		t.Conjunction = s.Conjunction
	}
	return nil
}

// TypesCompatible reports whether two declared SQL types hold the same kind
// of value, ignoring lengths and synonyms (VARCHAR(10) ~ TEXT, INT ~ INT4).
func TypesCompatible(a, b string) bool { return typeFamily(a) == typeFamily(b) }

func typeFamily(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	switch t {
	case "varchar", "character varying", "char", "character", "text", "bpchar", "nvarchar", "nchar", "string":
		return "text"
	case "int", "integer", "int4", "smallint", "int2", "bigint", "int8", "tinyint", "hugeint":
		return "integer"
	case "decimal", "numeric":
		return "decimal"
	case "real", "float4", "float", "float8", "double", "double precision":
		return "float"
	case "bool", "boolean":
		return "boolean"
	case "timestamp", "timestamp without time zone", "datetime":
		return "timestamp"
	case "timestamptz", "timestamp with time zone":
		return "timestamptz"
	}
	return t
}

// checkUncorrelated refuses subqueries that refer to the policy's target,
// which Redshift cannot rewrite ("RLS policy could not be rewritten"): a
// reference through the alias, or a bare WITH column that no lookup table
// of the predicate has.
func (c *Catalog) checkUncorrelated(pol string, with []Column, alias string, info ExprInfo) error {
	inLookup := func(name string) bool {
		for _, tn := range info.Tables {
			if t, ok := c.Table(tn); ok {
				if _, ok := t.Column(name); ok {
					return true
				}
			}
		}
		return false
	}
	for _, ref := range info.SubqueryColumns {
		name := ref[len(ref)-1]
		correlated := len(ref) == 2 && alias != "" && ref[0] == strings.ToLower(alias)
		if len(ref) == 1 && !inLookup(name) && slices.ContainsFunc(with, func(col Column) bool { return strings.EqualFold(col.Name, name) }) {
			correlated = true
		}
		if correlated {
			return sqlerr.New(sqlerr.FeatureUnsupported,
				"RLS policy %s could not be rewritten: correlated subqueries are not supported (%s refers to the policy's relation)", pol, strings.Join(ref, "."))
		}
	}
	return nil
}
