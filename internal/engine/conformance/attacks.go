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
	// Expect is "any" (fail, or return exactly the ground truth), "ok"
	// (must succeed with exactly the ground truth: for side channels,
	// where an error would itself be the leak), "error", "empty" (fail or
	// no rows: system views a principal may not read), "rows N" (exactly N
	// rows: system views a principal may read) or "explain" (a plan that
	// shows no policy predicate, mask or row estimate).
	Expect string
}

// LoadAttacks reads every *.sql file under dir. Each statement may be
// preceded by "-- @as name[,name]|all" (sticky) and "-- @expect ok|error|any"
// (for that statement only).
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
		prev := 0
		for _, st := range stmts {
			expect := "any"
			for _, line := range strings.Split(src[prev:st.Pos], "\n") {
				line = strings.TrimSpace(line)
				if v, ok := strings.CutPrefix(line, "-- @as "); ok {
					as = strings.Split(strings.TrimSpace(v), ",")
				}
				if v, ok := strings.CutPrefix(line, "-- @expect "); ok {
					expect = strings.TrimSpace(v)
					kind, _, _ := strings.Cut(expect, " ")
					if !slices.Contains([]string{"any", "ok", "error", "empty", "rows", "explain"}, kind) {
						return nil, fmt.Errorf("%s:%d: bad @expect %q", f, st.Line, expect)
					}
				}
			}
			prev = st.Pos + len(st.Text)
			out = append(out, Attack{File: filepath.Base(f), Line: st.Line, SQL: st.Text, As: as, Expect: expect})
		}
	}
	return out, nil
}

// RunAttacks runs the corpus against a fixture: each query must fail, or
// return exactly what the same query returns over the principal's
// physically filtered and masked ground truth.
func RunAttacks(t *testing.T, dir string, fx *Fixture) int {
	attacks, err := LoadAttacks(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ran := 0
	for _, a := range attacks {
		for _, p := range fx.Principals {
			if !slices.Contains(a.As, "all") && !slices.Contains(a.As, p.Name) {
				continue
			}
			ran++
			where := fmt.Sprintf("%s:%d as %s", a.File, a.Line, p.Name)
			got, gerr := Collect(ctx, fx.Engine, p.Principal, a.SQL)
			if gerr != nil {
				if a.Expect == "ok" {
					t.Errorf("%s: %s\n  must succeed (an error here is a side channel) but failed: %v", where, a.SQL, gerr)
				}
				continue
			}
			switch kind, arg, _ := strings.Cut(a.Expect, " "); kind {
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
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s\n  result differs from ground truth\n  got  %d rows: %.300q\n  want %d rows: %.300q", where, a.SQL, len(got), got, len(want), want)
			}
		}
	}
	return ran
}

// explainLeaks are strings a principal's plan must not contain: policy
// predicates and masks of the fixture, the raw catalog and estimates.
var explainLeaks = []string{"Asia", "Europe", "America", "~~", "prefix", "contains(", "split_part", "region_lookup",
	"tg_raw", "Cardinality", "round(", "CAST(NULL", "rows"}
