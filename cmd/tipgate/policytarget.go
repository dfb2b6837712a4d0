package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// warehouseFlags are the flags naming the warehouse, as 'tipgate sql' has them.
type warehouseFlags struct {
	dataDir, engine, dsn *string
	remote               *remoteFlag
}

func addWarehouseFlags(fs *flag.FlagSet) warehouseFlags {
	remote := &remoteFlag{}
	fs.Var(remote, "remote", "act on the server you signed in to with 'tipgate login', as that user (the security admin)\n(--remote URL names the server, which must be the session's)")
	return warehouseFlags{
		remote:  remote,
		dataDir: fs.String("data-dir", "./tipgate-data", "warehouse data directory"),
		engine:  fs.String("engine", "", "warehouse engine of --data-dir ("+strings.Join(engines.Kinds(), ", ")+"; default duckdb)"),
		dsn:     fs.String("dsn", "", "the postgres engine's database, postgres://user@host:5432/database"),
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

// parse parses args with a bare --remote's URL, if any (parseFlags).
func (w warehouseFlags) parse(fs *flag.FlagSet, args []string) error {
	return parseFlags(fs, args, w.remote)
}

func (w warehouseFlags) open(ctx context.Context, fs *flag.FlagSet) (policyTarget, error) {
	if w.remote.set {
		var local []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "data-dir" || f.Name == "engine" || f.Name == "dsn" {
				local = append(local, "--"+f.Name)
			}
		})
		if len(local) > 0 {
			return nil, fmt.Errorf("policy: %s cannot be used with --remote: the server holds the warehouse", strings.Join(local, ", "))
		}
		c, err := openSession(w.remote.url)
		if err != nil {
			return nil, err
		}
		return remotePolicy{c}, nil
	}
	if err := existingWarehouse(*w.engine, *w.dataDir); err != nil {
		return nil, err
	}
	if (*w.engine == "postgres") != (*w.dsn != "") {
		return nil, fmt.Errorf("policy: --dsn goes with --engine postgres, and --engine postgres needs --dsn")
	}
	eng, err := engines.Open(ctx, engines.Config{Kind: *w.engine, DSN: *w.dsn, DataDir: *w.dataDir})
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
