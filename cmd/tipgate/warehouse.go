package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
)

// warehouseFile is the file the embedded engine keeps its warehouse in
// (internal/engine/duckdb.Open): its presence says a --data-dir holds one.
const warehouseFile = "warehouse.duckdb"

// lockHolder finds the process DuckDB names when another one holds the
// warehouse: "Conflicting lock is held in /path/bin/tipgate (PID 21235)".
var lockHolder = regexp.MustCompile(`Conflicting lock is held in (.*?) \(PID (\d+)\)`)

// openWarehouse opens the warehouse in dataDir. Without create, a folder
// that holds no warehouse is an error: a mistyped --data-dir would
// otherwise become a new, empty warehouse without a word.
func openWarehouse(ctx context.Context, cfg engines.Config, create bool) (engine.Engine, error) {
	dataDir := cfg.DataDir
	// The embedded engine's warehouse is a file in --data-dir; a PostgreSQL
	// database (--dsn) is checked by opening it.
	embedded := cfg.Kind == "" || cfg.Kind == "duckdb"
	if !create && embedded {
		if _, err := os.Stat(filepath.Join(dataDir, warehouseFile)); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("there is no warehouse in %s: check --data-dir (the demo's is ./tipgate-data unless you gave it another), or add --create to start a new one there", dataDir)
		}
	}
	eng, err := engines.Open(ctx, cfg)
	if err != nil {
		if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
			who := filepath.Base(m[1])
			return nil, fmt.Errorf("the warehouse in %s is in use by %s (PID %s): stop it, or use 'tipgate sql --remote URL' to go through the running server: %w", dataDir, who, m[2], errInUse)
		}
		return nil, err
	}
	return eng, nil
}

// errInUse marks a warehouse another process holds.
var errInUse = errors.New("the warehouse belongs to one process at a time")
