package desired

import (
	"errors"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/policy"
)

// FuzzParse checks that reading a policy file never panics, returns
// statements or an error naming the file, and admits only security DDL
// that creates no users.
func FuzzParse(f *testing.F) {
	f.Add("CREATE ROLE r;\nGRANT SELECT ON TABLE t TO ROLE r;\n")
	f.Add("CREATE RLS POLICY p WITH (a INT) USING (a = 1);\nATTACH RLS POLICY p ON t TO PUBLIC;")
	f.Add("CREATE USER bob PASSWORD 'x';")
	f.Add("SELECT 1; COPY t FROM 's3://b/k';")
	f.Add("CREATE MASKING POLICY m WITH (e VARCHAR(9)) USING ('*'); ALTER TABLE t ROW LEVEL SECURITY ON;")
	f.Add("/* unterminated")
	f.Fuzz(func(t *testing.T, text string) {
		stmts, err := Parse([]Source{{Name: "f.sql", Text: text}})
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.File != "f.sql" || !strings.HasPrefix(err.Error(), "f.sql") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		for _, st := range stmts {
			if !policy.IsSecurityDDL(st.Stmt) || allowed(st.Stmt) != nil || st.Line < 1 {
				t.Fatalf("admitted %q (%T) at line %d", st.Text, st.Stmt, st.Line)
			}
		}
	})
}
