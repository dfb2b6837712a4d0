// Package engine defines what every warehouse engine offers tipgate: run one
// statement for a verified principal, enforcing the policy catalog's
// decision in the strongest way the engine has, and stream typed rows.
// Implementations live in subpackages (duckdb, and later postgres, trino,
// redshift); conformance holds the one test suite they all must pass.
// This package must not import any implementation.
package engine
