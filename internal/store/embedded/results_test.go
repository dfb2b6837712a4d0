package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tipgate/tipgate/internal/store"
)

func pages(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = bytes.Repeat([]byte{byte('a' + i%26)}, size)
	}
	return out
}

func TestResults(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		opts      ResultOptions
		pages     [][]byte
		wantFiles int
	}{
		{"small stays in memory", ResultOptions{SpillBytes: 1000}, pages(3, 100), 0},
		{"empty", ResultOptions{}, nil, 0},
		{"large spills", ResultOptions{SpillBytes: 250}, pages(5, 100), 1},
		{"budget spent spills", ResultOptions{SpillBytes: 1 << 20, MemoryBytes: 150}, pages(3, 100), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dir = t.TempDir()
			s, err := NewResults(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			w, err := s.Create(ctx, "st:1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Page(ctx, "st:1", 0); !errors.Is(err, store.ErrResultNotFound) {
				t.Fatalf("uncommitted result readable: %v", err)
			}
			var all []byte
			for _, p := range tc.pages {
				if err := w.Append(ctx, p); err != nil {
					t.Fatal(err)
				}
				all = append(all, p...)
			}
			info, err := w.Commit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if info.Pages != len(tc.pages) || info.Bytes != int64(len(all)) {
				t.Fatalf("info %+v", info)
			}
			files, _ := filepath.Glob(filepath.Join(tc.opts.Dir, "*.result"))
			if len(files) != tc.wantFiles {
				t.Fatalf("%d files, want %d", len(files), tc.wantFiles)
			}
			for i, p := range tc.pages {
				got, err := s.Page(ctx, "st:1", i)
				if err != nil || !bytes.Equal(got, p) {
					t.Fatalf("page %d: %v %q", i, err, got)
				}
			}
			if _, err := s.Page(ctx, "st:1", len(tc.pages)); !errors.Is(err, store.ErrResultNotFound) {
				t.Fatalf("page past the end: %v", err)
			}
			var pbuf []byte // one buffer for every page, in memory or spilled
			for i, p := range tc.pages {
				got, err := s.ReadPage(ctx, "st:1", i, pbuf)
				if err != nil || !bytes.Equal(got, p) {
					t.Fatalf("ReadPage %d: %v %q", i, err, got)
				}
				pbuf = got
			}
			var buf bytes.Buffer
			if n, err := s.WriteTo(ctx, "st:1", &buf); err != nil || n != int64(len(all)) || !bytes.Equal(buf.Bytes(), all) {
				t.Fatalf("WriteTo %d %v", n, err)
			}
			if _, err := s.Create(ctx, "st:1"); err == nil {
				t.Fatal("a result was created twice")
			}
			if err := s.Delete(ctx, "st:1"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Page(ctx, "st:1", 0); !errors.Is(err, store.ErrResultNotFound) {
				t.Fatalf("deleted result readable: %v", err)
			}
			if files, _ := filepath.Glob(filepath.Join(tc.opts.Dir, "*")); len(files) != 0 {
				t.Fatalf("files left: %v", files)
			}
			if s.memory.Load() != 0 {
				t.Fatalf("%d bytes of budget still held", s.memory.Load())
			}
		})
	}
}

func TestResultAbort(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := NewResults(ResultOptions{Dir: dir, SpillBytes: 150})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3} { // in memory, then spilled
		id := fmt.Sprint("abort", n)
		w, err := s.Create(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages(n, 100) {
			if err := w.Append(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		w.Abort(ctx)
		if _, err := s.Page(ctx, id, 0); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("aborted result readable: %v", err)
		}
		if err := w.Append(ctx, []byte("x")); err == nil {
			t.Fatal("append after abort")
		}
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 0 || s.memory.Load() != 0 {
		t.Fatalf("left: %v, %d bytes", files, s.memory.Load())
	}
}

// TestResultsRemoveOldFiles: files of an earlier process are removed, not
// served.
func TestResultsRemoveOldFiles(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "x.result")
	if err := os.WriteFile(old, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewResults(ResultOptions{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatalf("old file kept: %v", err)
	}
}
