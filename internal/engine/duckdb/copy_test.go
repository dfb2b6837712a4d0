package duckdb_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

// TestCopyBlanksAndEmpties: EMPTYASNULL and BLANKSASNULL turn empty and
// white-space-only CHAR/VARCHAR fields into NULL, from CSV and Parquet, and
// leave other fields and other types alone (they were parsed and ignored).
func TestCopyBlanksAndEmpties(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "b"), 0o700); err != nil {
		t.Fatal(err)
	}
	// Row 1: an empty (unquoted) CHAR; row 2: blanks in both; row 3: values
	// with inner and surrounding spaces that are not blank.
	if err := os.WriteFile(filepath.Join(root, "b", "rows.csv"), []byte("1,x,\n2,\"  \",\" \t\"\n3,\" a b \",cd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(root, "b", "rows.parquet")
	ddb, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.Exec(`COPY (SELECT * FROM (VALUES (1, 'x', ''), (2, '  ', ' ` + "\t" + `'), (3, ' a b ', 'cd')) AS v(n, name, code)) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	ddb.Close()
	e, err := engines.Open(ctx, engines.Config{DataDir: t.TempDir(), Threads: 1, MaxIdleConns: 4, S3Root: root})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	su := identity.LocalSuperuser()
	if err := engine.Run(ctx, e, su, `CREATE TABLE t (n INT, name VARCHAR(10), code CHAR(2))`); err != nil {
		t.Fatal(err)
	}
	const read = `SELECT n, coalesce('[' || name || ']', 'NULL'), coalesce('[' || replace(code, chr(9), 'TAB') || ']', 'NULL') FROM t ORDER BY n`
	for _, tc := range []struct {
		name, copy string
		want       []string
	}{
		{"csv, no option", `COPY t FROM 's3://b/rows.csv' CSV`, []string{"1|[x]|NULL", "2|[  ]|[ TAB]", "3|[ a b ]|[cd]"}},
		{"csv blanksasnull", `COPY t FROM 's3://b/rows.csv' CSV BLANKSASNULL`, []string{"1|[x]|NULL", "2|NULL|NULL", "3|[ a b ]|[cd]"}},
		{"parquet, no option", `COPY t FROM 's3://b/rows.parquet' PARQUET`, []string{"1|[x]|[]", "2|[  ]|[ TAB]", "3|[ a b ]|[cd]"}},
		{"parquet emptyasnull", `COPY t FROM 's3://b/rows.parquet' PARQUET EMPTYASNULL`, []string{"1|[x]|NULL", "2|[  ]|[ TAB]", "3|[ a b ]|[cd]"}},
		{"parquet blanksasnull", `COPY t FROM 's3://b/rows.parquet' PARQUET BLANKSASNULL`, []string{"1|[x]|[]", "2|NULL|NULL", "3|[ a b ]|[cd]"}},
		{"parquet both", `COPY t FROM 's3://b/rows.parquet' PARQUET EMPTYASNULL BLANKSASNULL`, []string{"1|[x]|NULL", "2|NULL|NULL", "3|[ a b ]|[cd]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := engine.Run(ctx, e, su, "DELETE FROM t"); err != nil {
				t.Fatal(err)
			}
			if err := engine.Run(ctx, e, su, tc.copy); err != nil {
				t.Fatalf("%s: %v", tc.copy, err)
			}
			got, err := conformance.Collect(ctx, e, su, read)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s loaded\n  %q\nwant\n  %q", tc.copy, got, tc.want)
			}
		})
	}
}
