package duckdb

import (
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// valuesView renders a system view as a typed constant view with the
// shared renderer; DuckDB reads that SQL as PostgreSQL and Trino do.
func valuesView(v engine.SystemView) string {
	return engine.ValuesQuery(v, duckTypeName, sqlscan.QuoteIdent)
}
