package engine

import (
	"errors"
	"testing"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// TestSuperuserStatement: a superuser's typo is the syntax error a
// principal's parser reports (42601, at the word as written); a real SQL
// statement tipgate does not run is "not supported" (0A000).
func TestSuperuserStatement(t *testing.T) {
	for _, tc := range []struct {
		sql, want string
		code      sqlerr.Code
	}{
		{"SELECT 1", "", ""},
		{"SELEC 1", `ERROR: syntax error at or near "SELEC" (position 1)`, sqlerr.SyntaxError},
		{"  \n  Selec 1", `ERROR: syntax error at or near "Selec" (position 6)`, sqlerr.SyntaxError},
		{"(frobnicate 1)", `ERROR: syntax error at or near "frobnicate" (position 2)`, sqlerr.SyntaxError},
		{"VACUUM sales", "ERROR: VACUUM statements are not supported", sqlerr.FeatureUnsupported},
		{"SET search_path TO x", "ERROR: SET statements are not supported", sqlerr.FeatureUnsupported},
	} {
		st, err := ddl.Parse(tc.sql)
		if err != nil {
			t.Fatalf("%q: %v", tc.sql, err)
		}
		other, ok := st.(*ddl.Other)
		if !ok {
			t.Fatalf("%q parsed as %T", tc.sql, st)
		}
		err = superuserStatement(tc.sql, other)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.sql, err)
			}
			continue
		}
		var se *sqlerr.Error
		if !errors.As(err, &se) || se.Error() != tc.want || se.Code != tc.code {
			t.Errorf("%q: got %v, want %s (%s)", tc.sql, err, tc.want, tc.code)
		}
	}
}
