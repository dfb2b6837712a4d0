package trino_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

// TestCluster checks the cluster is what trinoserver's doc says: a worker
// that runs the splits, HTTPS with password authentication, impersonation
// only for the service user, and a persistent warehouse catalog. It runs
// here, on this binary's cluster, rather than in trinoserver's own test
// binary: every binary that starts a cluster adds a minute or more to
// make test on two cores.
func TestCluster(t *testing.T) {
	c := trinoserver.Start(t)
	db := c.DB(t, trinoserver.Warehouse, "")

	t.Run("nodes", func(t *testing.T) {
		rows, err := db.Query("SELECT node_id, coordinator FROM system.runtime.nodes WHERE state = 'active' ORDER BY node_id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var id string
			var coord bool
			if err := rows.Scan(&id, &coord); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		if strings.Join(got, ",") != "coordinator,worker" {
			t.Fatalf("active nodes %v, want coordinator and worker", got)
		}
	})

	t.Run("splits run on the worker", func(t *testing.T) {
		schema := c.NewSchema(t)
		tbl := trinoserver.Warehouse + "." + schema + ".placed"
		mustExecDB(t, db, "CREATE TABLE "+tbl+" AS SELECT x FROM UNNEST(sequence(1, 1000)) AS u(x)")
		var sum int64
		if err := db.QueryRow("SELECT sum(x) FROM " + tbl + " WHERE x % 7 = 0").Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum != 71071 {
			t.Fatalf("sum %d, want 71071", sum)
		}
		var qid string
		err := db.QueryRow(`SELECT query_id FROM system.runtime.queries
			WHERE query LIKE 'SELECT sum(x) FROM ` + tbl + `%' AND state = 'FINISHED' ORDER BY created DESC LIMIT 1`).Scan(&qid)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.Query("SELECT DISTINCT node_id FROM system.runtime.tasks WHERE query_id = ?", qid)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var nodes []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			nodes = append(nodes, n)
		}
		if strings.Join(nodes, ",") != "worker" {
			t.Fatalf("query %s ran tasks on %v, want only the worker", qid, nodes)
		}
	})

	t.Run("impersonation only for the service user", func(t *testing.T) {
		var who string
		if err := db.QueryRow("SELECT current_user", sql.Named("X-Trino-User", "AWSIDC:ming@example.com")).Scan(&who); err != nil {
			t.Fatal(err)
		}
		if who != "AWSIDC:ming@example.com" {
			t.Fatalf("current_user %q", who)
		}
	})

	t.Run("nobody else", func(t *testing.T) {
		tbl := trinoserver.Warehouse + "." + c.NewSchema(t) + ".secret"
		mustExecDB(t, db, "CREATE TABLE "+tbl+" AS SELECT 1 AS x")
		cases := []struct {
			name, dsn string
			args      []any
		}{
			{"wrong password", c.UserDSN(trinoserver.ServiceUser, "wrong", "", ""), nil},
			{"another user impersonating", c.UserDSN(trinoserver.OtherUser, c.OtherPassword, "", ""),
				[]any{sql.Named("X-Trino-User", "AWSIDC:ming@example.com")}},
			{"another user", c.UserDSN(trinoserver.OtherUser, c.OtherPassword, "", ""), nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				other, err := sql.Open("trino", tc.dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				err = other.QueryRow("SELECT x FROM "+tbl, tc.args...).Scan(new(int))
				if err == nil {
					t.Fatal("accepted")
				}
				t.Logf("refused: %v", err)
			})
		}
		// The coordinator's HTTP port is for the worker: a client naming
		// any user there is turned away.
		req, _ := http.NewRequest("POST", "http://"+strings.TrimPrefix(c.URL, "https://")+"/v1/statement", strings.NewReader("SELECT x FROM "+tbl))
		req.Header.Set("X-Trino-User", trinoserver.ServiceUser)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 400 {
				t.Fatalf("HTTP POST /v1/statement: %s", resp.Status)
			}
		}
	})
}

func mustExecDB(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
