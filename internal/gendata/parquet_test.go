package gendata

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestParquetMatchesCSV reads a generated Parquet file back with DuckDB and
// checks its schema (DECIMAL and TIMESTAMP logical types survive) and that
// every value equals the CSV output for the same Options.
func TestParquetMatchesCSV(t *testing.T) {
	// More than one CSV chunk and several Parquet batches, so chunk and
	// batch boundaries are covered.
	opts := Options{Rows: chunkRows + 5000, Seed: 31337}
	if testing.Short() {
		opts.Rows = 3 * parquetBatch
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "sales.parquet")
	if err := WriteFile(context.Background(), path, opts); err != nil {
		t.Fatal(err)
	}
	csvRecs := readCSV(t, genCSV(t, opts))

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	wantTypes := map[string]string{
		"SKU": "VARCHAR", "Product_Name": "VARCHAR", "Category": "VARCHAR",
		"Quantity": "INTEGER", "Sales_Price": "DECIMAL(10,2)", "Timestamp": "TIMESTAMP",
		"City": "VARCHAR", "Region_Code": "VARCHAR", "Country": "VARCHAR",
		"Latitude": "DECIMAL(10,6)", "Longitude": "DECIMAL(10,6)",
		"Population": "INTEGER", "Elevation": "INTEGER", "Timezone": "VARCHAR",
	}
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, path)
	if err != nil {
		t.Fatal(err)
	}
	var i int
	for ; rows.Next(); i++ {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		if i >= len(Columns()) || name != Columns()[i].Name {
			t.Fatalf("Parquet column %d is %q, want %q", i, name, Columns()[min(i, len(Columns())-1)].Name)
		}
		if typ != wantTypes[name] {
			t.Errorf("column %s has DuckDB type %s, want %s", name, typ, wantTypes[name])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if i != len(Columns()) {
		t.Fatalf("Parquet file has %d columns, want %d", i, len(Columns()))
	}

	// Render every value as text the way the CSV writer does and compare
	// field by field; file_row_number keeps the original order.
	rows, err = db.Query(`
		SELECT SKU, Product_Name, Category, CAST(Quantity AS VARCHAR),
		       CAST(Sales_Price AS VARCHAR), strftime(Timestamp, '%Y-%m-%d %H:%M:%S'),
		       City, Region_Code, Country, CAST(Latitude AS VARCHAR), CAST(Longitude AS VARCHAR),
		       CAST(Population AS VARCHAR), CAST(Elevation AS VARCHAR), Timezone
		FROM read_parquet(?, file_row_number = true)
		ORDER BY file_row_number`, path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	got := make([]string, len(Columns()))
	ptrs := make([]any, len(got))
	for j := range got {
		ptrs[j] = &got[j]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		n++
		if n >= len(csvRecs) {
			t.Fatalf("Parquet has more rows than CSV (%d)", len(csvRecs)-1)
		}
		for j, want := range csvRecs[n] {
			if got[j] != want {
				t.Fatalf("row %d column %s: Parquet %q, CSV %q", n, Columns()[j].Name, got[j], want)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != int(opts.Rows) {
		t.Fatalf("Parquet has %d rows, want %d", n, opts.Rows)
	}
}

func TestParquetZeroRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.parquet")
	if err := WriteFile(context.Background(), path, Options{Rows: 0}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("stat %s: %v", path, err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM read_parquet(?)`, path).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("empty data set has %d rows", n)
	}
}
