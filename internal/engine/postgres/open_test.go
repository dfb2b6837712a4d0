package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// TestOpenRefuses: bad input gets an error naming what is wrong and
// changes nothing.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	srv := pgserver.Start(t)
	admin := func(t *testing.T, db string, stmts ...string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, srv.DSN(db))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		for _, s := range stmts {
			if _, err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T) string // returns the DSN
		want  string
	}{
		{"no DSN", func(t *testing.T) string { return "" }, "no DSN"},
		{"DSN that does not parse", func(t *testing.T) string { return "postgres://u:secret@host:notaport/db" }, "does not parse"},
		{"nobody answers", func(t *testing.T) string {
			return "host=127.0.0.1 port=1 user=postgres dbname=x sslmode=disable connect_timeout=2"
		}, "does not answer"},
		{"role without privileges", func(t *testing.T) string {
			db := srv.NewDatabase(t)
			name := db + "_weak"
			admin(t, db, "CREATE ROLE "+name+" LOGIN")
			return "host=" + srv.Dir + " port=" + strconv.Itoa(srv.Port) + " user=" + name + " dbname=" + db + " sslmode=disable"
		}, "lacks [CREATEROLE BYPASSRLS CREATE on the database]"},
		{"schema of a newer tipgate", func(t *testing.T) string {
			db := srv.NewDatabase(t)
			e, err := postgres.Open(ctx, postgres.Options{DSN: srv.DSN(db), RolePrefix: db + "/"})
			if err != nil {
				t.Fatal(err)
			}
			e.Close()
			admin(t, db, "UPDATE tipgate.meta SET schema_version = 99")
			return srv.DSN(db)
		}, "written by a newer tipgate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dsn := tc.setup(t)
			octx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			e, err := postgres.Open(octx, postgres.Options{DSN: dsn, RolePrefix: "x/"})
			if err == nil {
				e.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q shows the DSN's password", err)
			}
		})
	}
}

// TestUncompilablePolicy: a policy PostgreSQL refuses to compile fails the
// statement and leaves the catalog, the compiled objects and the reads as
// they were.
func TestUncompilablePolicy(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	b, _ := newBackend(t, sys)
	e := engine.New(b, sys)
	su := identity.LocalSuperuser()
	if err := engine.Run(ctx, e, su, `
		CREATE TABLE t (id INT, region VARCHAR(10));
		INSERT INTO t VALUES (1, 'east'), (2, 'west');
		CREATE ROLE "AWSIDC:east";
		GRANT SELECT ON t TO ROLE "AWSIDC:east";
		CREATE RLS POLICY p_east WITH (region VARCHAR(10)) USING (region = 'east');
		ATTACH RLS POLICY p_east ON t TO ROLE "AWSIDC:east";
		ALTER TABLE t ROW LEVEL SECURITY ON;
		CREATE RLS POLICY broken WITH (region VARCHAR(10)) USING (no_such_function(region));`); err != nil {
		t.Fatal(err)
	}
	before := e.Catalog().Version
	_, err := e.Query(ctx, su, `ATTACH RLS POLICY broken ON t TO ROLE "AWSIDC:east"`)
	if err == nil || !strings.Contains(err.Error(), "no_such_function") {
		t.Fatalf("attach of an uncompilable policy: %v", err)
	}
	if got := e.Catalog().Version; got != before {
		t.Fatalf("catalog version moved from %d to %d", before, got)
	}
	p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, []string{"east"})
	r, err := e.Query(ctx, p, "SELECT id FROM t")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r.Next() {
		n++
	}
	r.Close()
	if n != 1 {
		t.Fatalf("after the failed attach the principal reads %d rows, want 1", n)
	}
}
