package engine

import (
	"context"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
)

// Column describes one result column.
type Column struct {
	Name string
	// Type is the column's engine-neutral type; each engine maps its own
	// type names to it.
	Type Type
}

// Rows streams a statement's result. Values are nil, bool, int64, float64,
// string (also for DECIMAL, exact), time.Time or []byte; nested values are
// rendered as strings.
type Rows interface {
	Columns() []Column
	Next() bool
	Values() []any
	Err() error
	Close() error
	// Tag is the command tag ("SELECT", "INSERT", "CREATE RLS POLICY", ...).
	Tag() string
	// RowsAffected is the count for DML and COPY, -1 otherwise.
	RowsAffected() int64
}

// Engine runs statements for principals.
type Engine interface {
	// Query runs exactly one statement as p. Reads are filtered, masked and
	// checked for privileges; other statements are authorised first. args
	// bind the statement's placeholders, spelt $1, $2, … on every engine
	// (Redshift's and PostgreSQL's spelling): an engine whose own SQL spells
	// them otherwise translates them, so callers never depend on a dialect.
	Query(ctx context.Context, p identity.Principal, sql string, args ...any) (Rows, error)
	// Decide returns what enforcement decides for p, for metadata.
	Decide(ctx context.Context, p identity.Principal) (Decision, error)
	// Tables lists the tables p may read, with the columns it may read.
	Tables(ctx context.Context, p identity.Principal) ([]TableInfo, error)
	// Catalog returns the current policy catalog snapshot.
	Catalog() *policy.Catalog
	Close() error
}

// PolicyReporter is implemented by Rows of engines that can say which
// policies shaped a result, for the audit log.
type PolicyReporter interface {
	// AppliedPolicies names the RLS and masking policies applied.
	AppliedPolicies() []AppliedPolicy
}

// PolicyNames names the policies that shaped rows, as the audit log
// records them; none when the engine cannot say.
func PolicyNames(rows Rows) []string {
	pr, ok := rows.(PolicyReporter)
	if !ok {
		return nil
	}
	var out []string
	for _, a := range pr.AppliedPolicies() {
		out = append(out, a.String())
	}
	return out
}

// Stmt is one statement of a batch.
type Stmt struct {
	SQL  string
	Args []any
}

// Batcher is implemented by engines that can run several statements in
// order in one transaction: all of them take effect, or none does.
type Batcher interface {
	// QueryBatch runs stmts as p, calling each with every statement's rows
	// (closed by QueryBatch after each returns). The first error, from a
	// statement or from each, rolls the whole batch back.
	QueryBatch(ctx context.Context, p identity.Principal, stmts []Stmt, each func(i int, rows Rows) error) error
}
