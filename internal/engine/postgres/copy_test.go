package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // writes the Parquet fixture

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// TestCopyOptions: COPY's options PostgreSQL's own COPY lacks (EMPTYASNULL,
// BLANKSASNULL, an explicit TIMEFORMAT or DATEFORMAT, Parquet sources)
// load what Redshift loads; a format tipgate cannot read is refused and
// loads nothing.
func TestCopyOptions(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "b"), 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(root, "b", name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("plain.csv", "name,code,n,ts,d\n\"\",,1,2024-01-02 03:04:05,2024-01-02\n\"  \",ab,2,,\nx,\" \",3,2024-05-06 07:08:09,2024-05-06\n")
	write("formats.csv", "a,xy,1,02/01/2024 15:04:05,01-31-2024\nb,,2,,\n")
	// A Parquet file with a NULL, an empty and a blank string, written by
	// DuckDB (as a data pipeline would).
	pq := filepath.Join(root, "b", "rows.parquet")
	ddb, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ddb.Exec(`COPY (SELECT * FROM (VALUES ('', 'ab', 1, TIMESTAMP '2024-01-02 03:04:05', DATE '2024-01-02'),
		('  ', NULL, 2, NULL, NULL), ('x', ' ', 3, TIMESTAMP '2024-05-06 07:08:09.5', DATE '2024-05-06')) AS v(name, code, n, ts, d)) TO '` + pq + `' (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	ddb.Close()

	sys := engine.NewSystemViews(nil)
	b, _ := newBackendAt(t, sys, root)
	e := engine.New(b, sys)
	su := identity.LocalSuperuser()
	if err := engine.Run(ctx, e, su, `CREATE TABLE t (name VARCHAR(10), code CHAR(2), n INT, ts TIMESTAMP, d DATE)`); err != nil {
		t.Fatal(err)
	}
	// CHAR is blank-padded: a blank CHAR reads as [] (not NULL).
	const read = `SELECT n, coalesce('[' || name || ']', 'NULL'), coalesce('[' || code || ']', 'NULL'), coalesce(CAST(ts AS VARCHAR), 'NULL'), coalesce(CAST(d AS VARCHAR), 'NULL') FROM t ORDER BY n`
	tests := []struct {
		name, copy string
		want       []string
		code       sqlerr.Code
	}{
		{"csv as it is", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1`, []string{
			"1|[]|NULL|2024-01-02 03:04:05|2024-01-02", "2|[  ]|[ab]|NULL|NULL", "3|[x]|[]|2024-05-06 07:08:09|2024-05-06"}, ""},
		{"emptyasnull", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1 EMPTYASNULL`, []string{
			"1|NULL|NULL|2024-01-02 03:04:05|2024-01-02", "2|[  ]|[ab]|NULL|NULL", "3|[x]|[]|2024-05-06 07:08:09|2024-05-06"}, ""},
		{"blanksasnull", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1 BLANKSASNULL`, []string{
			"1|[]|NULL|2024-01-02 03:04:05|2024-01-02", "2|NULL|[ab]|NULL|NULL", "3|[x]|NULL|2024-05-06 07:08:09|2024-05-06"}, ""},
		{"both", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1 EMPTYASNULL BLANKSASNULL TIMEFORMAT 'auto'`, []string{
			"1|NULL|NULL|2024-01-02 03:04:05|2024-01-02", "2|NULL|[ab]|NULL|NULL", "3|[x]|NULL|2024-05-06 07:08:09|2024-05-06"}, ""},
		{"timeformat and dateformat", `COPY t FROM 's3://b/formats.csv' CSV TIMEFORMAT 'DD/MM/YYYY HH24:MI:SS' DATEFORMAT 'MM-DD-YYYY'`, []string{
			"1|[a]|[xy]|2024-01-02 15:04:05|2024-01-31", "2|[b]|NULL|NULL|NULL"}, ""},
		{"timeformat HH is 24-hour", `COPY t FROM 's3://b/formats.csv' CSV TIMEFORMAT 'DD/MM/YYYY HH:MI:SS' DATEFORMAT 'MM-DD-YYYY'`, []string{
			"1|[a]|[xy]|2024-01-02 15:04:05|2024-01-31", "2|[b]|NULL|NULL|NULL"}, ""},
		{"timeformat that does not match", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1 TIMEFORMAT 'DD/MM/YYYY HH24:MI:SS'`, nil, sqlerr.DataException},
		{"timeformat tipgate cannot read", `COPY t FROM 's3://b/plain.csv' CSV IGNOREHEADER 1 TIMEFORMAT 'epochsecs'`, nil, sqlerr.InvalidParameter},
		{"parquet", `COPY t FROM 's3://b/rows.parquet' FORMAT AS PARQUET`, []string{
			"1|[]|[ab]|2024-01-02 03:04:05|2024-01-02", "2|[  ]|NULL|NULL|NULL", "3|[x]|[]|2024-05-06 07:08:09.5|2024-05-06"}, ""},
		{"parquet emptyasnull blanksasnull", `COPY t FROM 's3://b/rows.parquet' PARQUET EMPTYASNULL BLANKSASNULL`, []string{
			"1|NULL|[ab]|2024-01-02 03:04:05|2024-01-02", "2|NULL|NULL|NULL|NULL", "3|[x]|NULL|2024-05-06 07:08:09.5|2024-05-06"}, ""},
		{"parquet that is not", `COPY t FROM 's3://b/plain.csv' PARQUET`, nil, sqlerr.DataException},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := engine.Run(ctx, e, su, "DELETE FROM t"); err != nil {
				t.Fatal(err)
			}
			err := engine.Run(ctx, e, su, tc.copy)
			got, rerr := conformance.Collect(ctx, e, su, read)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tc.code != "" {
				if err == nil || sqlerr.CodeOf(err) != tc.code {
					t.Fatalf("%s: %v (code %s), want code %s", tc.copy, err, sqlerr.CodeOf(err), tc.code)
				}
				if len(got) != 0 {
					t.Fatalf("%s failed but loaded %q", tc.copy, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.copy, err)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("%s loaded\n  %q\nwant\n  %q", tc.copy, got, tc.want)
			}
		})
	}
}
