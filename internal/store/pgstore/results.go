package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/store"
)

// results is store.ResultStore in PostgreSQL: pages in tipgate_store.pages,
// a result readable once its tipgate_store.results row is committed.
// Pages are buffered and written in batches (flushBytes), so a small
// result costs one round trip, at Commit.
type results Store

var (
	_ store.ResultStore = (*results)(nil)
	_ store.HeldResult  = (*resultWriter)(nil)
)

// flushBytes is how much of a result a writer buffers before writing.
const flushBytes = 4 << 20

func (r *results) Create(_ context.Context, id string) (store.ResultWriter, error) {
	if id == "" {
		return nil, errors.New("store: result id is empty")
	}
	return &resultWriter{r: r, id: id}, nil
}

type resultWriter struct {
	r       *results
	id      string
	pending [][]byte
	first   int // page number of pending[0]
	buffered,
	total int64
	written bool
	done    bool
}

func (w *resultWriter) Append(ctx context.Context, page []byte) error {
	if w.done {
		return errors.New("store: result already committed")
	}
	w.pending = append(w.pending, page)
	w.buffered += int64(len(page))
	w.total += int64(len(page))
	if w.buffered >= flushBytes {
		return w.flush(ctx, nil)
	}
	return nil
}

// flush writes the pending pages, and b's statements after them.
func (w *resultWriter) flush(ctx context.Context, then func(*pgx.Batch)) error {
	b := &pgx.Batch{}
	if len(w.pending) > 0 {
		w.queuePages(b)
	}
	if then != nil {
		then(b)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := w.r.pool.SendBatch(ctx, b).Close(); err != nil {
		return wrap("write result", err)
	}
	w.first += len(w.pending)
	w.pending, w.buffered = nil, 0
	return nil
}

// queuePages queues the pending pages' insert.
func (w *resultWriter) queuePages(b *pgx.Batch) {
	b.Queue(`INSERT INTO tipgate_store.pages (result, n, body)
		SELECT $1, $2 + n - 1, body FROM unnest($3::bytea[]) WITH ORDINALITY AS p(body, n)`, w.id, w.first, w.pending)
	w.written = true
}

func (w *resultWriter) Commit(ctx context.Context) (store.ResultInfo, error) {
	if w.done {
		return store.ResultInfo{}, errors.New("store: result already committed")
	}
	n := w.first + len(w.pending)
	if err := w.flush(ctx, func(b *pgx.Batch) { w.queueRow(b) }); err != nil {
		return store.ResultInfo{}, fmt.Errorf("%w (result %s)", err, w.id)
	}
	w.done = true
	return store.ResultInfo{Pages: n, Bytes: w.total}, nil
}

// queueRow queues the results row that makes the result readable.
func (w *resultWriter) queueRow(b *pgx.Batch) {
	b.Queue("INSERT INTO tipgate_store.results (id, pages, bytes) VALUES ($1, $2, $3)", w.id, w.first+len(w.pending), w.total)
}

// queueCommit queues the pending pages and the results row (statements.End).
func (w *resultWriter) queueCommit(b *pgx.Batch) {
	if len(w.pending) > 0 {
		w.queuePages(b)
	}
	w.queueRow(b)
}

// committed records that a batch with queueCommit's statements succeeded.
func (w *resultWriter) committed() {
	w.first += len(w.pending)
	w.pending, w.buffered, w.done = nil, 0, true
}

// Held returns the pages while none has been written (store.HeldResult).
func (w *resultWriter) Held() ([][]byte, bool) {
	if w.written || w.done {
		return nil, false
	}
	return w.pending, true
}

func (w *resultWriter) Abort(ctx context.Context) {
	if w.done {
		return
	}
	w.done = true
	if w.written {
		_, _ = w.r.pool.Exec(context.WithoutCancel(ctx), "DELETE FROM tipgate_store.pages WHERE result = $1 AND NOT EXISTS (SELECT 1 FROM tipgate_store.results WHERE id = $1)", w.id)
	}
}

func (r *results) Page(ctx context.Context, id string, i int) ([]byte, error) {
	var body []byte
	err := r.pool.QueryRow(ctx, `SELECT p.body FROM tipgate_store.pages p JOIN tipgate_store.results r ON r.id = p.result
		WHERE p.result = $1 AND p.n = $2`, id, i).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrResultNotFound
	}
	return body, wrap("result page", err)
}

func (r *results) WriteTo(ctx context.Context, id string, w io.Writer) (int64, error) {
	var pages int
	if err := r.pool.QueryRow(ctx, "SELECT pages FROM tipgate_store.results WHERE id = $1", id).Scan(&pages); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, store.ErrResultNotFound
		}
		return 0, wrap("result", err)
	}
	rows, err := r.pool.Query(ctx, "SELECT body FROM tipgate_store.pages WHERE result = $1 ORDER BY n", id)
	if err != nil {
		return 0, wrap("result pages", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return n, wrap("result pages", err)
		}
		m, err := w.Write(body)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, wrap("result pages", rows.Err())
}

func (r *results) Delete(ctx context.Context, id string) error {
	_, err := r.pool.Exec(ctx, "DELETE FROM tipgate_store.results WHERE id = $1", id)
	if err == nil {
		_, err = r.pool.Exec(ctx, "DELETE FROM tipgate_store.pages WHERE result = $1", id)
	}
	return wrap("delete result", err)
}
