// Package duckdb is the embedded warehouse engine. DuckDB has no row
// security, so tipgate enforces the policy catalog here, after DuckDB's own
// parser and binder resolve names: raw tables live in a catalog that a
// principal's SQL may not name, every statement of a principal runs on a
// connection whose only tables are views computing exactly the catalog's
// decision (row filter on raw values, then masks, then granted columns),
// and a guard on DuckDB's parse tree admits one read-only statement with
// allowlisted table functions. External access is off and the
// configuration locked. This package owns DuckDB specifics only; the
// security model is policy's.
package duckdb
