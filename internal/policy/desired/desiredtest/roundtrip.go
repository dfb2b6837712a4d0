// Package desiredtest holds policy as code to every engine: the round trip
// of plan, apply and export over every scenario of the semantics suite.
// Import it only from tests; an engine's test supplies a constructor.
package desiredtest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// NewEngine returns a fresh, empty engine.
type NewEngine func(t *testing.T) *engine.Router

// RunRoundTrips runs every semantics script under testdata/semantics on a
// fresh engine (the records for engineName) and then holds plan, apply and
// export to the catalog it left: the exported files plan to nothing; a plan
// to an empty desired state, applied on the engine, leaves exactly the
// catalog's Base; a plan from there to the exported files, applied,
// restores the catalog exactly, and planning again shows nothing.
func RunRoundTrips(t *testing.T, testdata, engineName string, newEngine NewEngine) {
	scripts, err := filepath.Glob(filepath.Join(testdata, "semantics", "*.test"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no semantics scripts under %s: %v", testdata, err)
	}
	ctx := context.Background()
	total := 0
	for _, path := range scripts {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".test"), func(t *testing.T) {
			eng := newEngine(t)
			scenario(t, path, engineName, eng)
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
	t.Logf("%s: %d scenarios, %d planned statements applied", engineName, len(scripts), total)
}

// scenario runs one semantics script's records for engineName on eng.
func scenario(t *testing.T, path, engineName string, eng *engine.Router) {
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
	recs = slices.DeleteFunc(recs, func(r conformance.Record) bool { return !r.RunsOn(engineName) })
	conformance.RunRecords(t, filepath.Base(path), recs, eng)
}

func apply(t *testing.T, eng *engine.Router, p *desired.Plan) {
	t.Helper()
	if _, err := eng.ApplyPolicy(context.Background(), identity.LocalSuperuser(), p.PolicyVersion, p.Statements(), p.Check); err != nil {
		t.Fatalf("apply: %v\nplan:\n%s", err, p.Text())
	}
}
