package trino

import (
	"context"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Table applies one table statement (DDL or COPY) on Trino as the service
// user; the rules for the table follow in the same Commit.
//
// Each DDL first records its intent and waits until Trino refuses every
// principal on the tables it touches, then runs on Trino (reconcile.go).
func (e *Engine) Table(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st ddl.Stmt) (*policy.Catalog, int64, error) {
	ttx, _ := tx.(*trinoTx)
	switch s := st.(type) {
	case *ddl.CreateTable:
		next, err := e.createTable(ctx, ttx, cat, sub, s)
		return next, -1, err
	case *ddl.DropTable:
		names, err := cat.TablesToDrop(s)
		if err != nil {
			return nil, -1, err
		}
		for _, name := range names {
			if err := e.markPending(ctx, ttx, cat, pendingDDL{Table: name}); err != nil {
				return nil, -1, err
			}
			if _, err := e.db.ExecContext(ctx, "DROP TABLE "+e.tableName(name)); err != nil {
				return nil, -1, mapError(err)
			}
			if err := e.afterTrinoDDL(ttx); err != nil {
				return nil, -1, err
			}
			if cat, err = cat.DropTable(name); err != nil {
				return nil, -1, err
			}
		}
		return cat, -1, nil
	case *ddl.AlterTable:
		next, err := e.alterTable(ctx, ttx, cat, sub, s)
		return next, -1, err
	case *ddl.Copy:
		n, err := e.copyInto(ctx, cat, s)
		if ttx != nil {
			ttx.rowsChanged = true // the commit reads inlined lookups again
		}
		return cat, n, err
	}
	return nil, -1, sqlerr.New(sqlerr.FeatureUnsupported, "statement not supported")
}

func reservedTable(name string) bool {
	return strings.HasPrefix(name, "svv_") || strings.HasPrefix(name, "sys_") || strings.HasPrefix(name, "pg_") ||
		strings.HasPrefix(name, "stv_") || strings.HasPrefix(name, "stl_") || name == "information_schema"
}

func (e *Engine) createTable(ctx context.Context, ttx *trinoTx, cat *policy.Catalog, sub policy.Subject, s *ddl.CreateTable) (*policy.Catalog, error) {
	name, err := policy.TableName(s.Table)
	if err != nil {
		return nil, err
	}
	if _, ok := cat.Table(name); ok {
		if s.IfNotExists {
			return cat, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateObject, "relation %q already exists", name)
	}
	if reservedTable(name) {
		return nil, sqlerr.New(sqlerr.InvalidParameter, "table name %q is reserved for system relations", name)
	}
	if s.AsQuery != "" {
		if err := e.markPending(ctx, ttx, cat, pendingDDL{Table: name, Owner: sub.User}); err != nil {
			return nil, err
		}
		if _, err := e.db.ExecContext(ctx, "CREATE TABLE "+e.tableName(name)+" AS "+s.AsQuery); err != nil {
			return nil, mapError(err)
		}
		if err := e.afterTrinoDDL(ttx); err != nil {
			return nil, err
		}
		cols, err := e.columnsOf(ctx, name, nil)
		if err != nil {
			return nil, err
		}
		return cat.AddTable(name, sub.User, cols)
	}
	if len(s.Columns) == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameter, "table %s needs at least one column", name)
	}
	var defs []string
	var cols []policy.Column
	for _, c := range s.Columns {
		// Iceberg has no column defaults; NOT NULL it has.
		def := qi(strings.ToLower(c.Name)) + " " + trinoType(c.Type)
		if c.NotNull {
			def += " NOT NULL"
		}
		if c.Default != "" {
			return nil, sqlerr.New(sqlerr.FeatureUnsupported, "the Trino engine has no column defaults (column %s)", c.Name)
		}
		defs = append(defs, def)
		cols = append(cols, policy.Column{Name: strings.ToLower(c.Name), Type: c.Type})
	}
	if err := e.markPending(ctx, ttx, cat, pendingDDL{Table: name, Owner: sub.User}); err != nil {
		return nil, err
	}
	if _, err := e.db.ExecContext(ctx, "CREATE TABLE "+e.tableName(name)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return nil, mapError(err)
	}
	if err := e.afterTrinoDDL(ttx); err != nil {
		return nil, err
	}
	return cat.AddTable(name, sub.User, cols)
}

// columnsOf reads a table's columns from Trino, keeping the declared
// (Redshift) type of columns the catalog already knows.
func (e *Engine) columnsOf(ctx context.Context, table string, known map[string]string) ([]policy.Column, error) {
	rows, err := e.db.QueryContext(ctx, "SELECT column_name, data_type FROM "+qi(e.opts.Catalog)+
		".information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", e.opts.Schema, table)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []policy.Column
	for rows.Next() {
		var c policy.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, mapError(err)
		}
		c.Type = redshiftType(c.Type)
		if t, ok := known[strings.ToLower(c.Name)]; ok {
			c.Type = t
		}
		out = append(out, c)
	}
	return out, mapError(rows.Err())
}

func (e *Engine) alterTable(ctx context.Context, ttx *trinoTx, cat *policy.Catalog, sub policy.Subject, s *ddl.AlterTable) (*policy.Catalog, error) {
	name, err := policy.TableName(s.Table)
	if err != nil {
		return nil, err
	}
	t, ok := cat.Table(name)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
	}
	known := map[string]string{}
	for _, c := range t.Columns {
		known[c.Name] = c.Type
	}
	col := strings.ToLower(s.Column)
	if s.Column != "" {
		if _, ok := t.Column(col); !ok {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", col, name)
		}
	}
	var stmt, oldName, newName string
	switch s.Action {
	case "rename":
		if err := cat.CheckRenameTable(name); err != nil {
			return nil, err
		}
		to := strings.ToLower(s.NewName)
		if reservedTable(to) {
			return nil, sqlerr.New(sqlerr.InvalidParameter, "table name %q is reserved for system relations", to)
		}
		if err := e.markPending(ctx, ttx, cat, pendingDDL{Table: name}, pendingDDL{Table: to, RenamedFrom: name, Owner: sub.User}); err != nil {
			return nil, err
		}
		if _, err := e.db.ExecContext(ctx, "ALTER TABLE "+e.tableName(name)+" RENAME TO "+e.tableName(to)); err != nil {
			return nil, mapError(err)
		}
		if err := e.afterTrinoDDL(ttx); err != nil {
			return nil, err
		}
		return cat.RenameTable(name, to)
	case "rename column":
		if err := cat.CheckColumnChange(name, col, "rename"); err != nil {
			return nil, err
		}
		newName, oldName = strings.ToLower(s.NewName), col
		known[newName] = known[col]
		stmt = "ALTER TABLE " + e.tableName(name) + " RENAME COLUMN " + qi(col) + " TO " + qi(newName)
	case "drop column":
		if err := cat.CheckColumnChange(name, col, "drop"); err != nil {
			return nil, err
		}
		oldName = col
		stmt = "ALTER TABLE " + e.tableName(name) + " DROP COLUMN " + qi(col)
	case "add column":
		c := s.ColumnDef
		cn := strings.ToLower(c.Name)
		known[cn] = c.Type
		if c.Default != "" {
			return nil, sqlerr.New(sqlerr.FeatureUnsupported, "the Trino engine has no column defaults (column %s)", c.Name)
		}
		stmt = "ALTER TABLE " + e.tableName(name) + " ADD COLUMN " + qi(cn) + " " + trinoType(c.Type)
	case "alter column type":
		if err := cat.CheckColumnChange(name, col, "change the type of"); err != nil {
			return nil, err
		}
		from := known[col]
		known[col] = s.ColumnDef.Type
		if trinoType(from) == trinoType(s.ColumnDef.Type) {
			// VARCHAR(n) to VARCHAR(m) (Redshift's one ALTER COLUMN TYPE):
			// Iceberg stores strings unbounded, so only the catalog's
			// type changes.
			return cat.SetColumns(name, withType(t.Columns, col, s.ColumnDef.Type), "", "")
		}
		stmt = "ALTER TABLE " + e.tableName(name) + " ALTER COLUMN " + qi(col) + " SET DATA TYPE " + trinoType(s.ColumnDef.Type)
	case "owner":
		return cat, nil
	default:
		return nil, sqlerr.New(sqlerr.FeatureUnsupported, "ALTER TABLE %s is not supported on the Trino engine", strings.ToUpper(s.Action))
	}
	if err := e.markPending(ctx, ttx, cat, pendingDDL{Table: name}); err != nil {
		return nil, err
	}
	if _, err := e.db.ExecContext(ctx, stmt); err != nil {
		return nil, mapError(err)
	}
	if err := e.afterTrinoDDL(ttx); err != nil {
		return nil, err
	}
	cols, err := e.columnsOf(ctx, name, known)
	if err != nil {
		return nil, err
	}
	return cat.SetColumns(name, cols, oldName, newName)
}

// withType returns cols with column col's type set to typ.
func withType(cols []policy.Column, col, typ string) []policy.Column {
	out := slices.Clone(cols)
	for i := range out {
		if strings.EqualFold(out[i].Name, col) {
			out[i].Type = typ
		}
	}
	return out
}
