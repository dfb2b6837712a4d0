package policy

import (
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

var tablePrivileges = []string{"select", "insert", "update", "delete", "references"}

// grantPrivilege implements GRANT/REVOKE on tables with Redshift's rules for
// how table-level and column-level privileges interact.
func (c *Catalog) grantPrivilege(s *ddl.GrantPrivilege, env Env) error {
	var tables []*Table
	if s.AllInSchema != "" {
		if !isPublicSchema(s.AllInSchema) {
			return sqlerr.New(sqlerr.UndefinedObject, "schema %q does not exist", s.AllInSchema)
		}
		for _, n := range c.TableNames() {
			tables = append(tables, c.Tables[n])
		}
	}
	for _, tn := range s.Tables {
		t, err := c.lookupTable(tn)
		if err != nil {
			return err
		}
		tables = append(tables, t)
	}
	privs := s.Privileges
	if slices.Contains(privs, "all") {
		privs = tablePrivileges
		if len(s.Columns) > 0 {
			privs = []string{"select", "update"}
		}
	}
	if len(s.Columns) > 0 {
		for _, p := range privs {
			if p != "select" && p != "update" {
				return sqlerr.New(sqlerr.InvalidParameter, "only SELECT and UPDATE can be granted on columns, not %s", strings.ToUpper(p))
			}
		}
	}
	for _, t := range tables {
		if !env.Actor.Superuser && t.Owner != env.Actor.User {
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: only the owner of %s or a superuser may grant privileges on it", t.Name)
		}
		cols, err := canonicalColumns(t, s.Columns)
		if err != nil {
			return err
		}
		for _, dg := range s.Grantees {
			if dg.Kind == ddl.GranteeRLSPolicy {
				if err := c.grantLookup(t, dg.Name, s.Revoke, privs); err != nil {
					return err
				}
				continue
			}
			g := granteeFrom(dg)
			if err := c.checkGrantee(g); err != nil {
				return err
			}
			for _, p := range privs {
				var err error
				if s.Revoke {
					err = c.revokeTablePriv(t, p, cols, g)
				} else {
					err = c.grantTablePriv(t, p, cols, g)
				}
				if err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isPublicSchema(s string) bool { return s == "public" || s == "main" }

// DatabaseName is the one database tipgate serves (Redshift's default
// "dev"); a statement naming any other database names a relation tipgate
// does not hold.
const DatabaseName = ddl.DatabaseName

func (c *Catalog) lookupTable(tn ddl.TableName) (*Table, error) {
	// A database-qualified name must name this database: ATTACH, GRANT and
	// ALTER TABLE on otherdb.public.t must not act on the local t (spec
	// §1.5: policy and relation must be in the same database).
	if tn.Database != "" && tn.Database != DatabaseName {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s.%s\" does not exist", tn.Database, tn.Schema, tn.Name)
	}
	if tn.Schema != "" && !isPublicSchema(tn.Schema) {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s.%s\" does not exist", tn.Schema, tn.Name)
	}
	t, ok := c.Table(tn.Name)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", tn.Name)
	}
	return t, nil
}

// canonicalColumns checks that every column exists and returns their
// catalog spellings; nil in means table level and stays nil.
func canonicalColumns(t *Table, cols []string) ([]string, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(cols))
	for _, name := range cols {
		col, ok := t.Column(name)
		if !ok {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", name, t.Name)
		}
		if !slices.Contains(out, col.Name) {
			out = append(out, col.Name)
		}
	}
	return out, nil
}

func (c *Catalog) grantIndex(t *Table, priv string, g Grantee) int {
	return slices.IndexFunc(c.TableGrants, func(x TableGrant) bool {
		return x.Table == t.Name && x.Privilege == priv && x.Grantee == g
	})
}

func (c *Catalog) grantTablePriv(t *Table, priv string, cols []string, g Grantee) error {
	i := c.grantIndex(t, priv, g)
	switch {
	case i < 0:
		c.TableGrants = append(c.TableGrants, TableGrant{Table: t.Name, Privilege: priv, Columns: cols, Grantee: g})
	case cols == nil && c.TableGrants[i].Columns != nil:
		return sqlerr.New(sqlerr.InvalidParameter,
			"cannot grant %s on table %s to %s: it already holds column-level %s on the table; revoke it first",
			strings.ToUpper(priv), t.Name, g, strings.ToUpper(priv))
	case cols != nil && c.TableGrants[i].Columns == nil:
		// Already held at table level: a column grant has no effect.
	case cols != nil:
		merged := slices.Clone(c.TableGrants[i].Columns)
		for _, col := range cols {
			if !slices.Contains(merged, col) {
				merged = append(merged, col)
			}
		}
		c.TableGrants[i].Columns = merged
	}
	return nil
}

func (c *Catalog) revokeTablePriv(t *Table, priv string, cols []string, g Grantee) error {
	i := c.grantIndex(t, priv, g)
	switch {
	case i < 0:
		// Revoking what is not held is not an error, as in Redshift.
	case cols == nil:
		c.TableGrants = slices.Delete(c.TableGrants, i, i+1)
	case c.TableGrants[i].Columns == nil:
		return sqlerr.New(sqlerr.InvalidParameter,
			"cannot revoke column-level %s on table %s from %s: the privilege is held at table level; revoke it at table level instead",
			strings.ToUpper(priv), t.Name, g)
	default:
		left := slices.DeleteFunc(slices.Clone(c.TableGrants[i].Columns), func(col string) bool { return slices.Contains(cols, col) })
		if len(left) == 0 {
			c.TableGrants = slices.Delete(c.TableGrants, i, i+1)
		} else {
			c.TableGrants[i].Columns = left
		}
	}
	return nil
}

// grantLookup implements GRANT SELECT ON t TO RLS POLICY p.
func (c *Catalog) grantLookup(t *Table, policy string, revoke bool, privs []string) error {
	if !slices.Contains(privs, "select") {
		return sqlerr.New(sqlerr.InvalidParameter, "only SELECT can be granted to an RLS policy")
	}
	if _, ok := c.RLSPolicies[policy]; !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "RLS policy %q does not exist", policy)
	}
	lg := LookupGrant{Table: t.Name, Policy: policy}
	i := slices.Index(c.LookupGrants, lg)
	switch {
	case revoke && i >= 0:
		c.LookupGrants = slices.Delete(c.LookupGrants, i, i+1)
	case !revoke && i < 0:
		c.LookupGrants = append(c.LookupGrants, lg)
	}
	return nil
}

// HasLookupGrant reports whether the policy may read the lookup table.
func (c *Catalog) HasLookupGrant(policy, table string) bool {
	return slices.Contains(c.LookupGrants, LookupGrant{Table: table, Policy: policy})
}
