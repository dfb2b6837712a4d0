package conformance

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Attack is one query of the attack corpus.
type Attack struct {
	File string
	Line int
	SQL  string
	// As names fixture principals ("all" for every one).
	As []string
	// Expect is one of:
	//   - "any": fail, or return exactly the ground truth;
	//   - "same": do exactly what the same query does on the principal's
	//     ground truth: return the same rows, or fail with an error of the
	//     same class (a data exception where the ground truth raised one
	//     evaluating rows, and so on: see TruthStates);
	//   - "ok": succeed with exactly the ground truth (side channels, where
	//     an error would itself be the leak);
	//   - "error" or "error SQLSTATE": fail (with that SQLSTATE);
	//   - "empty": fail or return no rows (system views a principal may not
	//     read);
	//   - "rows N": return exactly N rows (system views a principal may
	//     read);
	//   - "explain": a plan that shows no policy predicate, mask or row
	//     estimate.
	// Whatever the expectation, no error message may contain a value found
	// only in rows or columns the principal may not read.
	Expect string
	// Engine, when set ("-- @engine duckdb", sticky to the end of the
	// file), is the only engine the attack applies to: it attacks a
	// mechanism of that engine alone (DuckDB's dictionary evaluation, its
	// CTE filter pusher, its own syntax). "-- @only duckdb" sets it for
	// one statement.
	Engine string
	// Variants are the attack spelled in other engines' dialects, keyed by
	// engine: a statement preceded by "-- @variant postgres" is the
	// PostgreSQL spelling of the attack before it, run on that engine in
	// its place. It must ask the same question: the ground truth is still
	// the attack's own SQL on the principal's DuckDB.
	Variants map[string]string
}

// SQLFor returns the attack's text in the dialect of engine.
func (a Attack) SQLFor(engine string) string {
	if v, ok := a.Variants[engine]; ok {
		return v
	}
	return a.SQL
}

// LoadAttacks reads every *.sql file under dir. Each statement may be
// preceded by "-- @as name[,name]|all" (sticky), "-- @default <expect>"
// (sticky: the expectation of the file's following statements, "any" at
// the start of each file), "-- @expect <expect>" and "-- @only <engine>"
// (for that statement only), or "-- @variant <engine>" (the statement is
// that engine's spelling of the attack before it; see Attack.Variants).
func LoadAttacks(dir string) ([]Attack, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no attack files in %s: %v", dir, err)
	}
	var out []Attack
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		src := string(b)
		stmts, err := sqlscan.Split(src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		as := []string{"all"}
		def := "any"
		eng := ""
		prev := 0
		for _, st := range stmts {
			expect, only, variant := "", "", ""
			for _, line := range strings.Split(src[prev:st.Pos], "\n") {
				line = strings.TrimSpace(line)
				if v, ok := strings.CutPrefix(line, "-- @as "); ok {
					as = strings.Split(strings.TrimSpace(v), ",")
				}
				if v, ok := strings.CutPrefix(line, "-- @engine "); ok {
					eng = strings.TrimSpace(v)
				}
				if v, ok := strings.CutPrefix(line, "-- @only "); ok {
					only = strings.TrimSpace(v)
				}
				if v, ok := strings.CutPrefix(line, "-- @variant "); ok {
					variant = strings.TrimSpace(v)
				}
				for _, d := range []struct {
					prefix string
					to     *string
				}{{"-- @expect ", &expect}, {"-- @default ", &def}} {
					v, ok := strings.CutPrefix(line, d.prefix)
					if !ok {
						continue
					}
					v = strings.TrimSpace(v)
					if err := checkExpect(v); err != nil {
						return nil, fmt.Errorf("%s:%d: %w", f, st.Line, err)
					}
					*d.to = v
				}
			}
			prev = st.Pos + len(st.Text)
			if variant != "" {
				// A variant belongs to the attack just before it, in the
				// same file, and changes nothing else about it.
				last := len(out) - 1
				if last < 0 || out[last].File != filepath.Base(f) || expect != "" || only != "" ||
					variant == out[last].Engine || (out[last].Engine != "" && out[last].Engine != variant) {
					return nil, fmt.Errorf("%s:%d: @variant %s must follow an attack of this file that runs on %s, with no @expect or @only of its own", f, st.Line, variant, variant)
				}
				if _, dup := out[last].Variants[variant]; dup {
					return nil, fmt.Errorf("%s:%d: a second @variant %s of one attack", f, st.Line, variant)
				}
				if out[last].Variants == nil {
					out[last].Variants = map[string]string{}
				}
				out[last].Variants[variant] = st.Text
				continue
			}
			if expect == "" {
				expect = def
			}
			e := eng
			if only != "" {
				if eng != "" && eng != only {
					return nil, fmt.Errorf("%s:%d: @only %s in a file for @engine %s", f, st.Line, only, eng)
				}
				e = only
			}
			out = append(out, Attack{File: filepath.Base(f), Line: st.Line, SQL: st.Text, As: as, Expect: expect, Engine: e})
		}
	}
	return out, nil
}

func checkExpect(v string) error {
	kind, arg, _ := strings.Cut(v, " ")
	switch kind {
	case "any", "same", "ok", "empty", "explain":
		if arg == "" {
			return nil
		}
	case "error":
		if arg == "" || len(arg) == 5 {
			return nil
		}
	case "rows":
		if _, err := strconv.Atoi(arg); err == nil {
			return nil
		}
	}
	return fmt.Errorf("bad expectation %q", v)
}

// RunAttacks runs the corpus against a fixture, holding each query to its
// expectation (see Attack) against the principal's physically filtered and
// masked ground truth, and returns the number of runs.
func RunAttacks(t *testing.T, dir string, fx *Fixture) int {
	attacks, err := LoadAttacks(dir)
	if err != nil {
		t.Fatal(err)
	}
	for f, why := range fx.SkipAttackFiles {
		n := len(attacks)
		attacks = slices.DeleteFunc(attacks, func(a Attack) bool { return a.File == f })
		if n == len(attacks) {
			t.Fatalf("SkipAttackFiles names %s, which holds no attack", f)
		}
		t.Logf("%d attacks of %s do not run: %s", n-len(attacks), f, why)
	}
	ctx := context.Background()
	dialect := fx.Dialect
	if dialect == "" {
		dialect = "duckdb"
	}
	ran := 0
	// otherEngine counts runs of attacks on another engine's mechanism
	// alone; unbound lists attacks whose refusal on this engine came
	// before binding (they read no row, so they pass an "any", "error"
	// or "empty" expectation, but attack nothing here).
	otherEngine := 0
	unbound := map[string]bool{}
	var mu sync.Mutex
	// run holds one attack, as one principal, to its expectation.
	run := func(a Attack, p FixturePrincipal) {
		query := a.SQLFor(dialect)
		if !slices.Contains(a.As, "all") && !slices.Contains(a.As, p.Name) {
			return
		}
		mu.Lock()
		ran++
		mu.Unlock()
		where := fmt.Sprintf("%s:%d as %s", a.File, a.Line, p.Name)
		got, gerr := Collect(ctx, fx.Engine, p.Principal, query)
		if gerr != nil {
			if leaks := p.Leaks(gerr.Error(), query); len(leaks) > 0 {
				t.Errorf("%s: %s\n  error message %q reveals hidden values %q", where, query, gerr, leaks)
			}
		}
		kind, arg, _ := strings.Cut(a.Expect, " ")
		if dialect != "duckdb" && notInDialect(gerr) {
			switch kind {
			case "ok", "rows":
				// An attack that must return rows tests nothing on an
				// engine that cannot bind it.
				t.Errorf("%s: %s\n  does not bind on %s (%v): give it a \"-- @variant %s\" spelling or, for a mechanism of DuckDB alone, \"-- @only duckdb\"",
					where, query, dialect, gerr, dialect)
				return
			case "any", "error", "empty", "explain":
				mu.Lock()
				unbound[fmt.Sprintf("%s:%d", a.File, a.Line)] = true
				mu.Unlock()
			}
			// "same" holds it to the ground truth below: it may fail
			// to bind only where the DuckDB spelling does too.
		}
		if kind == "same" {
			checkSame(ctx, t, where, query, a.SQL, p, got, gerr)
			return
		}
		if gerr != nil {
			switch {
			case a.Expect == "ok":
				t.Errorf("%s: %s\n  must succeed (an error here is a side channel) but failed: %v", where, query, gerr)
			case kind == "error" && arg != "" && EnforcedState(gerr) != arg:
				t.Errorf("%s: %s\n  must fail with SQLSTATE %s, failed with %s: %v", where, query, arg, EnforcedState(gerr), gerr)
			}
			return
		}
		switch kind {
		case "error":
			t.Errorf("%s: %s\n  must fail but returned %d rows", where, query, len(got))
			return
		case "empty":
			if len(got) != 0 {
				t.Errorf("%s: %s\n  must fail or return no rows, returned %q", where, query, got)
			}
			return
		case "rows":
			if strconv.Itoa(len(got)) != arg {
				t.Errorf("%s: %s\n  want %s rows, got %d: %q", where, query, arg, len(got), got)
			}
			return
		case "explain":
			if len(got) == 0 {
				t.Errorf("%s: %s\n  empty plan", where, query)
			}
			for _, line := range got {
				for _, bad := range explainLeaks {
					if strings.Contains(line, bad) {
						t.Errorf("%s: %s\n  plan line %q reveals %q", where, query, line, bad)
					}
				}
			}
			return
		}
		want, werr := p.TruthRows(ctx, a.SQL)
		if werr != nil {
			t.Errorf("%s: %s\n  succeeded with %d rows, but the same query fails on the ground truth (%v): it read something else", where, query, len(got), werr)
			return
		}
		slices.Sort(got)
		slices.Sort(want)
		if !SameRows(got, want) {
			t.Errorf("%s: %s\n  result differs from ground truth\n  got  %d rows: %.300q\n  want %d rows: %.300q", where, query, len(got), got, len(want), want)
		}
	}
	// one runs attack a as p, or counts it if it is another engine's.
	one := func(a Attack, p FixturePrincipal) {
		if a.Engine == "" || a.Engine == dialect {
			run(a, p)
			return
		}
		if slices.Contains(a.As, "all") || slices.Contains(a.As, p.Name) {
			mu.Lock()
			otherEngine++
			mu.Unlock()
		}
	}
	if !fx.ConcurrentAttacks {
		for _, a := range attacks {
			for _, p := range fx.Principals {
				one(a, p)
			}
		}
	} else {
		// Each principal runs the corpus in its order, beside the others.
		var wg sync.WaitGroup
		for _, p := range fx.Principals {
			wg.Go(func() {
				for _, a := range attacks {
					one(a, p)
				}
			})
		}
		wg.Wait()
	}
	if otherEngine > 0 {
		t.Logf("%d attack runs attack another engine's mechanism alone (@engine, @only) and do not run on %s", otherEngine, dialect)
	}
	if len(unbound) > 0 {
		list := slices.Sorted(maps.Keys(unbound))
		t.Logf("%d attacks are refused on %s before binding (an expected refusal, but no attack on this engine): %s", len(list), dialect, strings.Join(list, " "))
	}
	return ran
}

// notInDialect reports an error raised while parsing or binding a
// statement (syntax, unknown function, type or column, unsupported
// feature): raised before any row is read. Permission denials and
// missing relations are not among them.
func notInDialect(err error) bool {
	if err == nil {
		return false
	}
	switch EnforcedState(err) {
	case "42601", "42704", "42703", "0A000":
		return true
	}
	return false
}

// checkSame holds an enforced result (got, gerr) to what the same query
// does on the principal's ground truth.
// truthQuery is the attack's DuckDB spelling of query.
func checkSame(ctx context.Context, t *testing.T, where, query, truthQuery string, p FixturePrincipal, got []string, gerr error) {
	t.Helper()
	want, werr := p.TruthRows(ctx, truthQuery)
	switch {
	case werr != nil && gerr == nil:
		t.Errorf("%s: %s\n  succeeded with %d rows, but fails on the ground truth: %v", where, query, len(got), werr)
	case werr == nil && gerr != nil:
		t.Errorf("%s: %s\n  failed (%s: %v), but returns %d rows on the ground truth: it evaluated something on rows it may not see, or refuses a valid query", where, query, EnforcedState(gerr), gerr, len(want))
	case werr != nil:
		if !SameClass(gerr, werr) {
			t.Errorf("%s: %s\n  failed with SQLSTATE %s (%v), the ground truth with %v (want one of %v)", where, query, EnforcedState(gerr), gerr, werr, TruthStates(werr))
		}
	default:
		slices.Sort(got)
		slices.Sort(want)
		if !SameRows(got, want) {
			t.Errorf("%s: %s\n  result differs from ground truth\n  got  %d rows: %.300q\n  want %d rows: %.300q", where, query, len(got), got, len(want), want)
		}
	}
}

// explainLeaks are strings a principal's plan must not contain: policy
// predicates and masks of the fixture, the raw catalog and estimates.
var explainLeaks = []string{"Asia", "Europe", "America", "~~", "prefix", "contains(", "split_part", "region_lookup",
	"tg_raw", "Cardinality", "round(", "CAST(NULL", "rows"}
