package trino_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/trino"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

// TestInterruptedDDL stops every kind of table DDL between its Trino half
// and its catalog half (the test hook stands for tipgate stopping there).
// Meanwhile a principal granted only some columns must be refused on the
// table, by Trino itself; after a restart the catalog says what Trino has
// and the principal reads what it is granted, and no more.
func TestInterruptedDDL(t *testing.T) {
	const setup = `CREATE ROLE "AWSIDC:emea-sales";
		CREATE TABLE t (region varchar(10), secret int);
		GRANT SELECT (region) ON t TO ROLE "AWSIDC:emea-sales";`
	p, _ := identity.Simulated("cat@example.com", identity.DefaultNamespace, []string{"emea-sales"})
	cases := []struct {
		name, ddl string
		crash     bool
		// refused are statements Trino refuses the principal while the
		// DDL is interrupted.
		refused []string
		check   func(t *testing.T, cat *policy.Catalog)
		// reads the principal runs through tipgate after the repair;
		// denied it is refused, by Trino directly.
		reads, denied []string
	}{
		{name: "add column", ddl: "ALTER TABLE t ADD COLUMN extra int", crash: true,
			refused: []string{"SELECT extra FROM t", "SELECT region FROM t"},
			check:   hasColumns("t", "region", "secret", "extra"),
			reads:   []string{"SELECT region FROM t"}, denied: []string{"SELECT extra FROM t", "SELECT secret FROM t"}},
		{name: "add column, failed commit", ddl: "ALTER TABLE t ADD COLUMN extra int",
			check: hasColumns("t", "region", "secret", "extra"),
			reads: []string{"SELECT region FROM t"}, denied: []string{"SELECT extra FROM t"}},
		{name: "drop column", ddl: "ALTER TABLE t DROP COLUMN secret", crash: true,
			refused: []string{"SELECT region FROM t"},
			check:   hasColumns("t", "region"),
			reads:   []string{"SELECT region FROM t"}},
		{name: "alter column type", ddl: "ALTER TABLE t ALTER COLUMN secret TYPE bigint", crash: true,
			refused: []string{"SELECT region FROM t"},
			check: func(t *testing.T, cat *policy.Catalog) {
				tb, _ := cat.Table("t")
				if c, ok := tb.Column("secret"); !ok || !strings.EqualFold(c.Type, "BIGINT") {
					t.Fatalf("secret is %+v, want BIGINT", c)
				}
			},
			reads: []string{"SELECT region FROM t"}, denied: []string{"SELECT secret FROM t"}},
		{name: "rename", ddl: "ALTER TABLE t RENAME TO u", crash: true,
			refused: []string{"SELECT region FROM u"},
			check: func(t *testing.T, cat *policy.Catalog) {
				if _, ok := cat.Table("t"); ok {
					t.Fatal("t still in the catalog")
				}
				hasColumns("u", "region", "secret")(t, cat)
			},
			reads: []string{"SELECT region FROM u"}, denied: []string{"SELECT secret FROM u"}},
		{name: "drop table", ddl: "DROP TABLE t", crash: true,
			check: func(t *testing.T, cat *policy.Catalog) {
				if _, ok := cat.Table("t"); ok {
					t.Fatal("t still in the catalog")
				}
			}},
		{name: "create table", ddl: "CREATE TABLE n (a int)", crash: true,
			refused: []string{"SELECT a FROM n"},
			check:   owned("n", "a"), denied: []string{"SELECT a FROM n"}},
		{name: "create table as", ddl: "CREATE TABLE n AS SELECT 1 AS a", crash: true,
			refused: []string{"SELECT a FROM n"},
			check:   owned("n", "a"), denied: []string{"SELECT a FROM n"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			sys := engine.NewSystemViews(nil)
			c := trinoserver.Start(t)
			open, schema := openReplica(t, c)
			b := open(sys)
			e := engine.New(b, sys)
			if err := engine.Run(ctx, e, identity.LocalSuperuser(), setup); err != nil {
				t.Fatal(err)
			}
			// The principal is seen: Trino has its rules.
			if _, err := conformance.Collect(ctx, e, p, "SELECT region FROM t"); err != nil {
				t.Fatal(err)
			}
			svc := c.DB(t, trinoserver.Warehouse, schema)
			direct := func(q string) error {
				rows, err := svc.Query(q, sql.Named("X-Trino-User", p.User))
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
				}
				return rows.Err()
			}
			fault := errors.New("tipgate stopped between Trino and the catalog")
			trino.SetAfterDDL(b, func() error { return fault }, tc.crash)
			if err := engine.Run(ctx, e, identity.LocalSuperuser(), tc.ddl); !errors.Is(err, fault) {
				t.Fatalf("%s: %v, want the fault", tc.ddl, err)
			}
			trino.SetAfterDDL(b, nil, false)
			for _, q := range tc.refused {
				if err := direct(q); err == nil {
					t.Errorf("interrupted: Trino let the principal run %s", q)
				}
			}
			if tc.crash {
				if len(trino.Pending(b)) == 0 {
					t.Fatal("no table is pending after the interrupted DDL")
				}
				// A restart reconciles.
				b.Close()
				b = open(sys)
				e = engine.New(b, sys)
			}
			if got := trino.Pending(b); len(got) != 0 {
				t.Fatalf("still pending after reconcile: %v", got)
			}
			tc.check(t, b.Catalog())
			for _, q := range tc.reads {
				if _, err := conformance.Collect(ctx, e, p, q); err != nil {
					t.Errorf("after reconcile, %s: %v", q, err)
				}
			}
			for _, q := range tc.denied {
				if err := direct(q); err == nil {
					t.Errorf("after reconcile: Trino let the principal run %s", q)
				}
			}
		})
	}
}

// openReplica returns a function opening an engine on one schema of the
// cluster and one store database: each call a fresh tipgate process.
func openReplica(t *testing.T, c *trinoserver.Cluster) (func(sys *engine.SystemViews) *trino.Engine, string) {
	t.Helper()
	db := c.PG.NewDatabase(t)
	schema := db + "_w"
	t.Cleanup(func() {
		_, _ = c.DB(t, trinoserver.Warehouse, "").Exec("DROP SCHEMA " + trinoserver.Warehouse + "." + schema + " CASCADE")
	})
	return func(sys *engine.SystemViews) *trino.Engine {
		t.Helper()
		e, err := trino.Open(context.Background(), trino.Options{
			URL: c.URL, User: trinoserver.ServiceUser, Password: c.ServicePassword, CACert: c.CACert,
			Catalog: trinoserver.Warehouse, Schema: schema, WriteRules: c.Rules().Writer(schema),
			StoreDSN: c.PG.URL(db), System: sys,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}, schema
}

func hasColumns(table string, cols ...string) func(t *testing.T, cat *policy.Catalog) {
	return func(t *testing.T, cat *policy.Catalog) {
		t.Helper()
		tb, ok := cat.Table(table)
		if !ok {
			t.Fatalf("%s not in the catalog", table)
		}
		var got []string
		for _, c := range tb.Columns {
			got = append(got, c.Name)
		}
		if !slices.Equal(got, cols) {
			t.Fatalf("%s has columns %v, want %v", table, got, cols)
		}
	}
}

func owned(table string, cols ...string) func(t *testing.T, cat *policy.Catalog) {
	return func(t *testing.T, cat *policy.Catalog) {
		t.Helper()
		hasColumns(table, cols...)(t, cat)
		if tb, _ := cat.Table(table); tb.Owner != identity.LocalSuperuser().User {
			t.Fatalf("%s owned by %q", table, tb.Owner)
		}
	}
}
