package audit

import (
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
