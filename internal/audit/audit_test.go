package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWindowAndFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 35; i++ {
		if err := l.Write(Record{Kind: "statement", Rows: int64(i), SQL: "CREATE USER u PASSWORD 'pw-secret'"}); err != nil {
			t.Fatal(err)
		}
	}
	got := l.Recent(nil, 0)
	if len(got) != 10 || got[0].Rows != 34 || got[9].Rows != 25 {
		t.Fatalf("window holds %d records, newest %d, oldest %d", len(got), got[0].Rows, got[len(got)-1].Rows)
	}
	if got := l.Recent(func(r Record) bool { return r.Rows%2 == 0 }, 3); len(got) != 3 || got[0].Rows != 34 {
		t.Fatalf("filtered %+v", got)
	}
	raw, _ := os.ReadFile(path)
	if strings.Count(string(raw), "\n") != 35 || strings.Contains(string(raw), "pw-secret") {
		t.Fatal("the file must keep every record, redacted")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
}

func TestRequestIDField(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
		want string // "" means the field is absent
	}{
		{"set", Record{Kind: "statement", RequestID: "rid-1"}, `"request_id":"rid-1"`},
		{"empty omitted", Record{Kind: "statement"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.log")
			l, err := Open(path, 10)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Write(tc.rec); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(path)
			if tc.want == "" && strings.Contains(string(raw), "request_id") || tc.want != "" && !strings.Contains(string(raw), tc.want) {
				t.Fatalf("file %s, want %q", raw, tc.want)
			}
			if got := l.Recent(nil, 0); len(got) != 1 || got[0].RequestID != tc.rec.RequestID {
				t.Fatalf("window %+v", got)
			}
		})
	}
}

type listBackend struct{ recs []Record }

func (b *listBackend) Append(_ context.Context, r Record) error {
	b.recs = append(b.recs, r)
	return nil
}
func (b *listBackend) Recent(_ context.Context, limit int) ([]Record, error) {
	var out []Record
	for i := len(b.recs) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		out = append(out, b.recs[i])
	}
	return out, nil
}

// TestSharedKeepsNoWindow: with a shared backend, which every read uses,
// a replica keeps no records of its own in memory.
func TestSharedKeepsNoWindow(t *testing.T) {
	b := &listBackend{}
	l, err := OpenShared(filepath.Join(t.TempDir(), "audit.log"), 10, b)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 25 {
		if err := l.Write(Record{Kind: "statement", StatementID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if len(l.recent) != 0 {
		t.Fatalf("%d records kept in memory beside the shared backend", len(l.recent))
	}
	if got := l.Recent(nil, 3); len(got) != 3 || got[0].StatementID != "24" {
		t.Fatalf("Recent = %+v", got)
	}
}
