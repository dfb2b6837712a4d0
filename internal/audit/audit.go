package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Record is one audited event.
type Record struct {
	Time time.Time `json:"time"`
	Kind string    `json:"kind"` // "statement", "auth_failure", "view_as", "policy_plan", "policy_apply" or "policy_export"
	User string    `json:"user,omitempty"`
	// Actor is the security admin on whose behalf a statement ran while
	// they viewed the warehouse as User, or who started viewing as User.
	Actor       string   `json:"actor,omitempty"`
	Groups      []string `json:"groups,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	Binding     string   `json:"binding"` // "aws", "rest", "web", "cli"
	Source      string   `json:"source,omitempty"`
	RequestID   string   `json:"request_id,omitempty"` // the HTTP request's X-Request-Id, request_id in log lines
	StatementID string   `json:"statement_id,omitempty"`
	SQL         string   `json:"sql,omitempty"`
	ParamNames  []string `json:"param_names,omitempty"`
	Status      string   `json:"status,omitempty"`
	Rows        int64    `json:"rows"`
	Bytes       int64    `json:"bytes"`
	DurationNS  int64    `json:"duration_ns"`
	Policies    []string `json:"policies,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// Backend is an audit log several replicas share (the store's): every
// replica appends to it and reads everyone's records from it.
type Backend interface {
	Append(ctx context.Context, r Record) error
	// Recent returns up to limit newest records (0: its window), newest first.
	Recent(ctx context.Context, limit int) ([]Record, error)
}

// Log appends records to a file and keeps the newest in memory; with a
// shared backend it appends there too and reads from there (and keeps
// nothing in memory).
type Log struct {
	mu     sync.Mutex
	f      *os.File
	recent []Record
	max    int
	shared Backend
}

// OpenShared is Open with a shared backend: SYS_QUERY_HISTORY and the
// dashboard then show every replica's records. The file stays this
// replica's own copy.
func OpenShared(path string, max int, b Backend) (*Log, error) {
	l, err := Open(path, max)
	if err != nil {
		return nil, err
	}
	l.shared = b
	return l, nil
}

// Open opens (creating, mode 0600) the audit file at path, keeping at most
// max records in memory for queries.
func Open(path string, max int) (*Log, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	if max <= 0 {
		max = 10000
	}
	return &Log{f: f, max: max}, nil
}

// Write appends a record, redacting secrets from its statement text.
func (l *Log) Write(r Record) error {
	r.SQL = sqlscan.Redact(r.SQL)
	r.Error = sqlscan.Redact(r.Error)
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// With a shared backend every read goes there: a window here would
	// only grow the replica (up to 2*max records, the RSS growth the
	// replica soak showed).
	if l.shared == nil {
		l.recent = append(l.recent, r)
		// Trimmed in halves, so the copy is paid once per max records
		// rather than on every write once the window is full.
		if len(l.recent) >= 2*l.max {
			l.recent = slices.Clone(l.recent[len(l.recent)-l.max:])
		}
	}
	if _, err := l.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("audit: write: %w", err)
	}
	if l.shared != nil {
		if err := l.shared.Append(context.Background(), r); err != nil {
			return fmt.Errorf("audit: shared log: %w", err)
		}
	}
	return nil
}

// Recent returns up to limit newest records accepted by keep, newest first.
func (l *Log) Recent(keep func(Record) bool, limit int) []Record {
	if l.shared != nil {
		n := limit
		if keep != nil {
			n = 0 // filtered here: read the whole window
		}
		recs, err := l.shared.Recent(context.Background(), n)
		if err != nil {
			// Nothing rather than this replica's part alone, which would
			// pass for the whole log.
			return nil
		}
		var out []Record
		for _, r := range recs {
			if (keep == nil || keep(r)) && (limit <= 0 || len(out) < limit) {
				out = append(out, r)
			}
		}
		return out
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Record
	oldest := max(0, len(l.recent)-l.max)
	for i := len(l.recent) - 1; i >= oldest && (limit <= 0 || len(out) < limit); i-- {
		if keep == nil || keep(l.recent[i]) {
			out = append(out, l.recent[i])
		}
	}
	return out
}

// Close closes the file.
func (l *Log) Close() error { return l.f.Close() }
