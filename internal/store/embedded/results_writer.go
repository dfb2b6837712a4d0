package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tipgate/tipgate/internal/store"
)

// resultWriter holds pages in memory until the result passes the spill
// threshold or the memory budget, then moves them to a file and appends
// there.
type resultWriter struct {
	s     *Results
	id    string
	pages [][]byte
	size  int64
	held  int64 // memory budget taken

	f    *os.File
	bw   *bufio.Writer
	offs []int64

	done bool
}

// Append implements store.ResultWriter.
func (w *resultWriter) Append(_ context.Context, page []byte) error {
	if w.done {
		return errors.New("embedded: append after commit or abort")
	}
	n := int64(len(page))
	if w.f == nil && w.size+n <= w.s.opts.SpillBytes && w.s.reserve(n) {
		w.held += n
		w.pages = append(w.pages, page)
		w.size += n
		return nil
	}
	if w.f == nil {
		if err := w.spill(); err != nil {
			return err
		}
	}
	w.offs = append(w.offs, w.size)
	if _, err := w.bw.Write(page); err != nil {
		return fmt.Errorf("embedded: write result: %w", err)
	}
	w.size += n
	return nil
}

// spill moves the pages held so far to a new file.
func (w *resultWriter) spill() error {
	f, err := os.OpenFile(w.s.fileName(w.id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("embedded: create result file: %w", err)
	}
	w.f, w.bw = f, bufio.NewWriterSize(f, 256<<10)
	var off int64
	for _, p := range w.pages {
		w.offs = append(w.offs, off)
		if _, err := w.bw.Write(p); err != nil {
			return fmt.Errorf("embedded: write result: %w", err)
		}
		off += int64(len(p))
	}
	w.pages = nil
	w.s.unreserve(w.held)
	w.held = 0
	return nil
}

// Commit implements store.ResultWriter.
func (w *resultWriter) Commit(_ context.Context) (store.ResultInfo, error) {
	if w.done {
		return store.ResultInfo{}, errors.New("embedded: commit after commit or abort")
	}
	r := &result{size: w.size}
	if w.f != nil {
		if err := w.bw.Flush(); err != nil {
			w.abort()
			return store.ResultInfo{}, fmt.Errorf("embedded: write result: %w", err)
		}
		if err := w.f.Close(); err != nil {
			w.abort()
			return store.ResultInfo{}, fmt.Errorf("embedded: write result: %w", err)
		}
		r.path, r.offs = w.f.Name(), append(w.offs, w.size)
	} else {
		r.pages = w.pages
	}
	w.done = true
	if _, dup := w.s.results.LoadOrStore(w.id, r); dup {
		w.done = false
		w.abort()
		return store.ResultInfo{}, fmt.Errorf("embedded: result %s exists", w.id)
	}
	n := len(r.pages)
	if r.path != "" {
		n = len(r.offs) - 1
	}
	return store.ResultInfo{Pages: n, Bytes: r.size}, nil
}

// Abort implements store.ResultWriter.
func (w *resultWriter) Abort(context.Context) {
	if !w.done {
		w.abort()
	}
}

func (w *resultWriter) abort() {
	w.done = true
	w.pages = nil
	w.s.unreserve(w.held)
	w.held = 0
	if w.f != nil {
		w.f.Close()
		os.Remove(w.f.Name())
	}
}
