package desired

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b/20.sql", "CREATE ROLE b;")
	write("10.sql", "CREATE ROLE a;")
	write("b/notes.md", "not policy")
	write(".git/hooks/x.sql", "DROP ROLE a;")
	write("b/.hidden/y.sql", "DROP ROLE b;")
	srcs, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs {
		rel, _ := filepath.Rel(dir, s.Name)
		names = append(names, filepath.ToSlash(rel))
	}
	if strings.Join(names, " ") != "10.sql b/20.sql" {
		t.Fatalf("read %v, want 10.sql b/20.sql in that order", names)
	}
	if _, err := ReadDir(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no .sql policy files") {
		t.Fatalf("empty folder: %v", err)
	}
}
