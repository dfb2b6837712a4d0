package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadAttacksDirectives: @only marks one statement, @engine the rest of
// its file, and @variant attaches an engine's spelling to the attack before
// it without becoming an attack of its own.
func TestLoadAttacksDirectives(t *testing.T) {
	dir := t.TempDir()
	src := `-- @default same
SELECT 1;
-- @variant postgres
SELECT 1 AS pg;
-- @only duckdb
-- @expect error
SELECT list(1);
-- @as ming
SELECT 3;
-- @engine duckdb
SELECT 4;
`
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := LoadAttacks(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sql, engine, expect, pg string
		as                      string
	}{
		{"SELECT 1", "", "same", "SELECT 1 AS pg", "all"},
		{"SELECT list(1)", "duckdb", "error", "SELECT list(1)", "all"},
		{"SELECT 3", "", "same", "SELECT 3", "ming"},
		{"SELECT 4", "duckdb", "same", "SELECT 4", "ming"},
	}
	if len(got) != len(tests) {
		t.Fatalf("%d attacks, want %d: %+v", len(got), len(tests), got)
	}
	for i, tc := range tests {
		a := got[i]
		if strings.TrimSpace(a.SQL) != tc.sql || a.Engine != tc.engine || a.Expect != tc.expect ||
			strings.TrimSpace(a.SQLFor("postgres")) != tc.pg || strings.TrimSpace(a.SQLFor("duckdb")) != tc.sql || strings.Join(a.As, ",") != tc.as {
			t.Errorf("attack %d = %+v, want %+v", i, a, tc)
		}
	}
}

// TestLoadAttacksBadVariant: a variant needs an attack to belong to, may
// not carry an expectation of its own, and may not repeat.
func TestLoadAttacksBadVariant(t *testing.T) {
	for _, src := range []string{
		"-- @variant postgres\nSELECT 1;\n",
		"SELECT 1;\n-- @variant postgres\n-- @expect error\nSELECT 2;\n",
		"SELECT 1;\n-- @variant postgres\nSELECT 2;\n-- @variant postgres\nSELECT 3;\n",
		"-- @only duckdb\nSELECT 1;\n-- @variant postgres\nSELECT 2;\n",
		"-- @engine duckdb\nSELECT 1;\n-- @only postgres\nSELECT 2;\n",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadAttacks(dir); err == nil {
			t.Errorf("LoadAttacks accepted %q", src)
		}
	}
}
