package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/expect"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

func runPolicyTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", "./tipgate-data", "warehouse to check, with its own policies (without --fixture)")
	kind := fs.String("engine", "", "warehouse engine ("+strings.Join(engines.Kinds(), ", ")+"; default duckdb)")
	fixture := fs.String("fixture", "", "SQL script (tables, data, policies) loaded into a fresh, temporary warehouse to check instead")
	dir := fs.String("dir", "", "with --fixture: policy files planned and applied on the fixture before checking")
	s3root := fs.String("s3-root", "", "with --fixture: folder that s3://bucket/key COPY sources are read from")
	remote := &remoteFlag{}
	fs.Var(remote, "remote", "check the warehouse of the server you signed in to ('tipgate login'), as its security admin\nviewing it as each principal (audited); --remote URL names the server, which must be the session's")
	if err := parseFlags(fs, args, remote); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("policy test: give one or more expectation files")
	}
	if remote.set {
		var local []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "remote" {
				local = append(local, "--"+f.Name)
			}
		})
		if len(local) > 0 {
			return fmt.Errorf("policy test: %s cannot be used with --remote: the server's warehouse is checked with its own policies", strings.Join(local, ", "))
		}
		return runRemotePolicyTest(ctx, remote.url, fs.Args(), stdout)
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
	var failures []string
	for _, f := range res.Failures {
		failures = append(failures, f.String())
	}
	return reportChecks(stdout, res.Expectations, res.Checks, failures)
}

func reportChecks(stdout io.Writer, expectations, checks int, failures []string) error {
	for _, f := range failures {
		fmt.Fprintln(stdout, "FAIL", f)
	}
	if len(failures) > 0 {
		fmt.Fprintf(stdout, "%d of %d checks failed (%d expectations).\n", len(failures), checks, expectations)
		return exitError{code: 1}
	}
	fmt.Fprintf(stdout, "ok: %d expectations, %d checks hold.\n", expectations, checks)
	return nil
}

func runRemotePolicyTest(ctx context.Context, remote string, names []string, stdout io.Writer) error {
	in := dataapi.PolicyTestInput{}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("policy test: %w", err)
		}
		in.Files = append(in.Files, desired.Source{Name: name, Text: string(b)})
	}
	c, err := openSession(remote)
	if err != nil {
		return err
	}
	var out dataapi.PolicyTestOutput
	if err := c.do(ctx, http.MethodPost, "/v1/policy/test", nil, in, &out); err != nil {
		return err
	}
	return reportChecks(stdout, out.Expectations, out.Checks, out.Failures)
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
