package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// referenceWarehouse loads the reference policy script (plus a mask) into a
// fresh database with unprefixed role names, as in production, and
// returns its superuser DSN with tipgate closed.
func referenceWarehouse(t *testing.T, rows int64) string {
	t.Helper()
	ctx := context.Background()
	srv := pgserver.Start(t)
	db := srv.NewDatabase(t)
	root := t.TempDir()
	src := filepath.Join(root, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := gendata.WriteCSV(ctx, f, gendata.Options{Rows: rows, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sys := engine.NewSystemViews(nil)
	b, err := postgres.Open(ctx, postgres.Options{DSN: srv.DSN(db), S3Root: root, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(b, sys)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), demo.PolicyScript, `
		CREATE MASKING POLICY hide_city WITH (city VARCHAR(100)) USING (CAST('***' AS VARCHAR(100)));
		ATTACH MASKING POLICY hide_city ON sales_data(city) TO ROLE "AWSIDC:emea-sales" PRIORITY 10;`); err != nil {
		t.Fatal(err)
	}
	// A principal's first statement records its user and grants it its
	// token's groups as role memberships.
	ming, _ := identity.Simulated("ming@example.com", identity.DefaultNamespace, []string{"apac-sales"})
	if _, err := conformance.Collect(ctx, e, ming, "SELECT count(*) FROM sales_data"); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return srv.DSN(db)
}

// TestNativeEnforcement (issue 19, acceptance 2): with tipgate closed, a
// plain connection as the database superuser that takes a principal's role
// sees what the catalog decides for it, enforced by PostgreSQL alone.
func TestNativeEnforcement(t *testing.T) {
	dsn := referenceWarehouse(t, 3000)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var total, asia, europe int64
	if err := conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE timezone LIKE 'Asia%'), count(*) FILTER (WHERE timezone LIKE 'Europe%')
		FROM tipgate_data.sales_data`).Scan(&total, &asia, &europe); err != nil {
		t.Fatal(err)
	}
	if total != 3000 || asia == 0 || europe == 0 {
		t.Fatalf("fixture: %d rows, %d Asian, %d European", total, asia, europe)
	}
	tests := []struct {
		role       string
		rows       int64
		otherZones int64 // rows outside the role's region
		cities     string
	}{
		{role: "AWSIDC:apac-sales", rows: asia},
		{role: "AWSIDC:ming@example.com", rows: asia},
		{role: "AWSIDC:exec-global", rows: total},
		{role: "AWSIDC:emea-sales", rows: europe, cities: "***"},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			if _, err := tx.Exec(ctx, "SET LOCAL ROLE "+pgx.Identifier{tc.role}.Sanitize()); err != nil {
				t.Fatal(err)
			}
			var n, outside int64
			var cities string
			prefix := map[string]string{"AWSIDC:apac-sales": "Asia", "AWSIDC:ming@example.com": "Asia", "AWSIDC:emea-sales": "Europe"}[tc.role]
			if err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE $1 <> '' AND timezone NOT LIKE $1 || '%'),
				coalesce(string_agg(DISTINCT city, ','), '') FROM sales_data`, prefix).Scan(&n, &outside, &cities); err != nil {
				t.Fatal(err)
			}
			if n != tc.rows || outside != 0 {
				t.Errorf("%s sees %d rows (%d outside its region), want %d", tc.role, n, outside, tc.rows)
			}
			if tc.cities != "" && cities != tc.cities {
				t.Errorf("%s sees cities %q, want only the mask %q", tc.role, cities, tc.cities)
			}
			if tc.cities == "" && (cities == "" || strings.Contains(cities, "***")) {
				t.Errorf("%s sees cities %q, want real ones", tc.role, cities)
			}
		})
	}
	t.Run("no way around", func(t *testing.T) {
		for _, q := range []string{
			"SELECT count(*) FROM tipgate_data.sales_data", // the raw table: no USAGE on its schema
			"SELECT set_config('role', 'postgres', true)",  // EXECUTE revoked from PUBLIC
			"SELECT body FROM tipgate.catalog",             // the catalog's policy text
		} {
			tx, err := conn.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `SET LOCAL ROLE "AWSIDC:apac-sales"`); err != nil {
				t.Fatal(err)
			}
			_, err = tx.Exec(ctx, q)
			tx.Rollback(ctx)
			if err == nil {
				t.Errorf("%s: succeeded under AWSIDC:apac-sales", q)
			}
		}
	})
}
