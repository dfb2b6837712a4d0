package store

import (
	"context"
	"errors"
	"io"
)

// ErrResultNotFound is returned for a result that was never committed, or
// was deleted.
var ErrResultNotFound = errors.New("store: result not found")

// ResultStore keeps statements' results. A result is written once, while its
// statement runs, as an ordered list of pages, then read page by page or as
// one stream until it is deleted. Pages are opaque bytes to a store (the
// Data API writes an Arrow IPC schema message as page 0 and one record batch
// message per page after it, so the concatenation of all pages is an Arrow
// stream): a store keeps bytes and never decodes them, which keeps every
// implementation — in memory, on local disk, in PostgreSQL for replicas —
// small and engine-neutral. Results are keyed by statement id; access
// control is the caller's (the Data API checks the owner before it asks).
type ResultStore interface {
	// Create starts the result of statement id; nothing is readable until
	// the writer commits. Creating an id that exists is an error.
	Create(ctx context.Context, id string) (ResultWriter, error)
	// Page returns page i (from 0) of a committed result. The slice must
	// not be modified.
	Page(ctx context.Context, id string, i int) ([]byte, error)
	// WriteTo writes every page of a committed result, in order, to w.
	WriteTo(ctx context.Context, id string, w io.Writer) (int64, error)
	// Delete removes a result; deleting an unknown id is not an error.
	Delete(ctx context.Context, id string) error
}

// ResultPageReader is a ResultStore that reads a page into the caller's
// buffer: a client paging through a large result then reuses one buffer
// instead of allocating one per page.
type ResultPageReader interface {
	// ReadPage reads page i (from 0) of a committed result into buf,
	// growing it if needed, and returns it; buf's old contents are lost.
	ReadPage(ctx context.Context, id string, i int, buf []byte) ([]byte, error)
}

// ResultWriter appends the pages of one result.
type ResultWriter interface {
	// Append adds the next page; the store may keep page.
	Append(ctx context.Context, page []byte) error
	// Commit makes the result readable and reports its size.
	Commit(ctx context.Context) (ResultInfo, error)
	// Abort discards an uncommitted result; after Commit it does nothing.
	Abort(ctx context.Context)
}

// ResultInfo describes a committed result.
type ResultInfo struct {
	Pages int
	Bytes int64
}
