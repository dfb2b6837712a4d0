package policy

import (
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// The engine creates, drops and changes tables; these methods keep the
// catalog's view of them and enforce Redshift's dependency rules. Each
// returns a new catalog, leaving the receiver untouched.

// AddTable records a new table owned by owner.
func (c *Catalog) AddTable(name, owner string, cols []Column) (*Catalog, error) {
	name = strings.ToLower(name)
	if _, ok := c.Tables[name]; ok {
		return nil, sqlerr.New(sqlerr.DuplicateObject, "relation %q already exists", name)
	}
	n := c.clone()
	n.Tables[name] = &Table{Name: name, Owner: owner, Columns: slices.Clone(cols), Conjunction: "and", DatashareConj: "and"}
	return n, nil
}

// TableName is the catalog name of a table a statement names: a database
// other than this one, or a schema other than public, holds nothing of
// tipgate's. Every engine names its tables through it.
func TableName(tn ddl.TableName) (string, error) {
	if tn.Database != "" && tn.Database != DatabaseName {
		return "", sqlerr.New(sqlerr.UndefinedObject, "database %q does not exist", tn.Database)
	}
	if tn.Schema != "" && !isPublicSchema(tn.Schema) {
		return "", sqlerr.New(sqlerr.UndefinedObject, "schema %q does not exist", tn.Schema)
	}
	return strings.ToLower(tn.Name), nil
}

// TablesToDrop resolves a DROP TABLE against the catalog: the tables to
// drop, in order, each checked with CheckDropTable; a missing one is an
// error unless IF EXISTS. An engine drops its objects for each, then
// DropTable.
func (c *Catalog) TablesToDrop(s *ddl.DropTable) ([]string, error) {
	var out []string
	for _, tn := range s.Tables {
		name, err := TableName(tn)
		if err != nil {
			return nil, err
		}
		if _, ok := c.Table(name); !ok {
			if s.IfExists {
				continue
			}
			return nil, sqlerr.New(sqlerr.UndefinedTable, "table %q does not exist", name)
		}
		if err := c.CheckDropTable(name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}

// CheckDropTable reports whether the table may be dropped: a lookup table
// of an RLS policy may not, even with CASCADE.
func (c *Catalog) CheckDropTable(name string) error {
	name = strings.ToLower(name)
	if p, ok := c.IsLookupTable(name); ok {
		return sqlerr.New(sqlerr.DependentObjects, "cannot drop table %s because RLS policy %q uses it as a lookup table", name, p)
	}
	return nil
}

// DropTable forgets a table, detaching its policies and dropping its grants.
func (c *Catalog) DropTable(name string) (*Catalog, error) {
	name = strings.ToLower(name)
	if err := c.CheckDropTable(name); err != nil {
		return nil, err
	}
	n := c.clone()
	delete(n.Tables, name)
	n.TableGrants = slices.DeleteFunc(n.TableGrants, func(g TableGrant) bool { return g.Table == name })
	n.RLSAttachments = slices.DeleteFunc(n.RLSAttachments, func(a RLSAttachment) bool { return a.Table == name })
	n.MaskAttachments = slices.DeleteFunc(n.MaskAttachments, func(a MaskAttachment) bool { return a.Table == name })
	n.LookupGrants = slices.DeleteFunc(n.LookupGrants, func(g LookupGrant) bool { return g.Table == name })
	return n, nil
}

// CheckRenameTable refuses renaming a lookup table (policies name it).
func (c *Catalog) CheckRenameTable(name string) error {
	name = strings.ToLower(name)
	if p, ok := c.IsLookupTable(name); ok {
		return sqlerr.New(sqlerr.DependentObjects, "cannot rename table %s because RLS policy %q uses it as a lookup table", name, p)
	}
	return nil
}

// RenameTable renames a table; its attachments and grants follow it.
func (c *Catalog) RenameTable(from, to string) (*Catalog, error) {
	from, to = strings.ToLower(from), strings.ToLower(to)
	if err := c.CheckRenameTable(from); err != nil {
		return nil, err
	}
	if _, ok := c.Tables[to]; ok {
		return nil, sqlerr.New(sqlerr.DuplicateObject, "relation %q already exists", to)
	}
	n := c.clone()
	t := n.Tables[from]
	if t == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", from)
	}
	delete(n.Tables, from)
	t.Name = to
	n.Tables[to] = t
	for i := range n.TableGrants {
		if n.TableGrants[i].Table == from {
			n.TableGrants[i].Table = to
		}
	}
	for i := range n.RLSAttachments {
		if n.RLSAttachments[i].Table == from {
			n.RLSAttachments[i].Table = to
		}
	}
	for i := range n.MaskAttachments {
		if n.MaskAttachments[i].Table == from {
			n.MaskAttachments[i].Table = to
		}
	}
	return n, nil
}

// CheckColumnChange refuses dropping, renaming or retyping a column that an
// attached RLS policy or masking policy depends on, or any column of a
// lookup table, as Redshift does (CASCADE does not help).
func (c *Catalog) CheckColumnChange(table, column, action string) error {
	table = strings.ToLower(table)
	if p, ok := c.IsLookupTable(table); ok {
		return sqlerr.New(sqlerr.DependentObjects, "cannot %s column %s of %s because RLS policy %q uses the table as a lookup table", action, column, table, p)
	}
	for _, a := range c.RLSAttachments {
		if a.Table != table {
			continue
		}
		p := c.RLSPolicies[a.Policy]
		if p != nil && slices.ContainsFunc(p.With, func(col Column) bool { return strings.EqualFold(col.Name, column) }) {
			return sqlerr.New(sqlerr.DependentObjects, "cannot %s column %s of %s because attached RLS policy %q references it", action, column, table, p.Name)
		}
	}
	for _, a := range c.MaskAttachments {
		if a.Table != table {
			continue
		}
		uses := func(cols []string) bool {
			return slices.ContainsFunc(cols, func(x string) bool { return strings.EqualFold(x, column) })
		}
		if uses(a.Outputs) || uses(a.Inputs) {
			return sqlerr.New(sqlerr.DependentObjects, "cannot %s column %s of %s because masking policy %q is attached to it", action, column, table, a.Policy)
		}
	}
	return nil
}

// SetColumns replaces a table's column list after the engine changed it,
// renaming the column in grants when oldName/newName are set.
func (c *Catalog) SetColumns(table string, cols []Column, oldName, newName string) (*Catalog, error) {
	table = strings.ToLower(table)
	if _, ok := c.Tables[table]; !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", table)
	}
	n := c.clone()
	n.Tables[table].Columns = slices.Clone(cols)
	for i, g := range n.TableGrants {
		if g.Table != table || g.Columns == nil {
			continue
		}
		var kept []string
		for _, col := range g.Columns {
			if oldName != "" && strings.EqualFold(col, oldName) {
				if newName != "" {
					kept = append(kept, newName)
				}
				continue
			}
			if _, ok := n.Tables[table].Column(col); ok {
				kept = append(kept, col)
			}
		}
		n.TableGrants[i].Columns = kept
	}
	n.TableGrants = slices.DeleteFunc(n.TableGrants, func(g TableGrant) bool { return g.Columns != nil && len(g.Columns) == 0 })
	return n, nil
}
