package duckdb

import (
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/policy"
)

// appliedLog remembers which RLS policies filtered which statements, for
// SVV_RLS_APPLIED_POLICY. It is bounded and kept in memory.
type appliedLog struct {
	mu      sync.Mutex
	max     int
	nextID  int64
	entries [][]any
}

func newAppliedLog(max int) *appliedLog { return &appliedLog{max: max} }

// record notes the policies applied to a principal's statement.
func (l *appliedLog) record(sub policy.Subject, pc *policyContext, relations []string, _ string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.nextID++
	now := time.Now()
	for _, rel := range relations {
		a, ok := pc.access[rel]
		if !ok || !a.Rows.Enforced {
			continue
		}
		if a.Rows.DenyAll() {
			l.entries = append(l.entries, []any{sub.User, l.nextID, l.nextID, int64(0), now, "s", databaseName, "public", rel, nil, "f"})
			continue
		}
		for _, p := range a.Rows.Policies {
			l.entries = append(l.entries, []any{sub.User, l.nextID, l.nextID, int64(0), now, "s", databaseName, "public", rel, p.Policy, nil})
		}
	}
	// Trimmed in halves, so the copy is paid once per max records rather
	// than on every statement once the log is full.
	if len(l.entries) >= 2*l.max {
		l.entries = append(l.entries[:0:0], l.entries[len(l.entries)-l.max:]...)
	}
}

// view renders the log as SVV_RLS_APPLIED_POLICY: superusers see every
// row, everyone else none (as in Redshift, sys:secadmin too).
func (l *appliedLog) view(sub policy.Subject) string {
	var rows [][]any
	if sub.Superuser {
		l.mu.Lock()
		rows = append(rows, l.entries[max(0, len(l.entries)-l.max):]...)
		l.mu.Unlock()
	}
	return valuesView([]svvCol{{"username", "VARCHAR"}, {"query", "BIGINT"}, {"xid", "BIGINT"}, {"pid", "BIGINT"}, {"recordtime", "TIMESTAMP"},
		{"command", "VARCHAR"}, {"datname", "VARCHAR"}, {"relschema", "VARCHAR"}, {"relname", "VARCHAR"}, {"polname", "VARCHAR"}, {"poldefault", "VARCHAR"}}, rows)
}
