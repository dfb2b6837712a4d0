// Package embedded holds tipgate's single-process stores.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/tipgate/tipgate/internal/store"
)

// ResultOptions size the embedded result store; zero values take defaults.
type ResultOptions struct {
	// Dir holds spilled results (one file each). Files left by an earlier
	// process are removed: their statements are gone.
	Dir string
	// SpillBytes is the largest result kept in memory (default 1 MiB); a
	// larger one goes to a file as soon as it passes the threshold.
	SpillBytes int64
	// MemoryBytes bounds all in-memory results together (default 64 MiB):
	// past it, new results spill whatever their size, so retained
	// statements cannot grow the heap without bound.
	MemoryBytes int64
}

// Results is a store.ResultStore in memory and local files.
type Results struct {
	opts ResultOptions

	// results maps an id to its *result. Each id is stored once and read
	// many times, and every statement of every client commits one: a
	// sync.Map, as a mutex over a map was the most contended lock of the
	// process at 64 clients (bench/dataapi --mutexprofile).
	results sync.Map
	memory  atomic.Int64 // bytes held by in-memory results and open writers
}

var (
	_ store.ResultStore      = (*Results)(nil)
	_ store.ResultPageReader = (*Results)(nil)
)

// result is a committed result: its pages in memory, or a file and the
// offset of every page in it.
type result struct {
	pages [][]byte // in memory
	path  string   // spilled
	offs  []int64  // page i is offs[i]..offs[i+1]
	size  int64
}

// NewResults opens a result store over opts.Dir.
func NewResults(opts ResultOptions) (*Results, error) {
	if opts.Dir == "" {
		return nil, errors.New("embedded: no result directory")
	}
	if opts.SpillBytes <= 0 {
		opts.SpillBytes = 1 << 20
	}
	if opts.MemoryBytes <= 0 {
		opts.MemoryBytes = 64 << 20
	}
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("embedded: result directory: %w", err)
	}
	if old, err := filepath.Glob(filepath.Join(opts.Dir, "*.result")); err == nil {
		for _, f := range old {
			os.Remove(f)
		}
	}
	return &Results{opts: opts}, nil
}

func (s *Results) fileName(id string) string {
	return filepath.Join(s.opts.Dir, strings.NewReplacer(":", "_", "/", "_").Replace(id)+".result")
}

// Create implements store.ResultStore.
func (s *Results) Create(_ context.Context, id string) (store.ResultWriter, error) {
	if _, dup := s.results.Load(id); dup {
		return nil, fmt.Errorf("embedded: result %s exists", id)
	}
	return &resultWriter{s: s, id: id}, nil
}

// Page implements store.ResultStore.
func (s *Results) Page(ctx context.Context, id string, i int) ([]byte, error) {
	r, err := s.get(id)
	if err != nil {
		return nil, err
	}
	if r.path == "" {
		if i < 0 || i >= len(r.pages) {
			return nil, fmt.Errorf("embedded: page %d of %d: %w", i, len(r.pages), store.ErrResultNotFound)
		}
		return r.pages[i], nil
	}
	return r.readFile(i, nil)
}

// ReadPage implements store.ResultPageReader.
func (s *Results) ReadPage(_ context.Context, id string, i int, buf []byte) ([]byte, error) {
	r, err := s.get(id)
	if err != nil {
		return nil, err
	}
	if r.path == "" {
		if i < 0 || i >= len(r.pages) {
			return nil, fmt.Errorf("embedded: page %d of %d: %w", i, len(r.pages), store.ErrResultNotFound)
		}
		return append(buf[:0], r.pages[i]...), nil
	}
	return r.readFile(i, buf)
}

// readFile reads page i of a spilled result into buf.
func (r *result) readFile(i int, buf []byte) ([]byte, error) {
	if i < 0 || i+1 >= len(r.offs) {
		return nil, fmt.Errorf("embedded: page %d of %d: %w", i, len(r.offs)-1, store.ErrResultNotFound)
	}
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("embedded: open result: %w", err)
	}
	defer f.Close()
	n := int(r.offs[i+1] - r.offs[i])
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := f.ReadAt(buf, r.offs[i]); err != nil {
		return nil, fmt.Errorf("embedded: read result: %w", err)
	}
	return buf, nil
}

// WriteTo implements store.ResultStore: a spilled result is copied from its
// file (sendfile when w is a network connection).
func (s *Results) WriteTo(_ context.Context, id string, w io.Writer) (int64, error) {
	r, err := s.get(id)
	if err != nil {
		return 0, err
	}
	if r.path == "" {
		var n int64
		for _, p := range r.pages {
			m, err := w.Write(p)
			n += int64(m)
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	f, err := os.Open(r.path)
	if err != nil {
		return 0, fmt.Errorf("embedded: open result: %w", err)
	}
	defer f.Close()
	// A LimitedReader of the file itself: what sendfile is used for.
	return io.Copy(w, io.LimitReader(f, r.size))
}

// Delete implements store.ResultStore.
func (s *Results) Delete(_ context.Context, id string) error {
	v, ok := s.results.LoadAndDelete(id)
	if !ok {
		return nil
	}
	r := v.(*result)
	if r.path == "" {
		s.memory.Add(-r.size)
	}
	if r.path != "" {
		// An open reader keeps its file until it is done.
		if err := os.Remove(r.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("embedded: delete result: %w", err)
		}
	}
	return nil
}

func (s *Results) get(id string) (*result, error) {
	v, ok := s.results.Load(id)
	if !ok {
		return nil, fmt.Errorf("embedded: result %s: %w", id, store.ErrResultNotFound)
	}
	return v.(*result), nil
}

// reserve takes n bytes of the memory budget, or reports that it is spent.
func (s *Results) reserve(n int64) bool {
	for {
		m := s.memory.Load()
		if m+n > s.opts.MemoryBytes {
			return false
		}
		if s.memory.CompareAndSwap(m, m+n) {
			return true
		}
	}
}

func (s *Results) unreserve(n int64) {
	s.memory.Add(-n)
}
