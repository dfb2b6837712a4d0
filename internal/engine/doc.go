// Package engine is the one path from a statement to a warehouse. The
// Router parses a statement (policy/ddl), records a first-seen principal
// without changing the policy version, sends security DDL through
// policy.Catalog.Apply inside the backend's catalog commit, table DDL and
// COPY to the backend inside that commit, a superuser's other statements
// to the backend's raw path, and a principal's reads to the backend's Read,
// which enforces the catalog's decision in the strongest way the engine
// has. Metadata (Decide, Tables) is answered on the same path.
//
// A Backend supplies only what differs between engines; optional
// capabilities (ReadBatcher, Describer) are found by type assertion.
// Implementations live in subpackages (duckdb, and later postgres, trino,
// redshift) and are opened by engines, the factory; conformance holds the
// one test suite they all must pass. This package imports no
// implementation.
package engine
