package trino

import (
	"testing"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// TestCheckKeyword: what the guard admits before Trino's analyzer sees a
// principal's statement.
func TestCheckKeyword(t *testing.T) {
	tests := []struct {
		sql  string
		code sqlerr.Code // "" when admitted
	}{
		{"SELECT 1", ""},
		{"/* c */ SELECT 'a''b', \"x y\", U&'\\0041', E'\\n' -- end", ""},
		{"(WITH a AS (SELECT 1) SELECT * FROM a)", ""},
		{"SELECT 1 /* a */ /* b */\n-- c\n", ""},
		{"SELECT $1, x::int FROM t WHERE y ~ 'z' FOR UPDATE", ""},
		{"SELECT function, version FROM t", ""},
		{"SELECT substring(s FROM 1 FOR 2) FROM t", ""},
		{"SET SESSION AUTHORIZATION 'x'", sqlerr.PermissionDenied},
		{"/* c */ SET ROLE admin", sqlerr.PermissionDenied},
		{"USE system.runtime", sqlerr.FeatureUnsupported},
		{"SHOW CREATE VIEW v", sqlerr.FeatureUnsupported},
		{"EXECUTE IMMEDIATE 'SELECT 1'", sqlerr.FeatureUnsupported},
		{"PREPARE q FROM SELECT 1", sqlerr.FeatureUnsupported},
		{"WITH FUNCTION f() RETURNS integer RETURN 1 SELECT f()", sqlerr.PermissionDenied},
		{"SELECT * FROM TABLE(sequence(start => 1, stop => 3))", sqlerr.PermissionDenied},
		{"SELECT * FROM TABLE (exclude_columns(input => TABLE(t), columns => DESCRIPTOR(a)))", sqlerr.PermissionDenied},
		{"TABLE t", ""},
		{"SELECT * FROM UNNEST(sequence(1, 3))", ""},
		{"/* x */ with  /* y */ function f() RETURNS integer RETURN 1 SELECT f()", sqlerr.PermissionDenied},
		{"SELECT count(*) FROM t FOR VERSION AS OF 1", sqlerr.PermissionDenied},
		{"SELECT count(*) FROM t FOR TIMESTAMP AS OF TIMESTAMP '2000-01-01 00:00:00 UTC'", sqlerr.PermissionDenied},
		{"SELECT count(*) FROM t for system_time as of now()", sqlerr.PermissionDenied},
		// PostgreSQL nests block comments, Trino does not: PostgreSQL reads
		// SELECT 1 only, Trino the routine.
		{"/* /* */ WITH FUNCTION f() RETURNS integer RETURN 1 /* */ */ SELECT 1", sqlerr.SyntaxError},
		{"SELECT 1 /* /* */ */", sqlerr.SyntaxError},
		{"", sqlerr.SyntaxError},
		{"-- only a comment", sqlerr.SyntaxError},
	}
	for _, tc := range tests {
		err := checkKeyword(tc.sql)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("%q: refused: %v", tc.sql, err)
		case tc.code != "" && err == nil:
			t.Errorf("%q: admitted, want %s", tc.sql, tc.code)
		case tc.code != "" && sqlerr.CodeOf(err) != tc.code:
			t.Errorf("%q: %v (%s), want %s", tc.sql, err, sqlerr.CodeOf(err), tc.code)
		}
	}
}
