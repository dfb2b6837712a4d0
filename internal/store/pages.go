package store

import "context"

// Result is a statement's stored result: its description (columns, row
// count, encoding; opaque here) and its pages.
type Result struct {
	Meta  []byte
	Pages [][]byte
}

// Pages are result pages, readable by every replica, deleted with their
// statement (Statements.Expire).
type Pages interface {
	// Put stores the result of statement (or sub-statement) id.
	Put(ctx context.Context, statement, id string, r Result) error
	// Meta returns a result's description and page count (ErrNotFound).
	Meta(ctx context.Context, id string) ([]byte, int, error)
	// Page returns page i of a result (ErrNotFound).
	Page(ctx context.Context, id string, i int) ([]byte, error)
}
