package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestPgName: Redshift allows role names of 127 bytes, PostgreSQL 63; the
// mapping keeps short names as they are and long ones distinct, valid
// UTF-8 and within the limit.
func TestPgName(t *testing.T) {
	long := "AWSIDC:" + strings.Repeat("a", 100) + "@example.com"
	tests := []struct {
		prefix, name, want string
	}{
		{"", "AWSIDC:apac-sales", "AWSIDC:apac-sales"},
		{"", "AWSIDC:ming@example.com", "AWSIDC:ming@example.com"},
		{"t1/", "AWSIDC:apac-sales", "t1/AWSIDC:apac-sales"},
		{"", strings.Repeat("x", 63), strings.Repeat("x", 63)},
	}
	for _, tc := range tests {
		if got := pgName(tc.prefix, tc.name); got != tc.want {
			t.Errorf("pgName(%q, %q) = %q, want %q", tc.prefix, tc.name, got, tc.want)
		}
	}
	seen := map[string]string{}
	for _, name := range []string{long, long + "x", strings.Repeat("x", 64), strings.Repeat("é", 40), strings.Repeat("é", 41)} {
		got := pgName("", name)
		if len(got) > maxIdent || !utf8.ValidString(got) {
			t.Errorf("pgName(%q) = %q: %d bytes, valid UTF-8 %t", name, got, len(got), utf8.ValidString(got))
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q both map to %q", name, other, got)
		}
		seen[got] = name
	}
}
