// Package store holds every piece of state that tipgate replicas share,
// one small interface per kind: statements and their lifecycle (with the
// replica that runs each and liveness of replicas), Data API sessions,
// ClientToken idempotency, session revocations, replay caches, the audit
// log, dashboard sessions and sign-ins in progress, key material and the
// replicas themselves. Results have their own interface (results.go); the
// PostgreSQL store also holds them (ResultHolder) so replicas read each
// other's.
//
// Two implementations pass one conformance suite (storetest.RunTests):
// memstore, the embedded store of a single server (memory, plus files in
// the data directory for what must outlive a restart: keys and the audit
// log), and pgstore, a PostgreSQL schema (tipgate_store) shared by every
// replica, created and migrated by tipgate and refused when newer.
//
// A store holds no policy and decides nothing: callers keep their rules
// (who owns a statement, what a quota is) and the store applies them
// atomically across replicas.
package store
