package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
)

// TestBypassOverlap: a restrictive policy admits a session holding IGNORE
// RLS only where some role holds both (the OR costs a step on every row it
// rejects, so it is written nowhere else); session roles from a token and
// catalog memberships that create or remove such an overlap rebuild the
// table, and Redshift's semantics hold throughout.
func TestBypassOverlap(t *testing.T) {
	ctx := context.Background()
	srv := pgserver.Start(t)
	db := srv.NewDatabase(t)
	sys := engine.NewSystemViews(nil)
	b, err := postgres.Open(ctx, postgres.Options{DSN: srv.DSN(db), RolePrefix: db + "/", System: sys})
	if err != nil {
		t.Fatal(err)
	}
	e := engine.New(b, sys)
	t.Cleanup(func() { e.Close() })
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE sales (id INT, region VARCHAR(10));
		INSERT INTO sales VALUES (1, 'east'), (2, 'west'), (3, 'west');
		CREATE ROLE "AWSIDC:east";
		CREATE ROLE "AWSIDC:boss";
		CREATE ROLE "AWSIDC:staff";
		GRANT SELECT ON sales TO ROLE "AWSIDC:east";
		GRANT SELECT ON sales TO ROLE "AWSIDC:boss";
		GRANT SELECT ON sales TO ROLE "AWSIDC:staff";
		CREATE RLS POLICY p_east WITH (region VARCHAR(10)) USING (region = 'east');
		ATTACH RLS POLICY p_east ON sales TO ROLE "AWSIDC:east";
		GRANT IGNORE RLS TO ROLE "AWSIDC:boss";
		ALTER TABLE sales ROW LEVEL SECURITY ON;`); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, srv.DSN(db))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	orWritten := func(t *testing.T) bool {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_policies WHERE tablename = 'sales' AND permissive = 'RESTRICTIVE' AND qual LIKE '%pg_has_role%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n > 0
	}
	steps := []struct {
		name    string
		ddl     string   // run as the superuser first
		groups  []string // eve's token
		want    string   // ids eve reads
		wantsOR bool
	}{
		{"restricted only", "", []string{"east"}, "1", false},
		{"bypass alone", "", []string{"boss"}, "1 2 3", false},
		{"restricted and bypass from the token", "", []string{"east", "boss"}, "1 2 3", true},
		{"bypass group gone", "", []string{"east"}, "1", false},
		{"bypass through the catalog", `GRANT ROLE "AWSIDC:boss" TO ROLE "AWSIDC:staff"; GRANT ROLE "AWSIDC:staff" TO ROLE "AWSIDC:east"`, []string{"east"}, "1 2 3", true},
		{"catalog overlap revoked", `REVOKE ROLE "AWSIDC:staff" FROM ROLE "AWSIDC:east"`, []string{"east"}, "1", false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.ddl != "" {
				if err := engine.Run(ctx, e, identity.LocalSuperuser(), st.ddl); err != nil {
					t.Fatal(err)
				}
			}
			p, _ := identity.Simulated("eve@example.com", identity.DefaultNamespace, st.groups)
			got, err := conformance.Collect(ctx, e, p, "SELECT id FROM sales ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			if s := strings.Join(got, " "); s != st.want {
				t.Errorf("eve with %v reads %q, want %q", st.groups, s, st.want)
			}
			if orWritten(t) != st.wantsOR {
				t.Errorf("bypass OR in a restrictive policy: %v, want %v", !st.wantsOR, st.wantsOR)
			}
		})
	}
}
