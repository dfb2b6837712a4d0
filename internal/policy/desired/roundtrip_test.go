package desired_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// scenario runs one semantics script on a fresh DuckDB engine and returns
// the engine with the catalog the script left.
func scenario(t *testing.T, path string) *engine.Router {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := conformance.ParseScript(f)
	if err != nil {
		t.Fatal(err)
	}
	recs = slices.DeleteFunc(recs, func(r conformance.Record) bool { return !r.RunsOn("duckdb") })
	eng := duckdbtest.New(t, 1)
	conformance.RunRecords(t, filepath.Base(path), recs, eng)
	return eng
}

func apply(t *testing.T, eng *engine.Router, p *desired.Plan) {
	t.Helper()
	if _, err := eng.ApplyPolicy(context.Background(), identity.LocalSuperuser(), p.PolicyVersion, p.Statements(), p.Check); err != nil {
		t.Fatalf("apply: %v\nplan:\n%s", err, p.Text())
	}
}

// TestRoundTripSemantics holds plan, apply and export to every scenario of
// the semantics suite: the exported files plan to nothing; a plan to an
// empty desired state strips every policy (the engine's catalog is then
// exactly the Base); a plan from there to the exported files restores the
// scenario's catalog exactly, and planning again shows nothing.
func TestRoundTripSemantics(t *testing.T) {
	scripts, err := filepath.Glob("../../../testdata/semantics/*.test")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no semantics scripts: %v", err)
	}
	ctx := context.Background()
	total := 0
	for _, path := range scripts {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".test"), func(t *testing.T) {
			eng := scenario(t, path)
			an := eng.PolicyAnalyzer()
			live := eng.Catalog()

			files, err := desired.Export(ctx, live, an)
			if err != nil {
				t.Fatalf("export: %v", err)
			}
			same, err := desired.MakePlan(ctx, live, files, an)
			if err != nil {
				t.Fatalf("plan of the exported files: %v", err)
			}
			if len(same.Steps) != 0 || !strings.HasPrefix(same.Text(), "No changes") {
				t.Fatalf("export → plan is not empty:\n%s", same.Text())
			}

			strip, err := desired.MakePlan(ctx, live, []desired.Source{{Name: "empty.sql"}}, an)
			if err != nil {
				t.Fatalf("plan to nothing: %v", err)
			}
			apply(t, eng, strip)
			base, err := desired.Base(live)
			if err != nil {
				t.Fatal(err)
			}
			if err := desired.Same(eng.Catalog(), base); err != nil {
				t.Fatalf("after stripping: %v", err)
			}

			restore, err := desired.MakePlan(ctx, eng.Catalog(), files, an)
			if err != nil {
				t.Fatalf("plan from the stripped catalog: %v", err)
			}
			apply(t, eng, restore)
			if err := desired.Same(eng.Catalog(), live); err != nil {
				t.Fatalf("after restoring: %v\nplan:\n%s", err, restore.Text())
			}
			again, err := desired.MakePlan(ctx, eng.Catalog(), files, an)
			if err != nil || len(again.Steps) != 0 {
				t.Fatalf("plan after restoring: %v\n%s", err, again.Text())
			}
			total += len(strip.Steps) + len(restore.Steps)
			t.Logf("%d statements stripped, %d restored", len(strip.Steps), len(restore.Steps))
		})
	}
	t.Logf("%d scenarios, %d planned statements applied", len(scripts), total)
}

var _ = policy.New
