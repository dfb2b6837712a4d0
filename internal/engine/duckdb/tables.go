package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Table applies one table statement (DDL or COPY) inside tx.
func (e *Engine) Table(ctx context.Context, tx engine.Tx, cat *policy.Catalog, sub policy.Subject, st ddl.Stmt) (*policy.Catalog, int64, error) {
	t, err := txConn(tx)
	if err != nil {
		return nil, -1, err
	}
	next, n, err := e.tableStep(ctx, t.conn, cat, sub, st)
	if err != nil {
		return nil, -1, mapError(err, nil)
	}
	if _, ok := st.(*ddl.Copy); ok {
		t.loaded = true
	}
	return next, n, nil
}

// tableStep applies one table statement inside the caller's transaction.
func (e *Engine) tableStep(ctx context.Context, tx sqlConn, cat *policy.Catalog, sub policy.Subject, st ddl.Stmt) (*policy.Catalog, int64, error) {
	switch s := st.(type) {
	case *ddl.CreateTable:
		next, err := e.createTable(ctx, tx, cat, sub, s)
		return next, -1, err
	case *ddl.DropTable:
		next, err := e.dropTables(ctx, tx, cat, s)
		return next, -1, err
	case *ddl.AlterTable:
		next, err := e.alterTable(ctx, tx, cat, s)
		return next, -1, err
	case *ddl.Copy:
		n, err := e.copyInto(ctx, tx, cat, s)
		return cat, n, err
	}
	return nil, -1, sqlerr.New(sqlerr.FeatureUnsupported, "statement not supported")
}

func (e *Engine) createTable(ctx context.Context, tx sqlConn, cat *policy.Catalog, sub policy.Subject, s *ddl.CreateTable) (*policy.Catalog, error) {
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
	if strings.HasPrefix(name, "svv_") || e.systemNames[name] {
		return nil, sqlerr.New(sqlerr.InvalidParameter, "table name %q is reserved for system relations", name)
	}
	var cols []policy.Column
	if s.AsQuery != "" {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE "+rawTable(name)+" AS "+s.AsQuery); err != nil {
			return nil, err
		}
		if cols, err = e.columnsOf(ctx, tx, name, nil); err != nil {
			return nil, err
		}
	} else {
		if len(s.Columns) == 0 {
			return nil, sqlerr.New(sqlerr.InvalidParameter, "table %s needs at least one column", name)
		}
		var defs []string
		for _, c := range s.Columns {
			def := sqlscan.QuoteIdent(strings.ToLower(c.Name)) + " " + duckType(c.Type)
			if c.NotNull {
				def += " NOT NULL"
			}
			if c.Default != "" {
				def += " DEFAULT (" + c.Default + ")"
			}
			defs = append(defs, def)
			cols = append(cols, policy.Column{Name: strings.ToLower(c.Name), Type: c.Type})
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE "+rawTable(name)+" ("+strings.Join(defs, ", ")+")"); err != nil {
			return nil, err
		}
		if _, err := e.columnsOf(ctx, tx, name, nil); err != nil {
			return nil, err
		}
	}
	return cat.AddTable(name, sub.User, cols)
}

// nestedType reports a DuckDB STRUCT, MAP, UNION, VARIANT, LIST or ARRAY
// type. Redshift tables have none, and DuckDB pushes field extractions of
// nested columns (with a cast around them) into the scan, below a policy
// view's row filter (RemoveUnusedColumns' extract pushdown, also run by
// late_materialization and top_n_window_elimination): a table with a
// nested column could not keep the promise of docs/enforcement.md.
func nestedType(t string) bool {
	u := strings.ToUpper(strings.TrimSpace(t))
	for _, p := range []string{"STRUCT", "MAP", "UNION", "VARIANT"} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	return strings.HasSuffix(u, "]")
}

// columnsOf reads a table's columns from DuckDB, keeping the declared
// (Redshift) type of columns the catalog already knows.
func (e *Engine) columnsOf(ctx context.Context, tx sqlConn, table string, known map[string]string) ([]policy.Column, error) {
	rows, err := tx.QueryContext(ctx, "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' AND table_name = ? ORDER BY column_index", rawCatalog, table)
	if err != nil {
		return nil, fmt.Errorf("duckdb: read columns: %w", err)
	}
	defer rows.Close()
	var out []policy.Column
	for rows.Next() {
		var c policy.Column
		if err := rows.Scan(&c.Name, &c.Type); err != nil {
			return nil, fmt.Errorf("duckdb: read columns: %w", err)
		}
		if nestedType(c.Type) {
			return nil, sqlerr.New(sqlerr.FeatureUnsupported,
				"column %q of relation %q has type %s: tables hold scalar types only (use SUPER or VARCHAR for semi-structured data)", c.Name, table, c.Type)
		}
		if t, ok := known[strings.ToLower(c.Name)]; ok {
			c.Type = t
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (e *Engine) dropTables(ctx context.Context, tx sqlConn, cat *policy.Catalog, s *ddl.DropTable) (*policy.Catalog, error) {
	names, err := cat.TablesToDrop(s)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+rawTable(name)); err != nil {
			return nil, err
		}
		if cat, err = cat.DropTable(name); err != nil {
			return nil, err
		}
	}
	return cat, nil
}

func (e *Engine) alterTable(ctx context.Context, tx sqlConn, cat *policy.Catalog, s *ddl.AlterTable) (*policy.Catalog, error) {
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
		if _, err := tx.ExecContext(ctx, "ALTER TABLE "+rawTable(name)+" RENAME TO "+sqlscan.QuoteIdent(to)); err != nil {
			return nil, err
		}
		return cat.RenameTable(name, to)
	case "rename column":
		if err := cat.CheckColumnChange(name, col, "rename"); err != nil {
			return nil, err
		}
		newName = strings.ToLower(s.NewName)
		oldName = col
		known[newName] = known[col]
		stmt = "ALTER TABLE " + rawTable(name) + " RENAME COLUMN " + sqlscan.QuoteIdent(col) + " TO " + sqlscan.QuoteIdent(newName)
	case "drop column":
		if err := cat.CheckColumnChange(name, col, "drop"); err != nil {
			return nil, err
		}
		oldName = col
		stmt = "ALTER TABLE " + rawTable(name) + " DROP COLUMN " + sqlscan.QuoteIdent(col)
	case "add column":
		c := s.ColumnDef
		cn := strings.ToLower(c.Name)
		known[cn] = c.Type
		stmt = "ALTER TABLE " + rawTable(name) + " ADD COLUMN " + sqlscan.QuoteIdent(cn) + " " + duckType(c.Type)
		if c.Default != "" {
			stmt += " DEFAULT (" + c.Default + ")"
		}
	case "alter column type":
		if err := cat.CheckColumnChange(name, col, "change the type of"); err != nil {
			return nil, err
		}
		known[col] = s.ColumnDef.Type
		stmt = "ALTER TABLE " + rawTable(name) + " ALTER COLUMN " + sqlscan.QuoteIdent(col) + " TYPE " + duckType(s.ColumnDef.Type)
	case "owner":
		return cat, nil
	default:
		return nil, sqlerr.New(sqlerr.FeatureUnsupported, "ALTER TABLE %s is not supported", strings.ToUpper(s.Action))
	}
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		return nil, err
	}
	cols, err := e.columnsOf(ctx, tx, name, known)
	if err != nil {
		return nil, err
	}
	return cat.SetColumns(name, cols, oldName, newName)
}
