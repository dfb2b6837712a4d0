package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// TestPostgresAttacks is the PostgreSQL class of the attack corpus: ways a
// principal's statement could leave its role, read the raw tables or the
// policies' text, or reach files, settings or other databases. Each must
// fail before it runs, with the stated code; and after every one the
// principal still sees only its rows (no state survived on the pool).
func TestPostgresAttacks(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE sales (id INT, region VARCHAR(10), secret VARCHAR(20));
		INSERT INTO sales VALUES (1, 'east', 'e1'), (2, 'west', 'w2'), (3, 'west', 'w3');
		CREATE ROLE "AWSIDC:east";
		GRANT SELECT ON sales TO ROLE "AWSIDC:east";
		CREATE RLS POLICY p_east WITH (region VARCHAR(10)) USING (region = 'east');
		ATTACH RLS POLICY p_east ON sales TO ROLE "AWSIDC:east";
		ALTER TABLE sales ROW LEVEL SECURITY ON;`); err != nil {
		t.Fatal(err)
	}
	p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, []string{"east"})
	check := func(t *testing.T) {
		t.Helper()
		got, err := conformance.Collect(ctx, e, p, "SELECT id, current_user FROM sales")
		if err != nil || len(got) != 1 || got[0] != "1|AWSIDC:eve@example.com" {
			t.Fatalf("after the attack the principal reads %q, %v; want only row 1 as itself", got, err)
		}
	}
	check(t)
	tests := []struct {
		name, sql string
		code      sqlerr.Code
	}{
		{"set_config role", "SELECT set_config('role', 'postgres', true)", sqlerr.PermissionDenied},
		{"set_config in where", "SELECT id FROM sales WHERE set_config('row_security', 'off', true) IS NOT NULL", sqlerr.PermissionDenied},
		{"current_setting", "SELECT current_setting('role')", sqlerr.PermissionDenied},
		{"reset role", "RESET ROLE", sqlerr.PermissionDenied},
		{"set role", `SET ROLE "postgres"`, sqlerr.PermissionDenied},
		{"set session authorization", "SET SESSION AUTHORIZATION postgres", sqlerr.PermissionDenied},
		{"set row_security", "SET row_security = off", sqlerr.PermissionDenied},
		// The router's grammar refuses these three before the engine sees them.
		{"two statements", "SELECT 1; RESET ROLE", sqlerr.SyntaxError},
		{"do block", "DO $$ BEGIN PERFORM 1; END $$", sqlerr.PermissionDenied},
		{"copy to program", "COPY (SELECT 1) TO PROGRAM 'id'", sqlerr.SyntaxError},
		{"copy raw table", "COPY tipgate_data.sales TO STDOUT", sqlerr.SyntaxError},
		{"listen", "LISTEN tipgate", sqlerr.PermissionDenied},
		{"notify", "SELECT pg_notify('tipgate', 'x')", sqlerr.PermissionDenied},
		{"prepare", "PREPARE q AS SELECT * FROM sales", sqlerr.PermissionDenied},
		{"cursor", "DECLARE c CURSOR FOR SELECT * FROM sales", sqlerr.PermissionDenied},
		{"raw table", "SELECT * FROM tipgate_data.sales", sqlerr.PermissionDenied},
		{"catalog", "SELECT * FROM tipgate.catalog", sqlerr.PermissionDenied},
		{"pg_policies", "SELECT qual FROM pg_policies", sqlerr.UndefinedTable},
		{"pg_catalog.pg_policy", "SELECT polqual FROM pg_catalog.pg_policy", sqlerr.PermissionDenied},
		{"information_schema", "SELECT * FROM information_schema.tables", sqlerr.PermissionDenied},
		{"pg_get_viewdef", "SELECT pg_get_viewdef('sales')", sqlerr.PermissionDenied},
		{"pg_get_expr", "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy", sqlerr.PermissionDenied},
		{"read file", "SELECT pg_read_file('/etc/passwd')", sqlerr.PermissionDenied},
		{"large object", "SELECT lo_import('/etc/passwd')", sqlerr.PermissionDenied},
		{"query_to_xml", "SELECT query_to_xml('SELECT * FROM tipgate_data.sales', true, false, '')", sqlerr.PermissionDenied},
		{"table_to_xml by oid", "SELECT table_to_xml(16384::regclass, true, false, '')", sqlerr.PermissionDenied},
		{"regclass cast", "SELECT 'tipgate_data.sales'::regclass", sqlerr.PermissionDenied},
		{"ts_stat runs sql", "SELECT * FROM ts_stat('SELECT to_tsvector(secret) FROM tipgate_data.sales')", sqlerr.PermissionDenied},
		{"dblink", "SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int)", sqlerr.PermissionDenied},
		{"sleep", "SELECT pg_sleep(10)", sqlerr.PermissionDenied},
		{"select into", "SELECT * INTO stolen FROM sales", sqlerr.PermissionDenied},
		{"row lock", "SELECT * FROM sales FOR UPDATE", sqlerr.PermissionDenied},
		{"explain shows predicates", "EXPLAIN SELECT * FROM sales", ""},
		{"explain analyze", "EXPLAIN ANALYZE SELECT * FROM sales", sqlerr.PermissionDenied},
		{"schema function", "SELECT tipgate.principal()", sqlerr.PermissionDenied},
		{"compat schema qualified", "SELECT tipgate_compat.nvl(1, 2)", sqlerr.PermissionDenied},
		{"insert", "INSERT INTO sales VALUES (9, 'east', 'x')", sqlerr.PermissionDenied},
		{"vacuum", "VACUUM sales", sqlerr.PermissionDenied},
		{"nextval", "SELECT nextval('s')", sqlerr.PermissionDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := conformance.Collect(ctx, e, p, tc.sql)
			switch {
			case tc.code == "":
				// Allowed, but must not print policy text.
				if err != nil {
					t.Fatalf("%s: %v", tc.sql, err)
				}
				if s := strings.Join(got, "\n"); strings.Contains(s, "east") {
					t.Fatalf("%s shows the policy's predicate:\n%s", tc.sql, s)
				}
			case err == nil:
				t.Fatalf("%s: succeeded with %q", tc.sql, got)
			case sqlerr.CodeOf(err) != tc.code:
				t.Fatalf("%s: %v (code %s), want code %s", tc.sql, err, sqlerr.CodeOf(err), tc.code)
			}
			check(t)
		})
	}
}

// TestRedactedDataErrors: a data exception shown to a principal names the
// kind of failure, never the value (here a visible one; a policy's
// predicate could fail on a hidden one).
func TestRedactedDataErrors(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE t (city VARCHAR(20));
		INSERT INTO t VALUES ('Tokyo');
		GRANT SELECT ON t TO PUBLIC;`); err != nil {
		t.Fatal(err)
	}
	p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, nil)
	for _, q := range []string{"SELECT CAST(city AS INT) FROM t", "SELECT city ~ (city || '(') FROM t", "SELECT CAST(city AS DATE) FROM t"} {
		_, err := conformance.Collect(ctx, e, p, q)
		if err == nil || strings.Contains(err.Error(), "Tokyo") || sqlerr.CodeOf(err) == sqlerr.Internal {
			t.Errorf("%s: %v; want a data exception without the value", q, err)
		}
	}
	// The superuser's own errors keep PostgreSQL's message.
	if _, err := conformance.Collect(ctx, e, identity.LocalSuperuser(), "SELECT CAST(city AS INT) FROM t"); err == nil || !strings.Contains(err.Error(), "Tokyo") {
		t.Errorf("superuser: %v", err)
	}
}

// TestTableChangesKeepViews: a table statement that drops a table's view
// and leaves its plan as it was (a column changed to its own type, a table
// dropped and created again in one batch) still leaves the view in place.
func TestTableChangesKeepViews(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	su := identity.LocalSuperuser()
	if err := engine.Run(ctx, e, su, `
		CREATE TABLE t (id INT, region VARCHAR(10));
		INSERT INTO t VALUES (1, 'east');
		GRANT SELECT ON t TO PUBLIC;
		ALTER TABLE t ALTER COLUMN region TYPE VARCHAR(10);`); err != nil {
		t.Fatal(err)
	}
	p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, nil)
	if got, err := conformance.Collect(ctx, e, p, "SELECT id FROM t"); err != nil || len(got) != 1 || got[0] != "1" {
		t.Fatalf("after ALTER COLUMN to its own type: %q, %v", got, err)
	}
	err := e.QueryBatch(ctx, su, []engine.Stmt{{SQL: "DROP TABLE t"}, {SQL: "CREATE TABLE t (id INT, region VARCHAR(10))"},
		{SQL: "GRANT SELECT ON t TO PUBLIC"}, {SQL: "INSERT INTO t VALUES (2, 'west')"}}, func(int, engine.Rows) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	got, err := conformance.Collect(ctx, e, p, "SELECT id FROM t")
	if err != nil || len(got) != 1 || got[0] != "2" {
		t.Fatalf("after the batch: %q, %v", got, err)
	}
}

// TestParameters: Data API parameters arrive as strings and are bound as
// untyped values, which PostgreSQL types from their context as Redshift
// does; they are never spliced into the text.
func TestParameters(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE t (id INT, day DATE, region VARCHAR(10));
		INSERT INTO t VALUES (1, '2024-01-01', 'east'), (2, '2024-02-01', 'west'), (3, '2024-03-01', 'east');
		GRANT SELECT ON t TO PUBLIC;`); err != nil {
		t.Fatal(err)
	}
	p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, nil)
	r, err := e.Query(ctx, p, "SELECT id FROM t WHERE id >= $1 AND day < $2 AND region = $3", "2", "2024-03-01", "west' OR '1'='1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	r.Close()
	if n != 0 {
		t.Fatalf("a quote in a parameter changed the statement: %d rows", n)
	}
	r, err = e.Query(ctx, p, "SELECT id FROM t WHERE id >= $1 AND day < $2 AND region = $3", "2", "2024-03-01", "west")
	if err != nil {
		t.Fatal(err)
	}
	var ids []any
	for r.Next() {
		ids = append(ids, r.Values()[0])
	}
	r.Close()
	if len(ids) != 1 || ids[0] != int64(2) {
		t.Fatalf("rows %v, want [2]", ids)
	}
}
