package ddl

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, always returns exactly one of a
// statement or an error, reports errors as *SyntaxError with a position
// inside the input, and keeps expressions as true substrings of the input.
func FuzzParse(f *testing.F) {
	for _, c := range allGoodCases() {
		f.Add(c.sql)
	}
	for _, c := range badCases {
		f.Add(c.sql)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		st, err := Parse(sql)
		if (st == nil) == (err == nil) {
			t.Fatalf("Parse(%q) = %v, %v: want exactly one of a statement or an error", sql, st, err)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error %T is not a *SyntaxError", sql, err)
			}
			if se.Pos < 0 || se.Pos > len(sql) {
				t.Fatalf("Parse(%q): error position %d outside the input", sql, se.Pos)
			}
			return
		}
		for _, e := range exprsOf(st) {
			if e.Pos < 0 || e.Pos+len(e.Text) > len(sql) || sql[e.Pos:e.Pos+len(e.Text)] != e.Text || strings.TrimSpace(e.Text) == "" {
				t.Fatalf("Parse(%q): expression %+v is not a non-empty substring at its position", sql, e)
			}
		}
	})
}

func exprsOf(st Stmt) []Expr {
	switch s := st.(type) {
	case *CreateRLSPolicy:
		return []Expr{s.Using}
	case *AlterRLSPolicy:
		return []Expr{s.Using}
	case *CreateMaskingPolicy:
		return s.Using
	case *AlterMaskingPolicy:
		return s.Using
	}
	return nil
}
