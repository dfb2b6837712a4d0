package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // the oracle is plain DuckDB, not tipgate's engine

	"github.com/tipgate/tipgate/internal/duckval"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
)

// The fixture is a protected warehouse and, for each principal, a ground
// truth: a plain DuckDB holding physically filtered and masked copies of
// exactly what the principal may read, written independently of tipgate's
// policy compiler.

const fixtureScript = `
CREATE TABLE sales_data (
    SKU VARCHAR(50), Product_Name VARCHAR(255), Category VARCHAR(100), Quantity INT, Sales_Price DECIMAL(10,2),
    Timestamp TIMESTAMP, City VARCHAR(100), Region_Code VARCHAR(10), Country VARCHAR(10), Latitude DECIMAL(10,6),
    Longitude DECIMAL(10,6), Population INT, Elevation INT, Timezone VARCHAR(50));
COPY sales_data FROM '%s' CSV IGNOREHEADER 1 TIMEFORMAT 'auto';
CREATE TABLE region_lookup (timezone_prefix VARCHAR(20), manager VARCHAR(100));
INSERT INTO region_lookup VALUES ('Asia', 'AWSIDC:ming@example.com'), ('Europe', 'AWSIDC:alex@example.com'), ('America', 'AWSIDC:frank@example.com');
CREATE TABLE secret_notes (id INT, note VARCHAR(100));
INSERT INTO secret_notes VALUES (1, 'top secret');
CREATE ROLE "AWSIDC:apac-sales";
CREATE ROLE "AWSIDC:emea-analyst";
CREATE ROLE "AWSIDC:amer-sales";
GRANT SELECT ON sales_data TO ROLE "AWSIDC:apac-sales";
GRANT SELECT ON sales_data TO ROLE "AWSIDC:amer-sales";
GRANT SELECT (city, country, timezone, quantity, sales_price, category) ON sales_data TO ROLE "AWSIDC:emea-analyst";
GRANT SELECT ON region_lookup TO PUBLIC;
CREATE RLS POLICY apac WITH (timezone VARCHAR(50)) USING (timezone LIKE 'Asia%%');
CREATE RLS POLICY emea WITH (timezone VARCHAR(50)) USING (timezone LIKE 'Europe%%');
CREATE RLS POLICY by_manager WITH (timezone VARCHAR(50))
  USING (split_part(timezone, '/', 1) IN (SELECT timezone_prefix FROM region_lookup WHERE manager = current_user));
ATTACH RLS POLICY apac ON sales_data TO ROLE "AWSIDC:apac-sales";
ATTACH RLS POLICY emea ON sales_data TO ROLE "AWSIDC:emea-analyst";
ATTACH RLS POLICY by_manager ON sales_data TO ROLE "AWSIDC:amer-sales";
ALTER TABLE sales_data ROW LEVEL SECURITY ON;
CREATE MASKING POLICY hide_elevation WITH (elevation INT) USING (CAST(NULL AS INT));
ATTACH MASKING POLICY hide_elevation ON sales_data (elevation) TO ROLE "AWSIDC:apac-sales" PRIORITY 10;
CREATE MASKING POLICY round_price WITH (p DECIMAL(10,2)) USING (CAST(round(p, 0) AS DECIMAL(10,2)));
ATTACH MASKING POLICY round_price ON sales_data (sales_price) TO ROLE "AWSIDC:emea-analyst" PRIORITY 10;
`

// FixturePrincipal is one principal of the fixture with its ground truth.
type FixturePrincipal struct {
	Name      string
	Principal identity.Principal
	// Truth is the plain DuckDB holding what the principal may read.
	Truth *sql.DB
	// Columns are the sales_data columns the principal may read.
	Columns []string
}

// Fixture is a loaded engine and its principals.
type Fixture struct {
	Engine     engine.Engine
	Principals []FixturePrincipal
}

var allColumns = []string{"sku", "product_name", "category", "quantity", "sales_price", "timestamp", "city", "region_code",
	"country", "latitude", "longitude", "population", "elevation", "timezone"}

// truthSpec is written by hand from the fixture script's intent.
var truthSpec = []struct {
	name, user, group, filter string
	cols                      map[string]string // column -> expression; nil means all columns as they are
}{
	{"ming", "ming@example.com", "apac-sales", "timezone LIKE 'Asia%'", map[string]string{"elevation": "CAST(NULL AS INTEGER)"}},
	{"alex", "alex@example.com", "emea-analyst", "timezone LIKE 'Europe%'", map[string]string{
		"city": "city", "country": "country", "timezone": "timezone", "quantity": "quantity",
		"sales_price": "CAST(round(sales_price, 0) AS DECIMAL(10,2))", "category": "category"}},
	{"frank", "frank@example.com", "amer-sales", "split_part(timezone, '/', 1) = 'America'", nil},
}

// NewFixture loads rows of generated sales data into a fresh engine under
// the fixture's policies and builds each principal's ground truth.
func NewFixture(t testing.TB, eng engine.Engine, rows int64, seed int64) *Fixture {
	t.Helper()
	ctx := context.Background()
	csv := filepath.Join(t.TempDir(), "sales.csv")
	if err := gendata.WriteFile(ctx, csv, gendata.Options{Rows: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), fmt.Sprintf(fixtureScript, csv)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	f := &Fixture{Engine: eng}
	for _, spec := range truthSpec {
		p, err := identity.Simulated(spec.user, identity.DefaultNamespace, []string{spec.group})
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		t.Cleanup(func() { db.Close() })
		var proj, cols []string
		for _, c := range allColumns {
			expr := c
			if spec.cols != nil {
				e, ok := spec.cols[c]
				if !ok && spec.name == "alex" {
					continue
				}
				if ok {
					expr = e
				}
			}
			proj = append(proj, expr+" AS "+c)
			cols = append(cols, c)
		}
		setup := []string{
			fmt.Sprintf(`CREATE TABLE src AS SELECT * FROM read_csv('%s', header = true, auto_detect = false, columns = {
				'sku': 'VARCHAR', 'product_name': 'VARCHAR', 'category': 'VARCHAR', 'quantity': 'INTEGER', 'sales_price': 'DECIMAL(10,2)',
				'timestamp': 'TIMESTAMP', 'city': 'VARCHAR', 'region_code': 'VARCHAR', 'country': 'VARCHAR', 'latitude': 'DECIMAL(10,6)',
				'longitude': 'DECIMAL(10,6)', 'population': 'INTEGER', 'elevation': 'INTEGER', 'timezone': 'VARCHAR'})`, csv),
			"CREATE TABLE sales_data AS SELECT " + strings.Join(proj, ", ") + " FROM src WHERE " + spec.filter,
			"DROP TABLE src",
			"CREATE TABLE region_lookup (timezone_prefix VARCHAR, manager VARCHAR)",
			"INSERT INTO region_lookup VALUES ('Asia', 'AWSIDC:ming@example.com'), ('Europe', 'AWSIDC:alex@example.com'), ('America', 'AWSIDC:frank@example.com')",
			"CREATE SCHEMA public",
			"CREATE VIEW public.sales_data AS SELECT * FROM main.sales_data",
			"CREATE VIEW public.region_lookup AS SELECT * FROM main.region_lookup",
			"CREATE MACRO current_user() AS '" + p.User + "'",
			"CREATE MACRO session_user() AS '" + p.User + "'",
			"CREATE MACRO nvl(a, b) AS coalesce(a, b)",
		}
		for _, s := range setup {
			if _, err := db.ExecContext(ctx, s); err != nil {
				t.Fatalf("truth for %s: %s: %v", spec.name, s, err)
			}
		}
		f.Principals = append(f.Principals, FixturePrincipal{Name: spec.name, Principal: p, Truth: db, Columns: cols})
	}
	return f
}

// Truth runs sql on the principal's ground truth and renders the rows.
func (p FixturePrincipal) TruthRows(ctx context.Context, query string) ([]string, error) {
	rows, err := p.Truth.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			cells[i] = render(duckval.Normalise(v))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, rows.Err()
}
