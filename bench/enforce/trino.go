package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	_ "github.com/trinodb/trino-go-client/trino" // database/sql driver "trino"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/trino"
	"github.com/tipgate/tipgate/internal/identity"
)

// trinoBaseRows is how many generated rows the policy script's COPY loads
// on Trino before Trino repeats them (amplify).
const trinoBaseRows = 10_000

// trinoBase splits rows into the generated base and how many copies of it
// make the table.
func trinoBase(rows int64) (base, copies int64, err error) {
	if rows <= trinoBaseRows {
		return rows, 1, nil
	}
	if rows%trinoBaseRows != 0 || rows/trinoBaseRows > 10_000 {
		return 0, 0, fmt.Errorf("--rows on trino: a multiple of %d, at most %d", trinoBaseRows, trinoBaseRows*10_000)
	}
	return trinoBaseRows, rows / trinoBaseRows, nil
}

// openTrinoBaseline connects to the cluster as the service user (whose
// rule is "everything", no filter or mask), in the warehouse schema: the
// same table tipgate reads, queried directly with the predicate written by
// hand.
func openTrinoBaseline(dsn string) (*sql.DB, error) {
	o, err := trino.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	client, err := trino.ServiceDSN(o)
	if err != nil {
		return nil, err
	}
	return sql.Open("trino", client)
}

// amplify repeats the loaded base rows inside Trino until sales_data holds
// rows: one INSERT … SELECT that the worker runs (sequence() has at most
// 10,000 entries, trinoBase keeps copies under that).
func amplify(ctx context.Context, raw *sql.DB, rows, copies int64) error {
	started := time.Now()
	if _, err := raw.ExecContext(ctx, fmt.Sprintf(
		"INSERT INTO sales_data SELECT s.* FROM sales_data s CROSS JOIN UNNEST(sequence(2, %d)) AS u(n)", copies)); err != nil {
		return fmt.Errorf("amplify sales_data on Trino: %w", err)
	}
	var n int64
	if err := raw.QueryRowContext(ctx, "SELECT count(*) FROM sales_data").Scan(&n); err != nil {
		return err
	}
	if n != rows {
		return fmt.Errorf("amplify: sales_data holds %d rows, want %d", n, rows)
	}
	fmt.Printf("repeated the base %d times inside Trino in %s\n", copies, time.Since(started).Round(time.Millisecond))
	return nil
}

// freshness is what Trino's rule refresh costs: tipgate compiles a
// principal's rules on first sight and waits until Trino has loaded them
// (security.refresh-period), and a policy change returns once Trino
// applies it.
type freshness struct {
	firstMing          time.Duration   // ming's first statement (warm-up, first query)
	first, second      []time.Duration // new principals: first statement, then the same again
	detach, reattach   []time.Duration // DETACH / ATTACH RLS POLICY, each until Trino applies it
	seenDetached, back int64           // rows ming's headline saw right after each change
}

const freshRuns = 3

// measureFreshness times, for freshRuns new principals, their first
// statement (one row) against the same statement again, and, for ming, a policy
// change (DETACH then ATTACH of ming's RLS policy) until the next
// statement sees it. A DETACH leaves ming's role with RLS on and no policy:
// Redshift's answer is no rows, which the statement right after it must
// give.
func measureFreshness(ctx context.Context, eng engine.Engine, firstMing time.Duration) (*freshness, error) {
	f := &freshness{firstMing: firstMing}
	// A new principal's statement: cheap (one row), so the refresh wait is
	// not lost in the scan.
	const first = "SELECT city FROM sales_data LIMIT 1"
	const probe = "SELECT count(*) AS orders FROM sales_data"
	for i := 0; i < freshRuns; i++ {
		p, err := identity.Simulated(fmt.Sprintf("bench-new-%d-%d@example.com", time.Now().UnixNano(), i), identity.DefaultNamespace, []string{"apac-sales"})
		if err != nil {
			return nil, err
		}
		for _, into := range []*[]time.Duration{&f.first, &f.second} {
			if err := timeIt(into, func() error { _, err := drainEngine(ctx, eng, p, first); return err }); err != nil {
				return nil, fmt.Errorf("new principal: %w", err)
			}
		}
	}
	ming, err := identity.Simulated("ming@example.com", identity.DefaultNamespace, []string{"apac-sales"})
	if err != nil {
		return nil, err
	}
	count := func() (int64, error) {
		rows, err := eng.Query(ctx, ming, probe)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		var n int64
		if rows.Next() {
			n, _ = rows.Values()[0].(int64)
		}
		return n, rows.Err()
	}
	admin := identity.LocalSuperuser()
	for i := 0; i < freshRuns; i++ {
		if err := timeIt(&f.detach, func() error {
			return engine.Run(ctx, eng, admin, `DETACH RLS POLICY apac_sales_policy ON sales_data FROM ROLE "AWSIDC:apac-sales"`)
		}); err != nil {
			return nil, err
		}
		if f.seenDetached, err = count(); err != nil {
			return nil, err
		}
		if f.seenDetached != 0 {
			return nil, fmt.Errorf("right after DETACH, ming counted %d rows, want 0 (RLS on, no policy)", f.seenDetached)
		}
		if err := timeIt(&f.reattach, func() error {
			return engine.Run(ctx, eng, admin, `ATTACH RLS POLICY apac_sales_policy ON sales_data TO ROLE "AWSIDC:apac-sales"`)
		}); err != nil {
			return nil, err
		}
		if f.back, err = count(); err != nil {
			return nil, err
		}
		if f.back == 0 {
			return nil, fmt.Errorf("right after ATTACH, ming counted no rows")
		}
	}
	return f, nil
}

func (f *freshness) report(b *strings.Builder) {
	med := func(d []time.Duration) float64 { return benchutil.MS(benchutil.Median(slices.Clone(d))) }
	fmt.Fprintf(b, "\nRule refresh (Trino reloads its rules file every `security.refresh-period`, 1 s here; tipgate writes a principal's rules on first sight and waits until Trino applies them): ")
	fmt.Fprintf(b, "first statement of a new principal (`SELECT city FROM sales_data LIMIT 1`) **%.0f ms** vs %.0f ms for the same statement again (median of %d principals; ming's first statement, the warm-up, took %.0f ms). ",
		med(f.first), med(f.second), len(f.first), benchutil.MS(f.firstMing))
	fmt.Fprintf(b, "A policy change returns once Trino applies it: DETACH RLS POLICY **%.0f ms**, ATTACH **%.0f ms** (medians of %d), and the next statement saw it (%d rows after DETACH, %d after ATTACH).\n",
		med(f.detach), med(f.reattach), len(f.detach), f.seenDetached, f.back)
}
