package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Table applies one table statement (DDL or COPY) inside tx. The table's
// view, policies and grants follow in the same commit (compile), from the
// catalog this returns.
func (e *Engine) Table(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st ddl.Stmt) (*policy.Catalog, int64, error) {
	t, err := txOf(tx)
	if err != nil {
		return nil, -1, err
	}
	switch s := st.(type) {
	case *ddl.CreateTable:
		next, err := e.createTable(ctx, t.tx, cat, sub, s)
		return next, -1, mapError(err)
	case *ddl.DropTable:
		next, err := e.dropTables(ctx, t.tx, cat, s)
		return next, -1, mapError(err)
	case *ddl.AlterTable:
		next, err := e.alterTable(ctx, t.tx, cat, s)
		return next, -1, mapError(err)
	case *ddl.Copy:
		n, err := e.copyInto(ctx, t.tx, cat, s)
		return cat, n, mapError(err)
	}
	return nil, -1, sqlerr.New(sqlerr.FeatureUnsupported, "statement not supported")
}

// reservedTable reports names a table may not take: the system views
// principals read, and PostgreSQL's own pg_ prefix.
func reservedTable(name string) bool {
	return strings.HasPrefix(name, "svv_") || strings.HasPrefix(name, "sys_") || strings.HasPrefix(name, "pg_") ||
		strings.HasPrefix(name, "stv_") || strings.HasPrefix(name, "stl_") || name == "information_schema"
}

func (e *Engine) createTable(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, sub policy.Subject, s *ddl.CreateTable) (*policy.Catalog, error) {
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
	if len(name) > maxIdent {
		return nil, sqlerr.New(sqlerr.InvalidParameter, "table name %q is longer than %d bytes", name, maxIdent)
	}
	if s.AsQuery != "" {
		// The superuser's query reads the raw tables (search path).
		if _, err := tx.Exec(ctx, "CREATE TABLE "+dataTable(name)+" AS "+s.AsQuery); err != nil {
			return nil, err
		}
		cols, err := columnsOf(ctx, tx, name, nil)
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
		def := qi(strings.ToLower(c.Name)) + " " + pgType(c.Type)
		if c.NotNull {
			def += " NOT NULL"
		}
		if c.Default != "" {
			def += " DEFAULT (" + c.Default + ")"
		}
		defs = append(defs, def)
		cols = append(cols, policy.Column{Name: strings.ToLower(c.Name), Type: c.Type})
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE "+dataTable(name)+" ("+strings.Join(defs, ", ")+")"); err != nil {
		return nil, err
	}
	return cat.AddTable(name, sub.User, cols)
}

// columnsOf reads a raw table's columns, keeping the declared (Redshift)
// type of columns the catalog already knows.
func columnsOf(ctx context.Context, tx pgx.Tx, table string, known map[string]string) ([]policy.Column, error) {
	rows, err := tx.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, schemaData+"."+qi(table))
	if err != nil {
		return nil, fmt.Errorf("postgres: read columns: %w", err)
	}
	defer rows.Close()
	var out []policy.Column
	for rows.Next() {
		var c policy.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, fmt.Errorf("postgres: read columns: %w", err)
		}
		c.Type = redshiftType(c.Type)
		if t, ok := known[strings.ToLower(c.Name)]; ok {
			c.Type = t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (e *Engine) dropTables(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, s *ddl.DropTable) (*policy.Catalog, error) {
	names, err := cat.TablesToDrop(s)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+viewName(name)); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, "DROP TABLE "+dataTable(name)); err != nil {
			return nil, err
		}
		if cat, err = cat.DropTable(name); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

func (e *Engine) alterTable(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, s *ddl.AlterTable) (*policy.Catalog, error) {
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
	// The view reads every column: it goes first and is rebuilt by the
	// commit's compile.
	dropView := func() error {
		_, err := tx.Exec(ctx, "DROP VIEW IF EXISTS "+viewName(name))
		return err
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
		if err := dropView(); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, "ALTER TABLE "+dataTable(name)+" RENAME TO "+qi(to)); err != nil {
			return nil, err
		}
		return cat.RenameTable(name, to)
	case "rename column":
		if err := cat.CheckColumnChange(name, col, "rename"); err != nil {
			return nil, err
		}
		newName, oldName = strings.ToLower(s.NewName), col
		known[newName] = known[col]
		stmt = "ALTER TABLE " + dataTable(name) + " RENAME COLUMN " + qi(col) + " TO " + qi(newName)
	case "drop column":
		if err := cat.CheckColumnChange(name, col, "drop"); err != nil {
			return nil, err
		}
		oldName = col
		stmt = "ALTER TABLE " + dataTable(name) + " DROP COLUMN " + qi(col)
	case "add column":
		c := s.ColumnDef
		cn := strings.ToLower(c.Name)
		known[cn] = c.Type
		stmt = "ALTER TABLE " + dataTable(name) + " ADD COLUMN " + qi(cn) + " " + pgType(c.Type)
		if c.Default != "" {
			stmt += " DEFAULT (" + c.Default + ")"
		}
	case "alter column type":
		if err := cat.CheckColumnChange(name, col, "change the type of"); err != nil {
			return nil, err
		}
		known[col] = s.ColumnDef.Type
		stmt = "ALTER TABLE " + dataTable(name) + " ALTER COLUMN " + qi(col) + " TYPE " + pgType(s.ColumnDef.Type)
	case "owner":
		return cat, nil
	default:
		return nil, sqlerr.New(sqlerr.FeatureUnsupported, "ALTER TABLE %s is not supported", strings.ToUpper(s.Action))
	}
	if err := dropView(); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		return nil, err
	}
	cols, err := columnsOf(ctx, tx, name, known)
	if err != nil {
		return nil, err
	}
	return cat.SetColumns(name, cols, oldName, newName)
}
