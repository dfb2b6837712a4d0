// Package engines opens the warehouse engine a configuration names, behind
// the one statement router. It is the only package that imports engine
// implementations: everything else (server, dataapi, web, the CLI) works
// with engine.Engine.
package engines

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/duckdb"
	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/engine/trino"
)

// Config says which engine to open and how.
type Config struct {
	// Kind names the engine: "duckdb" (embedded, the default), "postgres"
	// or "trino".
	Kind string
	// DSN is the PostgreSQL engine's database (postgres://…) or the Trino
	// engine's cluster (https://…, trino.ParseDSN).
	DSN string
	// DataDir holds the embedded engine's warehouse.
	DataDir string
	// S3Root, when set, is the local folder that s3://bucket/key sources map to.
	S3Root string
	// Threads caps the engine's worker threads; 0 keeps its default.
	Threads int
	// MaxIdleConns bounds idle policy connections (0: the engine's default).
	MaxIdleConns int
	Logger       *slog.Logger
	// QueryHistory, when set, feeds SYS_QUERY_HISTORY from the audit log.
	QueryHistory func() []engine.QueryRecord
	// Directory, when set, feeds SVV_PROVISIONED_USERS and _GROUPS.
	Directory engine.Directory
}

// Factory opens one kind of engine; sys are the system views the router
// keeps, which the engine materialises.
type Factory func(ctx context.Context, cfg Config, sys *engine.SystemViews) (engine.Backend, error)

// factories maps each engine kind to its opener.
func factories() map[string]Factory {
	return map[string]Factory{
		"duckdb": func(ctx context.Context, cfg Config, sys *engine.SystemViews) (engine.Backend, error) {
			return duckdb.Open(ctx, duckdb.Options{DataDir: cfg.DataDir, S3Root: cfg.S3Root, Threads: cfg.Threads,
				MaxIdleConns: cfg.MaxIdleConns, Logger: cfg.Logger, System: sys})
		},
		"postgres": func(ctx context.Context, cfg Config, sys *engine.SystemViews) (engine.Backend, error) {
			return postgres.Open(ctx, postgres.Options{DSN: cfg.DSN, S3Root: cfg.S3Root, Logger: cfg.Logger, System: sys})
		},
		"trino": func(ctx context.Context, cfg Config, sys *engine.SystemViews) (engine.Backend, error) {
			o, err := trino.ParseDSN(cfg.DSN)
			if err != nil {
				return nil, err
			}
			o.S3Root, o.Logger, o.System = cfg.S3Root, cfg.Logger, sys
			return trino.Open(ctx, o)
		},
	}
}

// Kinds lists the engines this build can open.
func Kinds() []string {
	var out []string
	for k := range factories() {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Open opens the engine cfg names behind the statement router.
func Open(ctx context.Context, cfg Config) (*engine.Router, error) {
	kind := cfg.Kind
	if kind == "" {
		kind = "duckdb"
	}
	open, ok := factories()[kind]
	if !ok {
		return nil, fmt.Errorf("engine %q is not supported; choose one of: %s", kind, strings.Join(Kinds(), ", "))
	}
	var opts []engine.SystemViewsOption
	if cfg.Directory != nil {
		opts = append(opts, engine.WithDirectory(cfg.Directory))
	}
	sys := engine.NewSystemViews(cfg.QueryHistory, opts...)
	b, err := open(ctx, cfg, sys)
	if err != nil {
		return nil, err
	}
	return engine.New(b, sys), nil
}
