package duckdb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestOptimizerAudit: the optimizers DuckDB lists are exactly the audited
// ones, and the disabled list is exactly those audited "disable".
func TestOptimizerAudit(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), "SELECT name FROM duckdb_optimizers()")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var listed []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, n)
		if _, ok := auditedOptimizers[n]; !ok {
			t.Errorf("DuckDB has optimizer %q that is not audited: read its source against docs/enforcement.md and add a verdict to auditedOptimizers", n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var disable []string
	for n, verdict := range auditedOptimizers {
		if !slices.Contains(listed, n) {
			t.Errorf("audited optimizer %q is no longer in DuckDB: remove it (and from disabledOptimizers)", n)
		}
		if strings.HasPrefix(verdict, "disable:") {
			disable = append(disable, n)
		} else if !strings.HasPrefix(verdict, "keep:") {
			t.Errorf("verdict of %q must start with disable: or keep:", n)
		}
	}
	slices.Sort(disable)
	got := slices.Sorted(slices.Values(disabledOptimizers))
	if !slices.Equal(disable, got) {
		t.Errorf("disabledOptimizers %v, audit says disable %v", got, disable)
	}
}

// TestNestedTypes: nested column types are recognised, scalars are not.
func TestNestedTypes(t *testing.T) {
	for typ, want := range map[string]bool{
		"STRUCT(a VARCHAR)": true, "INTEGER[]": true, "VARCHAR[3]": true, "MAP(VARCHAR, INTEGER)": true,
		"UNION(a INTEGER)": true, "VARIANT": true, "VARCHAR": false, "DECIMAL(10,2)": false, "TIMESTAMP WITH TIME ZONE": false,
		"BLOB": false, "INTEGER": false,
	} {
		if got := nestedType(typ); got != want {
			t.Errorf("nestedType(%q) = %v, want %v", typ, got, want)
		}
	}
}
