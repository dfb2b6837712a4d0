package conformance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
	// CTE filter pusher, its own syntax).
	Engine string
}

// LoadAttacks reads every *.sql file under dir. Each statement may be
// preceded by "-- @as name[,name]|all" (sticky), "-- @default <expect>"
// (sticky: the expectation of the file's following statements, "any" at
// the start of each file) and "-- @expect <expect>" (for that statement
// only).
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
			expect := ""
			for _, line := range strings.Split(src[prev:st.Pos], "\n") {
				line = strings.TrimSpace(line)
				if v, ok := strings.CutPrefix(line, "-- @as "); ok {
					as = strings.Split(strings.TrimSpace(v), ",")
				}
				if v, ok := strings.CutPrefix(line, "-- @engine "); ok {
					eng = strings.TrimSpace(v)
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
			if expect == "" {
				expect = def
			}
			prev = st.Pos + len(st.Text)
			out = append(out, Attack{File: filepath.Base(f), Line: st.Line, SQL: st.Text, As: as, Expect: expect, Engine: eng})
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
	ctx := context.Background()
	dialect := fx.Dialect
	if dialect == "" {
		dialect = "duckdb"
	}
	ran, foreign := 0, 0
	for _, a := range attacks {
		if a.Engine != "" && a.Engine != dialect {
			continue
		}
		for _, p := range fx.Principals {
			if !slices.Contains(a.As, "all") && !slices.Contains(a.As, p.Name) {
				continue
			}
			ran++
			where := fmt.Sprintf("%s:%d as %s", a.File, a.Line, p.Name)
			got, gerr := Collect(ctx, fx.Engine, p.Principal, a.SQL)
			if gerr != nil {
				if leaks := p.Leaks(gerr.Error(), a.SQL); len(leaks) > 0 {
					t.Errorf("%s: %s\n  error message %q reveals hidden values %q", where, a.SQL, gerr, leaks)
				}
			}
			kind, arg, _ := strings.Cut(a.Expect, " ")
			if dialect != "duckdb" && kind != "explain" && notInDialect(gerr) {
				// The corpus is written in DuckDB's dialect. An engine of
				// another dialect that cannot even bind the statement
				// read no row: its refusal cannot depend on data.
				foreign++
				continue
			}
			if kind == "same" {
				checkSame(ctx, t, where, a.SQL, p, got, gerr)
				continue
			}
			if gerr != nil {
				switch {
				case a.Expect == "ok":
					t.Errorf("%s: %s\n  must succeed (an error here is a side channel) but failed: %v", where, a.SQL, gerr)
				case kind == "error" && arg != "" && EnforcedState(gerr) != arg:
					t.Errorf("%s: %s\n  must fail with SQLSTATE %s, failed with %s: %v", where, a.SQL, arg, EnforcedState(gerr), gerr)
				}
				continue
			}
			switch kind {
			case "error":
				t.Errorf("%s: %s\n  must fail but returned %d rows", where, a.SQL, len(got))
				continue
			case "empty":
				if len(got) != 0 {
					t.Errorf("%s: %s\n  must fail or return no rows, returned %q", where, a.SQL, got)
				}
				continue
			case "rows":
				if strconv.Itoa(len(got)) != arg {
					t.Errorf("%s: %s\n  want %s rows, got %d: %q", where, a.SQL, arg, len(got), got)
				}
				continue
			case "explain":
				if len(got) == 0 {
					t.Errorf("%s: %s\n  empty plan", where, a.SQL)
				}
				for _, line := range got {
					for _, bad := range explainLeaks {
						if strings.Contains(line, bad) {
							t.Errorf("%s: %s\n  plan line %q reveals %q", where, a.SQL, line, bad)
						}
					}
				}
				continue
			}
			want, werr := p.TruthRows(ctx, a.SQL)
			if werr != nil {
				t.Errorf("%s: %s\n  succeeded with %d rows, but the same query fails on the ground truth (%v): it read something else", where, a.SQL, len(got), werr)
				continue
			}
			slices.Sort(got)
			slices.Sort(want)
			if !SameRows(got, want) {
				t.Errorf("%s: %s\n  result differs from ground truth\n  got  %d rows: %.300q\n  want %d rows: %.300q", where, a.SQL, len(got), got, len(want), want)
			}
		}
	}
	if foreign > 0 {
		t.Logf("%d of %d attack runs are DuckDB SQL that %s cannot bind (refused before reading any row)", foreign, ran, dialect)
	}
	return ran - foreign
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
func checkSame(ctx context.Context, t *testing.T, where, query string, p FixturePrincipal, got []string, gerr error) {
	t.Helper()
	want, werr := p.TruthRows(ctx, query)
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
