package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/expect"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

const policyUsage = `usage: tipgate policy <plan|apply|export|test> [flags]

  plan   --dir DIR [--plan-file F]      show the statements that turn the warehouse's policies into DIR's
  apply  --plan-file F | --dir DIR      apply a plan (or plan DIR and apply it) in one transaction,
                                        refused if the policies changed since the plan was made
  export --dir DIR                      write the warehouse's policies as policy files
  test   [--fixture F.sql [--dir DIR]] FILE...
                                        check expectation files against a fixture or the warehouse

plan, apply and export take the warehouse flags of 'tipgate sql': --data-dir DIR (local) or
--remote URL (a server, as the signed-in security admin; audited). Run 'tipgate policy <cmd> -h'.
`

func runPolicy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, policyUsage)
		if len(args) == 0 {
			return exitError{code: 2}
		}
		return nil
	}
	sub := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"plan": runPolicyPlan, "apply": runPolicyApply, "export": runPolicyExport, "test": runPolicyTest,
	}
	fn, ok := sub[args[0]]
	if !ok {
		fmt.Fprint(stderr, policyUsage)
		return fmt.Errorf("policy: unknown subcommand %q", args[0])
	}
	return fn(ctx, args[1:], stdout, stderr)
}

// warehouseFlags are the flags naming the warehouse, as 'tipgate sql' has them.
type warehouseFlags struct {
	dataDir, engine, remote *string
}

func addWarehouseFlags(fs *flag.FlagSet) warehouseFlags {
	return warehouseFlags{
		dataDir: fs.String("data-dir", "./tipgate-data", "warehouse data directory"),
		engine:  fs.String("engine", "", "warehouse engine of --data-dir ("+strings.Join(engines.Kinds(), ", ")+"; default duckdb)"),
		remote:  fs.String("remote", "", "act on this tipgate server as the signed-in security admin ('tipgate login')"),
	}
}

// policyTarget is where plans are made and applied: the local warehouse
// as its operator, or a server as the signed-in user.
type policyTarget interface {
	plan(ctx context.Context, files []desired.Source) (*desired.Plan, error)
	apply(ctx context.Context, p *desired.Plan) (*dataapi.PolicyApplyOutput, error)
	export(ctx context.Context) (*dataapi.PolicyExportOutput, error)
	Close() error
}

func (w warehouseFlags) open(ctx context.Context, fs *flag.FlagSet) (policyTarget, error) {
	if *w.remote != "" {
		var local []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "data-dir" || f.Name == "engine" {
				local = append(local, "--"+f.Name)
			}
		})
		if len(local) > 0 {
			return nil, fmt.Errorf("policy: %s cannot be used with --remote: the server holds the warehouse", strings.Join(local, ", "))
		}
		c, err := openSession(*w.remote)
		if err != nil {
			return nil, err
		}
		return remotePolicy{c}, nil
	}
	if err := existingWarehouse(*w.engine, *w.dataDir); err != nil {
		return nil, err
	}
	eng, err := engines.Open(ctx, engines.Config{Kind: *w.engine, DataDir: *w.dataDir})
	if err != nil {
		return nil, err
	}
	return localPolicy{r: eng, p: identity.LocalSuperuser()}, nil
}

// existingWarehouse refuses a --data-dir that does not exist: opening it
// would create an empty warehouse, and a plan against it would say every
// policy is new.
func existingWarehouse(kind, dataDir string) error {
	if kind != "" && kind != "duckdb" {
		return nil
	}
	if _, err := os.Stat(dataDir); err != nil {
		return fmt.Errorf("policy: no warehouse in %s (--data-dir): %w", dataDir, err)
	}
	return nil
}

type localPolicy struct {
	r *engine.Router
	p identity.Principal
}

func (l localPolicy) plan(ctx context.Context, files []desired.Source) (*desired.Plan, error) {
	return desired.MakePlan(ctx, l.r.Catalog(), files, l.r.PolicyAnalyzer())
}

func (l localPolicy) apply(ctx context.Context, p *desired.Plan) (*dataapi.PolicyApplyOutput, error) {
	next, err := l.r.ApplyPolicy(ctx, l.p, p.PolicyVersion, p.Statements(), p.Check)
	if err != nil {
		return nil, err
	}
	return &dataapi.PolicyApplyOutput{PolicyVersion: next.PolicyVersion, Statements: len(p.Steps)}, nil
}

func (l localPolicy) export(ctx context.Context) (*dataapi.PolicyExportOutput, error) {
	cat := l.r.Catalog()
	files, err := desired.Export(ctx, cat, l.r.PolicyAnalyzer())
	if err != nil {
		return nil, err
	}
	return &dataapi.PolicyExportOutput{PolicyVersion: cat.PolicyVersion, Files: files}, nil
}

func (l localPolicy) Close() error { return l.r.Close() }

type remotePolicy struct{ c *restClient }

func (r remotePolicy) plan(ctx context.Context, files []desired.Source) (*desired.Plan, error) {
	var out desired.Plan
	if err := r.c.do(ctx, http.MethodPost, "/v1/policy/plan", nil, dataapi.PolicyPlanInput{Files: files}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (r remotePolicy) apply(ctx context.Context, p *desired.Plan) (*dataapi.PolicyApplyOutput, error) {
	var out dataapi.PolicyApplyOutput
	if err := r.c.do(ctx, http.MethodPost, "/v1/policy/apply", nil, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (r remotePolicy) export(ctx context.Context) (*dataapi.PolicyExportOutput, error) {
	var out dataapi.PolicyExportOutput
	if err := r.c.do(ctx, http.MethodGet, "/v1/policy/export", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (r remotePolicy) Close() error { return nil }

func noArgs(fs *flag.FlagSet, cmd string) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("policy %s: unexpected argument %q", cmd, fs.Arg(0))
	}
	return nil
}

func runPolicyPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wf := addWarehouseFlags(fs)
	dir := fs.String("dir", "", "folder of policy files (*.sql, applied in path order): the desired state")
	planFile := fs.String("plan-file", "", "also write the plan here, for 'tipgate policy apply --plan-file'")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs, "plan"); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("policy plan: --dir is required")
	}
	files, err := desired.ReadDir(*dir)
	if err != nil {
		return err
	}
	t, err := wf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer t.Close()
	plan, err := t.plan(ctx, files)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, plan.Text())
	if *planFile != "" {
		b, err := plan.Encode()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*planFile, b, 0o600); err != nil {
			return fmt.Errorf("policy plan: %w", err)
		}
		fmt.Fprintf(stdout, "\nPlan written to %s; apply it with: tipgate policy apply --plan-file %s\n", *planFile, *planFile)
	}
	return nil
}

func runPolicyApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wf := addWarehouseFlags(fs)
	dir := fs.String("dir", "", "plan this folder of policy files and apply the plan at once")
	planFile := fs.String("plan-file", "", "apply this plan (from 'tipgate policy plan --plan-file')")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs, "apply"); err != nil {
		return err
	}
	if (*dir == "") == (*planFile == "") {
		return errors.New("policy apply: give exactly one of --plan-file F or --dir DIR")
	}
	var plan *desired.Plan
	var files []desired.Source
	if *planFile != "" {
		b, err := os.ReadFile(*planFile)
		if err != nil {
			return fmt.Errorf("policy apply: %w", err)
		}
		if plan, err = desired.DecodePlan(b); err != nil {
			return fmt.Errorf("policy apply: %s: %w", *planFile, err)
		}
	} else {
		var err error
		if files, err = desired.ReadDir(*dir); err != nil {
			return err
		}
	}
	t, err := wf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer t.Close()
	if plan == nil {
		if plan, err = t.plan(ctx, files); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, plan.Text())
	if len(plan.Steps) == 0 {
		return nil
	}
	out, err := t.apply(ctx, plan)
	if err != nil {
		return fmt.Errorf("policy apply: nothing was applied: %w", err)
	}
	fmt.Fprintf(stdout, "\nApplied %d statements in one transaction; the policy version is now %d.\n", out.Statements, out.PolicyVersion)
	return nil
}

func runPolicyExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wf := addWarehouseFlags(fs)
	dir := fs.String("dir", "", "folder to write the policy files to (created if missing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := noArgs(fs, "export"); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("policy export: --dir is required")
	}
	// Other .sql files in the folder would be read with the export and
	// change what it means; they are refused rather than overwritten.
	if existing, err := filepath.Glob(filepath.Join(*dir, "*.sql")); err == nil {
		for _, f := range existing {
			if !slices.Contains(desired.ExportNames(), filepath.Base(f)) {
				return fmt.Errorf("policy export: %s holds %s, which is not an exported file; export into a folder of its own", *dir, filepath.Base(f))
			}
		}
	}
	t, err := wf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer t.Close()
	out, err := t.export(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return fmt.Errorf("policy export: %w", err)
	}
	for _, f := range out.Files {
		name := filepath.Base(f.Name)
		if !slices.Contains(desired.ExportNames(), name) {
			return fmt.Errorf("policy export: the warehouse sent an unexpected file name %q", f.Name)
		}
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(f.Text), 0o644); err != nil {
			return fmt.Errorf("policy export: %w", err)
		}
	}
	fmt.Fprintf(stdout, "Wrote %d policy files to %s (policy version %d).\n", len(out.Files), *dir, out.PolicyVersion)
	// The round trip is checked, not assumed: the files as written plan
	// to no change.
	files, err := desired.ReadDir(*dir)
	if err != nil {
		return err
	}
	plan, err := t.plan(ctx, files)
	if err != nil {
		return fmt.Errorf("policy export: the exported files do not plan: %w", err)
	}
	if len(plan.Steps) != 0 {
		return fmt.Errorf("policy export: the exported files plan %d changes; the export is not faithful:\n%s", len(plan.Steps), plan.Text())
	}
	fmt.Fprintf(stdout, "Checked: planning %s against the warehouse shows no change.\n", *dir)
	return nil
}

func runPolicyTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "./tipgate-data", "warehouse to check, with its own policies (without --fixture)")
	kind := fs.String("engine", "", "warehouse engine ("+strings.Join(engines.Kinds(), ", ")+"; default duckdb)")
	fixture := fs.String("fixture", "", "SQL script (tables, data, policies) loaded into a fresh, temporary warehouse to check instead")
	dir := fs.String("dir", "", "with --fixture: policy files planned and applied on the fixture before checking")
	s3root := fs.String("s3-root", "", "with --fixture: folder that s3://bucket/key COPY sources are read from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("policy test: give one or more expectation files")
	}
	if *fixture == "" && (*dir != "" || *s3root != "") {
		return errors.New("policy test: --dir and --s3-root need --fixture: a live warehouse is checked with its own policies (apply them first)")
	}
	var files []*expect.File
	var errs []error
	for _, name := range fs.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := expect.Parse(name, string(b))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	cfg := engines.Config{Kind: *kind, DataDir: *dataDir}
	if *fixture == "" {
		if err := existingWarehouse(*kind, *dataDir); err != nil {
			return err
		}
	} else {
		tmp, err := os.MkdirTemp("", "tipgate-policy-test-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cfg.DataDir, cfg.S3Root = tmp, *s3root
	}
	eng, err := engines.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer eng.Close()
	if *fixture != "" {
		if err := loadFixture(ctx, eng, *fixture, *dir, stdout); err != nil {
			return err
		}
	}
	res, err := expect.Run(ctx, eng, files)
	if err != nil {
		return err
	}
	for _, f := range res.Failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	if len(res.Failures) > 0 {
		fmt.Fprintf(stdout, "%d of %d checks failed (%d expectations).\n", len(res.Failures), res.Checks, res.Expectations)
		return exitError{code: 1}
	}
	fmt.Fprintf(stdout, "ok: %d expectations, %d checks hold.\n", res.Expectations, res.Checks)
	return nil
}

func loadFixture(ctx context.Context, eng *engine.Router, fixture, dir string, stdout io.Writer) error {
	b, err := os.ReadFile(fixture)
	if err != nil {
		return fmt.Errorf("policy test: %w", err)
	}
	w, _ := newWriter("table", io.Discard)
	if err := runScript(ctx, eng, identity.LocalSuperuser(), string(b), w); err != nil {
		return fmt.Errorf("policy test: fixture %s: %w", fixture, err)
	}
	if dir == "" {
		return nil
	}
	files, err := desired.ReadDir(dir)
	if err != nil {
		return err
	}
	l := localPolicy{r: eng, p: identity.LocalSuperuser()}
	plan, err := l.plan(ctx, files)
	if err != nil {
		return err
	}
	if _, err := l.apply(ctx, plan); err != nil {
		return fmt.Errorf("policy test: applying %s to the fixture: %w", dir, err)
	}
	fmt.Fprintf(stdout, "Fixture %s loaded; %s applied (%d statements).\n", fixture, dir, len(plan.Steps))
	return nil
}
