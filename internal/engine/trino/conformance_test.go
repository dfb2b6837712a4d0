package trino_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
)

func newEngine(t *testing.T) engine.Engine {
	sys := engine.NewSystemViews(nil)
	b, _, _ := newBackend(t, sys, "")
	return engine.New(b, sys)
}

// lookupPushdown is the open finding that keeps the fixture's principal
// with a lookup-table policy (frank) out of the attacks and the oracle on
// Trino; TestLookupFilterPushdown holds what happens today.
const lookupPushdown = "trino_lookup_pushdown (docs/trino.md): a row filter that reads a lookup table is a semi-join, " +
	"and Trino pushes the statement's own predicates below it, onto the scan: an expression that fails on a hidden row " +
	"fails the statement (the value is redacted; that a failing row exists is not)"

// TestConformance holds the Trino engine to the one conformance suite
// every engine passes: semantics scripts, attack corpus (with its Trino
// class, testdata/attacks/14_trino.sql) and differential oracle, on the
// test binary's one cluster. Sizes are smaller than on the other engines:
// every statement is two Trino queries (the guard's IO plan, then the
// query), and make test's budget for Trino is a few minutes.
func TestConformance(t *testing.T) {
	conformance.RunTests(t, newEngine, conformance.Options{
		Engine:        "trino",
		Testdata:      "../../../testdata",
		AttackRows:    1000,
		MinAttackRuns: 2000,
		OracleRows:    1000,
		OracleQueries: 2000,
		OracleSeed:    1,
		OracleWorkers: 2,
		// Each principal's attacks beside the others': a statement spends
		// most of its time waiting on the cluster.
		ConcurrentAttacks: true,
		OpenFindings:      map[string]string{"frank": lookupPushdown},
		SkipAttackFiles: map[string]string{
			"10_dictionary_evaluation.sql": "DuckDB's storage dictionaries, attacked in DuckDB's functions (Trino has neither; " +
				"the oracle's error-prone forms hold Trino to the same question)",
			"11_cte_pushdown.sql": "DuckDB's CTE filter pusher and MATERIALIZED CTEs, in DuckDB's functions (Trino has neither; " +
				"the oracle's CTE forms hold Trino's inlining to the same question)",
		},
	})
}

// TestLookupFilterPushdown holds the open finding trino_lookup_pushdown:
// a principal whose policy reads a lookup table, and a predicate that
// fails on hidden rows only. Today the statement fails (Trino evaluated
// the predicate below the semi-join), with the hidden value redacted; a
// predicate that does not fail still reads only the principal's rows.
// When the engine stops the predicate from seeing hidden rows, the first
// check fails: then the finding is fixed, and frank goes back into
// TestConformance.
func TestLookupFilterPushdown(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), `
		CREATE TABLE sales (id INT, region VARCHAR(10), secret VARCHAR(20));
		INSERT INTO sales VALUES (1, 'east', '1'), (2, 'west', 'Zanzibar'), (3, 'east', '1');
		CREATE TABLE managers (region VARCHAR(10), manager VARCHAR(100));
		INSERT INTO managers VALUES ('east', 'AWSIDC:frank@example.com');
		CREATE ROLE "AWSIDC:reps";
		GRANT SELECT ON sales TO ROLE "AWSIDC:reps";
		CREATE RLS POLICY mine WITH (region VARCHAR(10))
		  USING (region IN (SELECT region FROM managers WHERE manager = current_user));
		ATTACH RLS POLICY mine ON sales TO ROLE "AWSIDC:reps";
		ALTER TABLE sales ROW LEVEL SECURITY ON;`); err != nil {
		t.Fatal(err)
	}
	frank, _ := identity.Simulated("frank@example.com", identity.DefaultNamespace, []string{"reps"})
	got, err := conformance.Collect(ctx, e, frank, "SELECT count(*) FROM sales WHERE CAST(secret AS INT) = 1")
	switch {
	case err == nil:
		t.Fatalf("the predicate saw no hidden row (%q): trino_lookup_pushdown is fixed; put frank back into TestConformance and docs/trino.md", got)
	case strings.Contains(err.Error(), "Zanzibar"):
		t.Fatalf("the error names the hidden value: %v", err)
	}
	t.Logf("as frank, a predicate failing on a hidden row only: %v", err)
	got, err = conformance.Collect(ctx, e, frank, "SELECT id, secret FROM sales ORDER BY id")
	if err != nil || strings.Join(got, ",") != "1|1,3|1" {
		t.Fatalf("frank reads %q, %v; want rows 1 and 3", got, err)
	}
}
