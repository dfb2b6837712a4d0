package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/tipgate/tipgate/internal/policy/desired"
)

const policyUsage = `tipgate policy: policy as code: plan, apply, export and test policy files

usage: tipgate policy <plan|apply|export|test> [flags]

  plan   --dir DIR [--plan-file F]      show the statements that turn the warehouse's policies into DIR's
  apply  --plan-file F | --dir DIR      apply a plan (or plan DIR and apply it) in one transaction,
                                        refused if the policies changed since the plan was made
  export --dir DIR                      write the warehouse's policies as policy files
  test   [--fixture F.sql [--dir DIR] | --remote URL] FILE...
                                        check expectation files against a fixture or the warehouse

plan, apply and export take the warehouse flags of 'tipgate sql': --data-dir DIR (local) or
--remote URL (a server, as the signed-in security admin; audited). Run 'tipgate policy <cmd> -h'.

examples:
  tipgate policy plan --dir policies --plan-file plan.json
  tipgate policy apply --plan-file plan.json
  tipgate policy export --dir policies
  tipgate policy test --fixture internal/demo/fixture.sql --dir policies internal/demo/expectations.toml
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
	changesExit := fs.Bool("exit-code", false, "exit 2 when the plan has changes (drift checks in CI), 0 when it has none")
	if err := wf.parse(fs, args); err != nil {
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
	if *changesExit && len(plan.Steps) > 0 {
		return exitError{code: 2}
	}
	return nil
}

func runPolicyApply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	wf := addWarehouseFlags(fs)
	dir := fs.String("dir", "", "plan this folder of policy files and apply the plan at once")
	planFile := fs.String("plan-file", "", "apply this plan (from 'tipgate policy plan --plan-file')")
	if err := wf.parse(fs, args); err != nil {
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
	if err := wf.parse(fs, args); err != nil {
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
