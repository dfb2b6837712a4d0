package conformance

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
)

// NewEngine returns a fresh, empty engine for one script.
type NewEngine func(t *testing.T) engine.Engine

// RunScripts runs every *.test script under dir against a fresh engine
// each, as the named engine (for onlyif/skipif). Engines share this one
// runner so they are held to the same semantics.
//
// workers 0 runs the scripts as parallel subtests (as many at once as go
// test's -parallel, GOMAXPROCS by default); workers > 0 runs that many at
// once whatever -parallel says, for an engine whose statements mostly wait
// on a server (Trino: a remote query, a rules reload) rather than use this
// process's CPU.
func RunScripts(t *testing.T, dir, engineName string, newEngine NewEngine, workers int) {
	files, err := filepath.Glob(filepath.Join(dir, "*.test"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts in %s: %v", dir, err)
	}
	var wg sync.WaitGroup
	slots := make(chan struct{}, max(workers, 1))
	defer wg.Wait()
	for _, f := range files {
		run := func() {
			t.Run(strings.TrimSuffix(filepath.Base(f), ".test"), func(t *testing.T) {
				if workers <= 0 {
					t.Parallel()
				}
				runScript(t, f, engineName, newEngine)
			})
		}
		if workers <= 0 {
			run()
			continue
		}
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			run()
		}()
	}
}

// runScript runs one script file against a fresh engine.
func runScript(t *testing.T, f, engineName string, newEngine NewEngine) {
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ParseScript(fh)
	fh.Close()
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return !r.RunsOn(engineName) })
	RunRecords(t, filepath.Base(f), recs, newEngine(t))
}

// PrincipalFor turns a script principal into an identity.
func PrincipalFor(t testing.TB, p Principal) identity.Principal {
	if p.Superuser {
		return identity.LocalSuperuser()
	}
	ip, err := identity.Simulated(p.User, identity.DefaultNamespace, p.Groups)
	if err != nil {
		t.Fatalf("principal %q: %v", p.User, err)
	}
	return ip
}

// RunRecords runs records in order, reporting every mismatch.
func RunRecords(t *testing.T, file string, recs []Record, eng engine.Engine) {
	ctx := context.Background()
	for _, r := range recs {
		got, err := Collect(ctx, eng, PrincipalFor(t, r.As), r.SQL)
		where := file + ":" + strconv.Itoa(r.Line)
		switch {
		case r.Kind == "statement" && r.WantCode == "" && err != nil:
			t.Errorf("%s: %s\n  unexpected error: %v", where, r.SQL, err)
		case r.WantCode != "" && err == nil:
			t.Errorf("%s: %s\n  succeeded, want error %s %q", where, r.SQL, r.WantCode, r.WantError)
		case r.WantCode != "" && EnforcedState(err) != r.WantCode:
			t.Errorf("%s: %s\n  error %q has SQLSTATE %s, want %s", where, r.SQL, err, EnforcedState(err), r.WantCode)
		case r.WantCode != "" && !strings.Contains(err.Error(), r.WantError):
			t.Errorf("%s: %s\n  error %q does not contain %q", where, r.SQL, err, r.WantError)
		case r.Kind == "query" && err != nil:
			t.Errorf("%s: %s\n  unexpected error: %v", where, r.SQL, err)
		case r.Kind == "query":
			for i := range got {
				got[i] = strings.TrimSpace(got[i])
			}
			want := slices.Clone(r.Expected)
			if r.Sort {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s\n  got  %d rows: %q\n  want %d rows: %q", where, r.SQL, len(got), got, len(want), want)
			}
		}
	}
}

// Collect runs one statement and renders its rows as "a|b|NULL" lines.
func Collect(ctx context.Context, eng engine.Engine, p identity.Principal, sql string) ([]string, error) {
	rows, err := eng.Query(ctx, p, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var cells []string
		for _, v := range rows.Values() {
			cells = append(cells, render(v))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, rows.Err()
}

// SameRows compares two sorted renderings. Cells are equal as text, or
// both numbers within a relative 1e-7: a floating-point sum or average
// computed in another order (DuckDB aggregates in parallel) may differ in
// its last printed digit, which is no difference in what was read.
func SameRows(got, want []string) bool {
	if slices.Equal(got, want) {
		return true
	}
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		g, w := strings.Split(got[i], "|"), strings.Split(want[i], "|")
		if len(g) != len(w) {
			return false
		}
		for j := range g {
			if g[j] == w[j] {
				continue
			}
			a, errA := strconv.ParseFloat(g[j], 64)
			b, errB := strconv.ParseFloat(w[j], 64)
			if errA != nil || errB != nil || math.Abs(a-b) > 1e-7*math.Max(math.Abs(a), math.Abs(b)) {
				return false
			}
		}
	}
	return true
}

// render prints a value for comparison. Floats keep 9 significant digits
// so that sums computed in another order compare equal.
func render(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', 9, 64)
	}
	s, ok := engine.Text(v)
	if !ok {
		return "NULL"
	}
	return s
}
