package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

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
COPY sales_data FROM '%[1]s' CSV IGNOREHEADER 1 TIMEFORMAT 'auto';
CREATE TABLE sales_codes (timezone VARCHAR(50), code VARCHAR(10));
COPY sales_codes FROM '%[2]s' CSV IGNOREHEADER 1;
CREATE TABLE region_lookup (timezone_prefix VARCHAR(20), manager VARCHAR(100));
INSERT INTO region_lookup VALUES ('Asia', 'AWSIDC:ming@example.com'), ('Europe', 'AWSIDC:alex@example.com'), ('America', 'AWSIDC:frank@example.com');
CREATE TABLE secret_notes (id INT, note VARCHAR(100));
INSERT INTO secret_notes VALUES (1, 'top secret');
CREATE ROLE "AWSIDC:apac-sales";
CREATE ROLE "AWSIDC:emea-analyst";
CREATE ROLE "AWSIDC:amer-sales";
CREATE ROLE "AWSIDC:emea-ops";
GRANT SELECT ON sales_data TO ROLE "AWSIDC:apac-sales";
GRANT SELECT ON sales_data TO ROLE "AWSIDC:amer-sales";
GRANT SELECT ON sales_data TO ROLE "AWSIDC:emea-ops";
GRANT SELECT (city, country, timezone, quantity, sales_price, category) ON sales_data TO ROLE "AWSIDC:emea-analyst";
GRANT SELECT ON region_lookup TO PUBLIC;
GRANT SELECT ON sales_codes TO ROLE "AWSIDC:apac-sales";
GRANT SELECT ON sales_codes TO ROLE "AWSIDC:emea-analyst";
GRANT SELECT ON sales_codes TO ROLE "AWSIDC:amer-sales";
GRANT SELECT ON sales_codes TO ROLE "AWSIDC:emea-ops";
CREATE RLS POLICY apac WITH (timezone VARCHAR(50)) USING (timezone LIKE 'Asia%%');
CREATE RLS POLICY emea WITH (timezone VARCHAR(50)) USING (timezone LIKE 'Europe%%');
CREATE RLS POLICY by_manager WITH (timezone VARCHAR(50))
  USING (split_part(timezone, '/', 1) IN (SELECT timezone_prefix FROM region_lookup WHERE manager = current_user));
CREATE RLS POLICY two_col WITH (timezone VARCHAR(50), category VARCHAR(100))
  USING (timezone LIKE 'Europe%%' AND category <> 'Golf');
ATTACH RLS POLICY apac ON sales_data TO ROLE "AWSIDC:apac-sales";
ATTACH RLS POLICY emea ON sales_data TO ROLE "AWSIDC:emea-analyst";
ATTACH RLS POLICY by_manager ON sales_data TO ROLE "AWSIDC:amer-sales";
ATTACH RLS POLICY two_col ON sales_data TO ROLE "AWSIDC:emea-ops";
ALTER TABLE sales_data ROW LEVEL SECURITY ON;
ATTACH RLS POLICY apac ON sales_codes TO ROLE "AWSIDC:apac-sales";
ATTACH RLS POLICY emea ON sales_codes TO ROLE "AWSIDC:emea-analyst";
ATTACH RLS POLICY by_manager ON sales_codes TO ROLE "AWSIDC:amer-sales";
ALTER TABLE sales_codes ROW LEVEL SECURITY ON;
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
	// Visible and Hidden hold, per text column of sales_data the principal
	// may read, the distinct values of rows it may see and the distinct
	// values found only in rows it may not see.
	Visible, Hidden map[string][]string
	// hiddenText are the distinct text values of the warehouse (every text
	// column of sales_data, readable or not, and secret_notes) that appear
	// nowhere in what the principal may read: no message shown to it may
	// contain one. visibleText are the text values it may read.
	hiddenText, visibleText []string
}

// Fixture is a loaded engine and its principals.
type Fixture struct {
	Engine     engine.Engine
	Principals []FixturePrincipal
	// Dictionary are, once RequireDictionaries asked (an engine without
	// DuckDB's storage has none), the columns of sales_data (and, as "sales_codes.code",
	// of sales_codes) with at least one dictionary-compressed segment in
	// the warehouse.
	Dictionary []string
	// Dialect is the SQL dialect the oracle writes: "postgres" for
	// PostgreSQL's, DuckDB's otherwise.
	Dialect string
	// ConcurrentAttacks runs each principal's attacks beside the other
	// principals' (an engine whose every statement waits on a remote
	// cluster), each principal's in the corpus's order.
	ConcurrentAttacks bool
	// SkipAttackFiles names attack files that do not run on the engine,
	// each with the reason (files attacking another engine's mechanisms in
	// its dialect, with no spelling for this one).
	SkipAttackFiles map[string]string
}

var allColumns = []string{"sku", "product_name", "category", "quantity", "sales_price", "timestamp", "city", "region_code",
	"country", "latitude", "longitude", "population", "elevation", "timezone"}

// textColumns are sales_data's string columns.
var textColumns = []string{"sku", "product_name", "category", "city", "region_code", "country", "timezone"}

// truthSpec is written by hand from the fixture script's intent.
var truthSpec = []struct {
	name, user, group, filter string
	// codes filters sales_codes.
	codes string
	// cols maps a column to the expression the principal reads; with
	// only, columns not listed are not readable at all.
	cols map[string]string
	only bool
}{
	{"ming", "ming@example.com", "apac-sales", "timezone LIKE 'Asia%'", "timezone LIKE 'Asia%'", map[string]string{"elevation": "CAST(NULL AS INTEGER)"}, false},
	{"alex", "alex@example.com", "emea-analyst", "timezone LIKE 'Europe%'", "timezone LIKE 'Europe%'", map[string]string{
		"city": "city", "country": "country", "timezone": "timezone", "quantity": "quantity",
		"sales_price": "CAST(round(sales_price, 0) AS DECIMAL(10,2))", "category": "category"}, true},
	// frank's policy looks his regions up in region_lookup by current_user.
	{"frank", "frank@example.com", "amer-sales", "split_part(timezone, '/', 1) = 'America'", "split_part(timezone, '/', 1) = 'America'", nil, false},
	// olga's policy reads two columns: European time zones except golf.
	// No policy of hers is attached to sales_codes, whose RLS is on: she
	// sees none of its rows.
	{"olga", "olga@example.com", "emea-ops", "timezone LIKE 'Europe%' AND category <> 'Golf'", "false", nil, false},
}

// baseOptimizers are the optimizers tipgate disables on its warehouse at
// the least (filter_pushdown, filter_pullup, cte_filter_pusher).
//
// The ground truth runs without every optimizer the engine under test runs
// without (truthOptimizers asks the engine; these are the fallback for an
// engine that cannot tell). Optimizers cannot change a result, but they
// decide where and whether a predicate is evaluated (a statistics-based
// prune skips what it guards), and so, for a predicate that fails on some
// rows, whether and with which message a query fails. With the same plans
// on both sides, an error on one side only means enforcement let an
// expression see a row it should not have, or hid one it should have, not
// that two optimizers chose differently. Whether the engine may run an
// optimizer is for the attack corpus and the oracle to find out, not the
// fixture: were an engine to let statistics prune, say, the ground truth
// would prune on the statistics of visible rows only, and the tests would
// report where the engine, its statistics covering hidden rows too, prunes
// differently.
const baseOptimizers = "filter_pushdown,filter_pullup,cte_filter_pusher"

// truthOptimizers returns the optimizers the engine runs without, as its
// superuser reads them.
func truthOptimizers(t testing.TB, eng engine.Engine) string {
	t.Helper()
	v, ok := engineSetting(eng, "disabled_optimizers")
	if !ok {
		return baseOptimizers
	}
	v = strings.ReplaceAll(strings.ToLower(v), " ", "")
	for _, r := range v {
		if (r < 'a' || r > 'z') && r != '_' && r != ',' {
			t.Fatalf("fixture: unexpected disabled_optimizers %q", v)
		}
	}
	return v
}

// mirroredSettings are DuckDB settings that change what a query means
// (integer division, where NULLs sort, the session time zone). An engine
// may set them to give Redshift's meaning; the ground truth takes the
// engine's values, so that both sides answer the same question.
var mirroredSettings = []string{"integer_division", "default_null_order", "TimeZone"}

// truthSettings returns SET statements giving the ground truth the
// engine's values of mirroredSettings (none for an engine that cannot
// tell).
func truthSettings(eng engine.Engine) []string {
	var out []string
	for _, name := range mirroredSettings {
		if v, ok := engineSetting(eng, name); ok {
			out = append(out, "SET GLOBAL "+name+" = "+sqlString(v))
		}
	}
	return out
}

// engineSetting reads a DuckDB setting as the engine's superuser sees it.
func engineSetting(eng engine.Engine, name string) (string, bool) {
	got, err := Collect(context.Background(), eng, identity.LocalSuperuser(), "SELECT CAST(current_setting('"+name+"') AS VARCHAR)")
	if err != nil || len(got) != 1 {
		return "", false
	}
	return got[0], true
}

// sales_codes holds a short code per sale region: two characters in the
// regions some principal may see, seven in Africa, which nobody may see. A
// principal's codes therefore all have the same length, and a function
// that fails on a string of another length (hamming) fails on a hidden row
// only: a yes/no test of hidden rows that needs no error message.
var codeZones = []struct{ zone, prefix string }{
	{"Asia/Tokyo", "A"}, {"Asia/Kolkata", "B"}, {"Europe/Berlin", "E"}, {"Europe/Paris", "F"},
	{"America/Chicago", "M"}, {"America/Lima", "N"}, {"Africa/Lagos", "AFRICA"}, {"Africa/Cairo", "EGYPT0"},
}

// salesCodes returns sales_codes as CSV: 3,000 rows, few distinct values,
// so the table is stored dictionary-compressed.
func salesCodes() string {
	var b strings.Builder
	b.WriteString("timezone,code\n")
	for i := range 3000 {
		z := codeZones[i%len(codeZones)]
		fmt.Fprintf(&b, "%s,%s%d\n", z.zone, z.prefix, i/len(codeZones)%10)
	}
	return b.String()
}

func distinctCodes() []string {
	var out []string
	for _, z := range codeZones {
		for d := range 10 {
			out = append(out, fmt.Sprintf("%s%d", z.prefix, d))
		}
	}
	slices.Sort(out)
	return out
}

// DictionaryColumns are the text columns whose dictionary-compressed
// storage the attack corpus and the oracle exercise: a test holding the
// engine to them calls RequireDictionaries.
var DictionaryColumns = []string{"timezone", "city", "country", "sku", "product_name", "category", "sales_codes.code"}

// NewFixture loads rows of generated sales data into a fresh engine under
// the fixture's policies and builds each principal's ground truth.
func NewFixture(t testing.TB, eng engine.Engine, rows int64, seed int64) *Fixture {
	t.Helper()
	ctx := context.Background()
	csv := filepath.Join(t.TempDir(), "sales.csv")
	if err := gendata.WriteFile(ctx, csv, gendata.Options{Rows: rows, Seed: seed}); err != nil {
		t.Fatal(err)
	}
	codesCSV := filepath.Join(t.TempDir(), "codes.csv")
	if err := os.WriteFile(codesCSV, []byte(salesCodes()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := engine.Run(ctx, eng, identity.LocalSuperuser(), fmt.Sprintf(fixtureScript, csv, codesCSV)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	optimizers := truthOptimizers(t, eng)
	settings := truthSettings(eng)
	readCSV := fmt.Sprintf(`SELECT * FROM read_csv('%s', header = true, auto_detect = false, columns = {
		'sku': 'VARCHAR', 'product_name': 'VARCHAR', 'category': 'VARCHAR', 'quantity': 'INTEGER', 'sales_price': 'DECIMAL(10,2)',
		'timestamp': 'TIMESTAMP', 'city': 'VARCHAR', 'region_code': 'VARCHAR', 'country': 'VARCHAR', 'latitude': 'DECIMAL(10,6)',
		'longitude': 'DECIMAL(10,6)', 'population': 'INTEGER', 'elevation': 'INTEGER', 'timezone': 'VARCHAR'})`, csv)
	raw := openDuckDB(t)
	mustExec(t, raw, "CREATE TABLE src AS "+readCSV)
	rawValues := map[string][]string{}
	var rawText []string
	for _, c := range textColumns {
		rawValues[c] = distinct(t, raw, "SELECT DISTINCT "+c+" FROM src WHERE "+c+" IS NOT NULL")
		rawText = append(rawText, rawValues[c]...)
	}
	rawValues["code"] = distinctCodes()
	rawText = append(rawText, rawValues["code"]...)
	// Values of tables nobody in the fixture may read.
	rawText = append(rawText, "top secret")
	raw.Close()
	// Every principal may read region_lookup.
	lookupText := []string{"Asia", "Europe", "America", "AWSIDC:ming@example.com", "AWSIDC:alex@example.com", "AWSIDC:frank@example.com"}

	f := &Fixture{Engine: eng}
	for _, spec := range truthSpec {
		p, err := identity.Simulated(spec.user, identity.DefaultNamespace, []string{spec.group})
		if err != nil {
			t.Fatal(err)
		}
		db := openDuckDB(t)
		var proj, cols []string
		for _, c := range allColumns {
			expr, ok := spec.cols[c]
			if !ok && spec.only {
				continue
			}
			if !ok {
				expr = c
			}
			proj = append(proj, expr+" AS "+c)
			cols = append(cols, c)
		}
		setup := append([]string{
			"SET GLOBAL disabled_optimizers = '" + optimizers + "'",
			"CREATE TABLE src AS " + readCSV,
			"CREATE TABLE sales_data AS SELECT " + strings.Join(proj, ", ") + " FROM src WHERE " + spec.filter,
			"DROP TABLE src",
			"CREATE TABLE sales_codes AS SELECT * FROM read_csv('" + codesCSV + "', header = true, auto_detect = false, columns = {'timezone': 'VARCHAR', 'code': 'VARCHAR'}) WHERE " + spec.codes,
			"CREATE TABLE region_lookup (timezone_prefix VARCHAR, manager VARCHAR)",
			"INSERT INTO region_lookup VALUES ('Asia', 'AWSIDC:ming@example.com'), ('Europe', 'AWSIDC:alex@example.com'), ('America', 'AWSIDC:frank@example.com')",
			"CREATE SCHEMA public",
			"CREATE VIEW public.sales_data AS SELECT * FROM main.sales_data",
			"CREATE VIEW public.sales_codes AS SELECT * FROM main.sales_codes",
			"CREATE VIEW public.region_lookup AS SELECT * FROM main.region_lookup",
			"CREATE MACRO current_user() AS '" + p.User + "'",
			"CREATE MACRO session_user() AS '" + p.User + "'",
			"CREATE MACRO nvl(a, b) AS coalesce(a, b)",
			// Trino's spelling of PostgreSQL's ~ (the oracle's trino dialect).
			"CREATE MACRO regexp_like(s, p) AS regexp_matches(s, p)",
		}, settings...)
		for _, s := range setup {
			mustExec(t, db, s)
		}
		fp := FixturePrincipal{Name: spec.name, Principal: p, Truth: db, Columns: cols,
			Visible: map[string][]string{}, Hidden: map[string][]string{}}
		seen := map[string]bool{}
		for _, v := range lookupText {
			seen[v] = true
		}
		for _, c := range textColumns {
			if !slices.Contains(cols, c) {
				continue
			}
			fp.Visible[c] = distinct(t, db, "SELECT DISTINCT "+c+" FROM sales_data WHERE "+c+" IS NOT NULL")
			for _, v := range fp.Visible[c] {
				seen[v] = true
			}
			for _, v := range rawValues[c] {
				if !slices.Contains(fp.Visible[c], v) {
					fp.Hidden[c] = append(fp.Hidden[c], v)
				}
			}
		}
		fp.Visible["code"] = distinct(t, db, "SELECT DISTINCT code FROM sales_codes")
		for _, v := range rawValues["code"] {
			if !slices.Contains(fp.Visible["code"], v) {
				fp.Hidden["code"] = append(fp.Hidden["code"], v)
			}
		}
		for _, v := range fp.Visible["code"] {
			seen[v] = true
		}
		for v := range seen {
			fp.visibleText = append(fp.visibleText, v)
		}
		// Longest first, so a visible value containing a shorter one is
		// blanked out whole.
		slices.SortFunc(fp.visibleText, func(a, b string) int { return len(b) - len(a) })
		for _, v := range rawText {
			if !seen[v] && !allDigits(v) && !slices.Contains(fp.hiddenText, v) {
				fp.hiddenText = append(fp.hiddenText, v)
			}
		}
		if len(fp.hiddenText) == 0 {
			t.Fatalf("principal %s sees every value of the warehouse: the fixture tests nothing", spec.name)
		}
		f.Principals = append(f.Principals, fp)
	}
	return f
}

// dictionaryColumns returns the columns of sales_data stored
// dictionary-compressed (Dictionary or DictFSST) in at least one segment, and
// fails the fixture if there are none. A function DuckDB evaluates over a
// storage dictionary sees hidden rows' values; a table still in the WAL, or
// stored uncompressed, has no dictionary, and tests of enforcement against
// that would pass without testing anything.
func dictionaryColumns(t testing.TB, eng engine.Engine) []string {
	t.Helper()
	got, err := Collect(context.Background(), eng, identity.LocalSuperuser(),
		"SELECT DISTINCT lower(column_name) FROM pragma_storage_info('sales_data') WHERE compression IN ('Dictionary', 'DictFSST') "+
			"UNION SELECT DISTINCT 'sales_codes.' || lower(column_name) FROM pragma_storage_info('sales_codes') WHERE compression IN ('Dictionary', 'DictFSST') ORDER BY 1")
	if err != nil {
		t.Fatalf("fixture: storage info: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("fixture: no column of sales_data is stored dictionary-compressed: the warehouse was not checkpointed after loading")
	}
	return got
}

// RequireDictionaries fails the test unless every column named is stored
// dictionary-compressed in the fixture's warehouse.
func (f *Fixture) RequireDictionaries(t testing.TB, cols ...string) {
	t.Helper()
	if f.Dictionary == nil {
		f.Dictionary = dictionaryColumns(t, f.Engine)
	}
	for _, c := range cols {
		if !slices.Contains(f.Dictionary, c) {
			t.Fatalf("column %s of sales_data has no dictionary-compressed segment (dictionary-compressed: %q): "+
				"the dictionary-evaluation tests would pass without testing it", c, f.Dictionary)
		}
	}
}

func openDuckDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t testing.TB, db *sql.DB, s string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), s); err != nil {
		t.Fatalf("fixture: %s: %v", s, err)
	}
}

func distinct(t testing.TB, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("fixture: %s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func allDigits(s string) bool {
	for _, r := range s {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// Leaks returns the values hidden from the principal that msg, an error
// message shown to it for query, contains as whole words. A value the query
// itself spells is not counted (an error may quote the query), and neither
// is one that is only part of a value the principal may read.
func (p FixturePrincipal) Leaks(msg, query string) []string {
	// Blank out visible values first.
	m := []byte(msg)
	for _, v := range p.visibleText {
		for _, i := range wordIndexes(string(m), v) {
			for j := i; j < i+len(v); j++ {
				m[j] = 0
			}
		}
	}
	rest := string(m)
	lq := strings.ToLower(query)
	var out []string
	for _, v := range p.hiddenText {
		if len(wordIndexes(rest, v)) > 0 && len(wordIndexes(lq, strings.ToLower(v))) == 0 {
			out = append(out, v)
		}
	}
	return out
}

// wordIndexes returns where v occurs in s not adjacent to a letter or digit.
func wordIndexes(s, v string) []int {
	if v == "" {
		return nil
	}
	var out []int
	for from := 0; from <= len(s)-len(v); {
		i := strings.Index(s[from:], v)
		if i < 0 {
			break
		}
		i += from
		end := i + len(v)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if !isWordRune(before) && !isWordRune(after) {
			out = append(out, i)
		}
		from = i + 1
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

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
