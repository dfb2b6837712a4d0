package demo_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/expect"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

func applyDir(t *testing.T, eng *engine.Router, dir string) *desired.Plan {
	t.Helper()
	ctx := context.Background()
	files, err := desired.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := desired.MakePlan(ctx, eng.Catalog(), files, eng.PolicyAnalyzer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.ApplyPolicy(ctx, identity.LocalSuperuser(), plan.PolicyVersion, plan.Statements(), plan.Check); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestExpectations runs the demo's expectation files (make test runs
// them): the policy files applied to the fixture, every expectation holds.
func TestExpectations(t *testing.T) {
	fixture, err := os.ReadFile("fixture.sql")
	if err != nil {
		t.Fatal(err)
	}
	eng := duckdbtest.New(t, 1, string(fixture))
	applyDir(t, eng, "policies")
	text, err := os.ReadFile("expectations.toml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := expect.Parse("expectations.toml", string(text))
	if err != nil {
		t.Fatal(err)
	}
	res, err := expect.Run(context.Background(), eng, []*expect.File{f})
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range res.Failures {
		t.Error(fl)
	}
	if res.Expectations != 7 || res.Checks != 25 {
		t.Fatalf("ran %d expectations and %d checks", res.Expectations, res.Checks)
	}
	t.Logf("%d expectations, %d checks", res.Expectations, res.Checks)
}

// TestPolicyFilesAreTheScript: the policy files are the reference script's
// policies, so planning them against the demo warehouse changes nothing.
func TestPolicyFilesAreTheScript(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s3 := filepath.Join(dir, "s3")
	src := filepath.Join(s3, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: 500, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	eng, err := engines.Open(ctx, engines.Config{DataDir: filepath.Join(dir, "wh"), S3Root: s3, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), demo.PolicyScript); err != nil {
		t.Fatal(err)
	}
	files, err := desired.ReadDir("policies")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := desired.MakePlan(ctx, eng.Catalog(), files, eng.PolicyAnalyzer())
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Steps) != 0 {
		t.Fatalf("the policy files differ from the reference script:\n%s", plan.Text())
	}
	if !strings.HasPrefix(plan.Text(), "No changes") {
		t.Fatal(plan.Text())
	}
}
