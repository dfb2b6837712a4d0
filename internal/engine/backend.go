package engine

import (
	"context"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
)

// Tx is a backend's open transaction, in which a catalog change and the
// data and compiled objects it implies are written together. Only the
// backend that opened it knows what it holds.
type Tx interface{}

// Backend is what one warehouse engine supplies to the router: the parts
// that differ between engines. Parsing, routing, who may run what, the
// security DDL's semantics and first-sight users are the router's, once.
type Backend interface {
	// Catalog returns the last committed policy catalog.
	Catalog() *policy.Catalog
	// Analyzer checks and types policy expressions in the backend's dialect.
	Analyzer() policy.Analyzer
	// Commit runs fn on the current catalog inside one transaction and, if
	// fn returns a different catalog, persists it and compiles it into the
	// backend's own objects in that same transaction: either all of it takes
	// effect or none does. fn may be called again if the catalog changed
	// underneath it, so it must not have effects of its own.
	Commit(ctx context.Context, fn func(tx Tx, cur *policy.Catalog) (*policy.Catalog, error)) error
	// Table runs a superuser's table DDL or COPY inside tx and returns the
	// catalog that follows (the table set) and the rows affected (-1 when
	// none are counted).
	Table(ctx context.Context, tx Tx, cat *policy.Catalog, sub policy.Subject, st ddl.Stmt) (*policy.Catalog, int64, error)
	// Read runs a principal's read (SELECT, WITH, EXPLAIN, …) as sub,
	// enforcing cat's decisions for sub.
	Read(ctx context.Context, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (Rows, error)
	// Raw runs a superuser's statement on the raw tables; inside tx when tx
	// is not nil (a batch).
	Raw(ctx context.Context, tx Tx, cat *policy.Catalog, sub policy.Subject, st *ddl.Other, args []any) (Rows, error)
	Close() error
}

// ReadBatcher is a Backend that can run several reads of one principal in
// one snapshot.
type ReadBatcher interface {
	ReadBatch(ctx context.Context, cat *policy.Catalog, sub policy.Subject, stmts []Stmt, each func(i int, rows Rows) error) error
}
