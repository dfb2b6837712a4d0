package config

import (
	"strings"
	"time"
)

// Defaults for [store].
const (
	// DefaultReplicaLease is how long a replica counts as alive after its
	// last heartbeat (it beats every lease/5): a replica that dies leaves
	// its running statements to be failed by the others within about a
	// lease and a second.
	DefaultReplicaLease = 5 * time.Second
)

// Store is the [store] section: where the state replicas share lives.
// Without a DSN the store is embedded (one server, today's behaviour).
type Store struct {
	// DSN is the PostgreSQL database of the shared store (postgres://…);
	// empty for the embedded store.
	DSN string
	// ReplicaID names this replica in the store (default: host name,
	// process id and a random suffix).
	ReplicaID string
	// Lease is how long this replica counts as alive without a heartbeat.
	Lease time.Duration
}

type rawStore struct {
	DSN       any `toml:"dsn"`
	ReplicaID any `toml:"replica_id"`
	Lease     any `toml:"lease"`
}

func (r rawStore) validate(p *problems, key string) Store {
	s := Store{DSN: str(p, key+".dsn", r.DSN, ""), ReplicaID: str(p, key+".replica_id", r.ReplicaID, "")}
	if s.DSN != "" && !strings.HasPrefix(s.DSN, "postgres://") && !strings.HasPrefix(s.DSN, "postgresql://") && !strings.Contains(s.DSN, "=") {
		p.add(key+".dsn", "must be a postgres:// URL or key=value connection string")
	}
	if len(s.ReplicaID) > 200 {
		p.add(key+".replica_id", "must be at most 200 characters")
	}
	s.Lease, _ = duration(p, key+".lease", r.Lease, DefaultReplicaLease)
	if s.Lease < 2*time.Second || s.Lease > 5*time.Minute {
		p.add(key+".lease", "must be between 2s and 5m")
	}
	return s
}
