package duckdb

import (
	"context"
	"fmt"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestPreparedStatementsFollowChanges: the same texts, run again and again
// on pooled connections that keep them prepared, always answer from the
// current policies, data, tables and system views, and never with another
// principal's policies.
func TestPreparedStatementsFollowChanges(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	e, err := Open(ctx, Options{DataDir: t.TempDir(), Threads: 1, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.New(e, sys)
	defer r.Close()
	admin := identity.LocalSuperuser()
	if err := engine.Run(ctx, r, admin,
		`CREATE TABLE t (region VARCHAR(10), n INT)`,
		`INSERT INTO t VALUES ('asia', 1), ('europe', 2)`,
		`CREATE ROLE "AWSIDC:asia"`,
		`CREATE ROLE "AWSIDC:all"`,
		`GRANT SELECT ON t TO ROLE "AWSIDC:asia"`,
		`GRANT SELECT ON t TO ROLE "AWSIDC:all"`,
		`CREATE RLS POLICY p WITH (region VARCHAR(10)) USING (region = 'asia')`,
		`ATTACH RLS POLICY p ON t TO ROLE "AWSIDC:asia"`,
		`ALTER TABLE t ROW LEVEL SECURITY ON`,
		`CREATE RLS POLICY everything WITH (region VARCHAR(10)) USING (true)`,
		`ATTACH RLS POLICY everything ON t TO ROLE "AWSIDC:all"`); err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"asia"})
	ethan, _ := identity.Simulated("ethan@example.com", "AWSIDC", []string{"all"})
	// A newcomer's first statement creates its role without a new policy
	// version: ming's connection stays, its svv_roles view is replaced.
	newcomer, _ := identity.Simulated("new@example.com", "AWSIDC", []string{"brand-new"})
	newcomer.AutoCreateRoles = []string{"AWSIDC:brand-new"}
	who := map[string]identity.Principal{"ming": ming, "ethan": ethan, "new": newcomer}
	const (
		count = "SELECT count(*)::VARCHAR FROM t"
		sum   = "SELECT coalesce(sum(n), 0)::VARCHAR FROM t"
		roles = "SELECT count(*)::VARCHAR FROM svv_roles"
		cols  = "SELECT * FROM t ORDER BY 1 LIMIT 1"
		// byRegion takes its region as an argument.
		byRegion = "SELECT count(*)::VARCHAR FROM t WHERE region = $1::VARCHAR"
	)
	steps := []struct {
		as, sql, want string // as "" is the superuser's change
		args          []any
	}{
		{"ming", roles, "7", nil},
		{"ming", count, "1", nil},
		{"ethan", count, "2", nil},
		{"ming", count, "1", nil},
		{"ethan", count, "2", nil},
		// One prepared text, other arguments (and argument types).
		{"ethan", byRegion, "1", []any{"asia"}},
		{"ethan", byRegion, "1", []any{"europe"}},
		{"ethan", byRegion, "0", []any{"nowhere"}},
		{"ethan", byRegion, "0", []any{int64(7)}},
		{"ming", byRegion, "0", []any{"europe"}},
		// A constant system view replaced between runs of the same text
		// (DuckDB does not rebind a statement for that by itself).
		{"ming", roles, "7", nil},
		{"new", "SELECT 1::VARCHAR", "1", nil},
		{"ming", roles, "8", nil},
		{"ming", roles, "8", nil},
		// New rows.
		{"", `INSERT INTO t VALUES ('asia', 10)`, "", nil},
		{"ming", count, "2", nil},
		{"ming", sum, "11", nil},
		{"ethan", sum, "13", nil},
		// A new policy version.
		{"", `DETACH RLS POLICY p ON t FROM ROLE "AWSIDC:asia"`, "", nil},
		{"ming", count, "0", nil}, // default deny: RLS on, no policy for ming
		{"", `ATTACH RLS POLICY everything ON t TO ROLE "AWSIDC:asia"`, "", nil},
		{"ming", count, "3", nil},
		{"ming", sum, "13", nil},
		// The table itself changes under the views.
		{"ming", cols, "asia 1", nil},
		{"", `ALTER TABLE t ADD COLUMN extra INT`, "", nil},
		{"", `GRANT SELECT ON t TO ROLE "AWSIDC:asia"`, "", nil},
		{"ming", cols, "asia 1 <nil>", nil},
		{"ethan", count, "3", nil},
	}
	for i, st := range steps {
		if st.as == "" {
			if err := engine.Run(ctx, r, admin, st.sql); err != nil {
				t.Fatalf("step %d: %s: %v", i, st.sql, err)
			}
			continue
		}
		rows, err := r.Query(ctx, who[st.as], st.sql, st.args...)
		if err != nil {
			t.Fatalf("step %d: %s as %s: %v", i, st.sql, st.as, err)
		}
		got := ""
		for rows.Next() {
			for j, v := range rows.Values() {
				if j > 0 {
					got += " "
				}
				got += fmt.Sprint(v)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("step %d: %s as %s: %v", i, st.sql, st.as, err)
		}
		rows.Close()
		if got != st.want {
			t.Errorf("step %d: %s as %s = %q, want %q", i, st.sql, st.as, got, st.want)
		}
	}
	// The texts were in fact kept prepared: ming's idle connection holds them.
	cat := e.Catalog()
	c := e.pool.take(contextKey(cat.PolicyVersion, cat.Subject(ming)))
	if c == nil {
		t.Fatal("ming has no idle connection")
	}
	defer e.release(c)
	if _, ok := c.prep.stmts[cols]; !ok {
		t.Errorf("%q is not prepared on ming's connection (prepared: %d)", cols, len(c.prep.stmts))
	}
}

// TestPreparedStatementsBounded: a connection keeps at most
// maxPreparedPerConn statements, dropping the oldest.
func TestPreparedStatementsBounded(t *testing.T) {
	ctx := context.Background()
	sys := engine.NewSystemViews(nil)
	e, err := Open(ctx, Options{DataDir: t.TempDir(), Threads: 1, System: sys, MaxIdleConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := engine.New(e, sys)
	defer r.Close()
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", nil)
	for i := range maxPreparedPerConn + 5 {
		rows, err := r.Query(ctx, ming, fmt.Sprintf("SELECT %d AS x", i))
		if err != nil {
			t.Fatal(err)
		}
		if !rows.Next() || rows.Values()[0] != int64(i) && rows.Values()[0] != int32(i) {
			t.Fatalf("SELECT %d gave %v", i, rows.Values())
		}
		rows.Close()
	}
	cat := e.Catalog()
	c := e.pool.take(contextKey(cat.PolicyVersion, cat.Subject(ming)))
	if c == nil {
		t.Fatal("ming has no idle connection")
	}
	defer e.release(c)
	if len(c.prep.stmts) != maxPreparedPerConn || len(c.prep.order) != maxPreparedPerConn {
		t.Fatalf("%d statements prepared (%d in order), want %d", len(c.prep.stmts), len(c.prep.order), maxPreparedPerConn)
	}
	if _, ok := c.prep.stmts["SELECT 0 AS x"]; ok {
		t.Error("the oldest statement was kept")
	}
	if _, ok := c.prep.stmts[fmt.Sprintf("SELECT %d AS x", maxPreparedPerConn+4)]; !ok {
		t.Error("the newest statement was dropped")
	}
}
