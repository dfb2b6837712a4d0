package duckdb

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/duckdb")

const fbGoldenFile = "../../../testdata/duckdb/fallibility.golden"

// TestFallibility audits every scalar and aggregate function DuckDB offers
// (and every cast from VARCHAR): whether it can throw on some string, and
// whether DuckDB knows it can. DuckDB evaluates a function whose only
// non-constant argument is a dictionary-compressed string vector over the
// whole storage dictionary unless the function is marked as able to throw
// (ExecuteFunctionState::TryExecuteDictionaryExpression, UnaryExecutor's
// dictionary path); the dictionary holds the values of rows a filter
// removed, so an unmarked function that throws fails on a hidden row's
// value. tipgate's argument isolation (isolate.go) is meant to make that
// impossible for every function, marked or not.
//
// The audit, on a plain in-memory DuckDB:
//  1. lists every scalar and aggregate overload of duckdb_functions() the
//     guard does not deny, and the casts from VARCHAR to every type;
//  2. for each argument that can be a VARCHAR column, calls the overload
//     row by row on fbInputs with constants for the other arguments, and
//     records the inputs it throws on and one it does not (benign);
//  3. for each one that throws, stores the benign value in most rows and a
//     throwing one in a few rows of a checkpointed, dictionary-compressed
//     table, and calls it over a view filtering the throwing rows out: if
//     it still throws, DuckDB evaluated it on the dictionary (marked=false).
//
// The result is testdata/duckdb/fallibility.golden (-update rewrites it):
// a DuckDB upgrade that adds or changes a throwing function changes it and
// fails the test until reviewed. Then, for every unmarked throwing
// function, the same dictionary probe runs through tipgate as a principal
// whose policy hides the throwing rows (it must succeed and count what a
// row-by-row evaluation counts) and as one who sees them (it must fail with
// the error class DuckDB gives row by row).
func TestFallibility(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	overloads, denied, err := fbListOverloads(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(overloads) < 1000 {
		t.Fatalf("only %d overloads listed", len(overloads))
	}
	results, err := fbAudit(ctx, db, overloads)
	if err != nil {
		t.Fatal(err)
	}
	cols := fbColumns(results)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := fbSetupInputs(ctx, conn); err != nil {
		t.Fatal(err)
	}
	if err := fbDictProbe(ctx, conn, t.TempDir(), results, cols); err != nil {
		t.Fatal(err)
	}
	unmarked := 0
	for _, r := range results {
		if r.dictProbed && !r.marked {
			unmarked++
			// The dictionary probe must fail on the hidden value, not on
			// something else.
			if r.dictClass != r.hiddenClass {
				t.Errorf("%s: over the dictionary it fails with a %s error, row by row on %s with a %s error", r.key(), r.dictClass, fbLiteral(r.hidden), r.hiddenClass)
			}
		}
	}
	if unmarked == 0 {
		// DuckDB 1.5 has many; none means the dictionary probe no longer
		// reaches DuckDB's dictionary path and proves nothing.
		t.Errorf("the dictionary probe found no function DuckDB evaluates over a storage dictionary")
	}
	fbCheckGolden(t, fbReport(overloads, denied, results))
	t.Run("enforcement", func(t *testing.T) { fbEnforce(t, ctx, results) })
}

// fbAudit runs every probe of overloads row by row, on a few connections
// at once.
func fbAudit(ctx context.Context, db *sql.DB, overloads []fbOverload) ([]*fbResult, error) {
	var probes []fbProbe
	for _, o := range overloads {
		probes = append(probes, fbProbes(o)...)
	}
	results := make([]*fbResult, len(probes))
	workers := min(runtime.GOMAXPROCS(0), 4)
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err == nil {
				defer conn.Close()
				err = fbSetupInputs(ctx, conn)
			}
			if err != nil {
				errs <- err
				for range next {
				}
				return
			}
			for i := range next {
				r := fbRowProbe(ctx, conn, probes[i])
				results[i] = &r
			}
		}()
	}
	for i := range probes {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	return results, <-errs
}

// fbReport renders the audit: one line per throwing probe, then the
// probes no call could be bound for, then the counts.
func fbReport(overloads []fbOverload, denied int, results []*fbResult) string {
	var throwing, unprobed []string
	kinds := map[string]int{}
	for _, o := range overloads {
		kinds[o.kind]++
	}
	probedOverloads := map[string]bool{}
	throwingOverloads := map[string]bool{}
	unmarkedOverloads := map[string]bool{}
	bound, throwingArgs, unmarkedArgs := 0, 0, 0
	for _, r := range results {
		sig := r.o.kind + " " + r.o.signature()
		probedOverloads[sig] = true
		if !r.bound {
			unprobed = append(unprobed, fmt.Sprintf("unprobed %s arg=%d: %s", sig, r.pos, r.bindErr))
			continue
		}
		bound++
		if !r.throws() {
			continue
		}
		throwingArgs++
		throwingOverloads[sig] = true
		marked := "n/a"
		if r.dictProbed {
			marked = strconv.FormatBool(r.marked)
			if !r.marked {
				unmarkedArgs++
				unmarkedOverloads[sig] = true
			}
		}
		throwing = append(throwing, fmt.Sprintf("%s arg=%d throws_on=%s error=%q marked=%s", sig, r.pos, fbLiteral(r.throwsOn[0]), r.class, marked))
	}
	slices.Sort(throwing)
	slices.Sort(unprobed)
	var b strings.Builder
	b.WriteString(`# Fallibility audit of DuckDB's functions: TestFallibility in internal/engine/duckdb/fallibility_test.go
# (go test ./internal/engine/duckdb -run TestFallibility -update rewrites this file; review the diff).
#
# One line per argument of a scalar or aggregate overload (or cast from VARCHAR) that throws when that
# argument is a VARCHAR column, evaluated row by row with constants for the other arguments:
#   arg       0-based position of the probed argument
#   throws_on the first input (in fbInputs order) it throws on
#   error     DuckDB's error class
#   marked    false: DuckDB evaluated it over a storage dictionary, on the value of a row a filter had
#             removed (it is not marked as able to throw); tipgate's argument isolation must cover it,
#             which the test checks through the engine.  true: evaluated only on selected rows.
#             n/a: it threw on every input tried, so there was nothing to compare.
# Functions the guard denies are left out. "unprobed" lines are arguments no call could be bound for
# (mostly arguments DuckDB requires to be constant), with the bind error.
`)
	for _, l := range throwing {
		b.WriteString(l + "\n")
	}
	for _, l := range unprobed {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "count listed: %d scalar, %d aggregate overloads (%d more denied by the guard), %d casts from VARCHAR\n",
		kinds["scalar"], kinds["aggregate"], denied, kinds["cast"])
	fmt.Fprintf(&b, "count audited: %d overloads with an argument a VARCHAR column can take, %d such arguments, %d probed, %d unprobed\n",
		len(probedOverloads), len(results), bound, len(results)-bound)
	fmt.Fprintf(&b, "count throwing: %d overloads, %d arguments\n", len(throwingOverloads), throwingArgs)
	fmt.Fprintf(&b, "count unmarked throwing: %d overloads, %d arguments\n", len(unmarkedOverloads), unmarkedArgs)
	return b.String()
}

func fbCheckGolden(t *testing.T, got string) {
	t.Helper()
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(fbGoldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fbGoldenFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(fbGoldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got == string(want) {
		return
	}
	gotLines, wantLines := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	var diff []string
	for _, l := range wantLines {
		if !slices.Contains(gotLines, l) {
			diff = append(diff, "- "+l)
		}
	}
	for _, l := range gotLines {
		if !slices.Contains(wantLines, l) {
			diff = append(diff, "+ "+l)
		}
	}
	t.Errorf("the fallibility audit differs from %s (review, then run with -update):\n%s", fbGoldenFile, strings.Join(diff, "\n"))
}

// fbEnforce runs the dictionary probe of every unmarked throwing function
// through tipgate.
func fbEnforce(t *testing.T, ctx context.Context, results []*fbResult) {
	var probes []*fbResult
	var cols []string
	colOf := map[string]*fbResult{}
	for _, r := range results {
		if r.dictProbed && !r.marked {
			probes = append(probes, r)
			if colOf[r.column] == nil {
				colOf[r.column] = r
				cols = append(cols, r.column)
			}
		}
	}
	if len(probes) == 0 {
		t.Skip("no unmarked throwing function")
	}
	dir := t.TempDir()
	sys := engine.NewSystemViews(nil)
	be, err := Open(ctx, Options{DataDir: filepath.Join(dir, "warehouse"), Threads: 2, System: sys})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(be, sys)
	defer eng.Close()
	su := identity.LocalSuperuser()

	// The table: a row in fbEvery is hidden (vis = 0) and holds each
	// column's throwing value; the others hold its benign value.
	var defs []string
	for _, c := range cols {
		defs = append(defs, c+" VARCHAR(256)")
	}
	path := filepath.Join(dir, "fallibility.csv")
	if err := fbWriteCSV(path, cols, colOf); err != nil {
		t.Fatal(err)
	}
	if err := engine.Run(ctx, eng, su,
		"CREATE TABLE fb (id INTEGER, vis INTEGER, "+strings.Join(defs, ", ")+")",
		"COPY fb FROM "+fbQuote(path)+" CSV IGNOREHEADER 1 NULL AS 'tg-null'",
	); err != nil {
		t.Fatal(err)
	}
	// The probes prove nothing unless the columns are dictionary-compressed:
	// COPY checkpoints the load, so it is stored as every later read sees it.
	comp, err := fbEngineCompression(ctx, eng, su)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		if !fbDictionaryCompressed(comp[c]) {
			t.Fatalf("after COPY column %s is stored %q, not dictionary-compressed: the probes could not reach DuckDB's dictionary path", c, comp[c])
		}
	}
	if err := engine.Run(ctx, eng, su,
		`CREATE ROLE "AWSIDC:fb-visible"`,
		`CREATE ROLE "AWSIDC:fb-all"`,
		`GRANT SELECT ON fb TO ROLE "AWSIDC:fb-visible", ROLE "AWSIDC:fb-all"`,
		`CREATE RLS POLICY fb_visible WITH (vis INTEGER) USING (vis = 1)`,
		`CREATE RLS POLICY fb_all WITH (vis INTEGER) USING (vis >= 0)`,
		`ATTACH RLS POLICY fb_visible ON fb TO ROLE "AWSIDC:fb-visible"`,
		`ATTACH RLS POLICY fb_all ON fb TO ROLE "AWSIDC:fb-all"`,
		`ALTER TABLE fb ROW LEVEL SECURITY ON`,
	); err != nil {
		t.Fatal(err)
	}
	visible, err := identity.Simulated("fb-visible@example.com", identity.DefaultNamespace, []string{"fb-visible"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := identity.Simulated("fb-all@example.com", identity.DefaultNamespace, []string{"fb-all"})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[*identity.Principal]int{&visible: fbVisibleRows(), &all: fbRows} {
		got, err := fbEngineQuery(ctx, eng, *p, "SELECT count(*) FROM fb")
		if err != nil || got != strconv.Itoa(want) {
			t.Fatalf("%s counts %s rows (%v), want %d", p.User, got, err, want)
		}
	}
	leaks := 0
	for _, r := range probes {
		t.Run(r.key(), func(t *testing.T) {
			q := r.query(r.column, "fb")
			got, err := fbEngineQuery(ctx, eng, visible, q)
			if err != nil {
				leaks++
				t.Errorf("%s\nas a principal who cannot see the rows holding %s: %v\n(DuckDB evaluated it on a hidden row's value)", q, fbLiteral(r.hidden), err)
			} else if want := fbExpected(r); want != "" && got != want {
				t.Errorf("%s\nas a principal who cannot see the rows holding %s: %s, row by row %s", q, fbLiteral(r.hidden), got, want)
			}
			_, err = fbEngineQuery(ctx, eng, all, q)
			if err == nil {
				t.Errorf("%s\nas a principal who sees the rows holding %s: no error; row by row it throws a %s error", q, fbLiteral(r.hidden), r.hiddenClass)
				return
			}
			var de *duckdbdrv.Error
			var se *sqlerr.Error
			switch {
			case errors.As(err, &de):
				if c := fbErrorClass(de); c != r.hiddenClass {
					t.Errorf("%s\nas a principal who sees the rows holding %s: a %s error (%v); row by row a %s error", q, fbLiteral(r.hidden), c, err, r.hiddenClass)
				}
			case errors.As(err, &se) && se.Code == sqlerr.DataException:
			default:
				t.Errorf("%s\nas a principal who sees the rows holding %s: %v; row by row a %s error", q, fbLiteral(r.hidden), err, r.hiddenClass)
			}
		})
	}
	t.Logf("%d unmarked throwing probes through tipgate, %d failed for a principal who cannot see the throwing rows", len(probes), leaks)
}

// fbExpected is what the probe returns over the visible rows when each is
// evaluated alone.
func fbExpected(r *fbResult) string {
	switch {
	case r.o.kind == "aggregate":
		return ""
	case r.benignNotNull:
		return strconv.Itoa(fbVisibleRows())
	}
	return "0"
}

// fbWriteCSV writes the enforcement table's rows.
func fbWriteCSV(path string, cols []string, colOf map[string]*fbResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write(append([]string{"id", "vis"}, cols...))
	for i := range fbRows {
		rec := []string{strconv.Itoa(i), "1"}
		if fbHiddenRow(i) {
			rec[1] = "0"
		}
		for _, c := range cols {
			r := colOf[c]
			v := r.benign
			if fbHiddenRow(i) {
				v = r.hidden
			}
			rec = append(rec, fbInputs[v])
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fbEngineCompression(ctx context.Context, eng engine.Engine, su identity.Principal) (map[string]string, error) {
	rows, err := eng.Query(ctx, su, fmt.Sprintf(fbStorageQuery, "fb"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		v := rows.Values()
		c, _ := engine.Text(v[0])
		k, _ := engine.Text(v[1])
		out[c] = k
	}
	return out, rows.Err()
}

// fbEngineQuery runs q through tipgate as p and returns the first value.
func fbEngineQuery(ctx context.Context, eng engine.Engine, p identity.Principal, q string) (string, error) {
	rows, err := eng.Query(ctx, p, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	first := ""
	for rows.Next() {
		if v := rows.Values(); first == "" && len(v) > 0 {
			first = fmt.Sprint(v[0])
		}
	}
	return first, rows.Err()
}
