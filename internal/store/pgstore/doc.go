// Package pgstore is the store replicas share: the schema tipgate_store in
// a PostgreSQL database (it may be the warehouse's), created and migrated by
// tipgate with the same versioned migrations as the engine's schema
// (internal/pgmigrate), a newer schema refused. Every operation is one
// statement or one pipelined batch, so a Data API statement costs the store
// a few round trips (bench/RESULTS.md). Connection failures are reported as
// store.ErrUnavailable.
package pgstore
