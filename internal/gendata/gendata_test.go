package gendata

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func genCSV(t testing.TB, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(context.Background(), &buf, opts); err != nil {
		t.Fatalf("WriteCSV(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

func genParquet(t testing.TB, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteParquet(context.Background(), &buf, opts); err != nil {
		t.Fatalf("WriteParquet(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

func readCSV(t testing.TB, data []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = len(Columns())
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("output is not valid CSV with %d fields per record: %v", len(Columns()), err)
	}
	return recs
}

func TestColumns(t *testing.T) {
	want := []Column{
		{"SKU", "VARCHAR(50)"},
		{"Product_Name", "VARCHAR(255)"},
		{"Category", "VARCHAR(100)"},
		{"Quantity", "INT"},
		{"Sales_Price", "DECIMAL(10,2)"},
		{"Timestamp", "TIMESTAMP"},
		{"City", "VARCHAR(100)"},
		{"Region_Code", "VARCHAR(10)"},
		{"Country", "VARCHAR(10)"},
		{"Latitude", "DECIMAL(10,6)"},
		{"Longitude", "DECIMAL(10,6)"},
		{"Population", "INT"},
		{"Elevation", "INT"},
		{"Timezone", "VARCHAR(50)"},
	}
	got := Columns()
	if len(got) != len(want) {
		t.Fatalf("Columns() has %d columns, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("column %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// Callers may modify the result; that must not leak into later calls.
	got[0].Name = "changed"
	if Columns()[0].Name != "SKU" {
		t.Error("Columns() returns shared state")
	}
}

func TestCities(t *testing.T) {
	cities, err := Cities()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(cities); n < 300 || n > 1000 {
		t.Fatalf("%d cities, want 300..1000", n)
	}
	ids := map[int64]bool{}
	prefixes := map[string]int{}
	for _, c := range cities {
		if ids[c.GeonameID] {
			t.Errorf("duplicate geonameid %d (%s)", c.GeonameID, c.Name)
		}
		ids[c.GeonameID] = true
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			t.Errorf("%s: timezone %q: %v", c.Name, c.Timezone, err)
		}
		prefixes[strings.SplitN(c.Timezone, "/", 2)[0]]++
		if len(c.Name) > 100 || len(c.Region) > 10 || len(c.Country) != 2 || len(c.Timezone) > 50 {
			t.Errorf("%+v does not fit the Redshift column widths", c)
		}
		if c.Country != strings.ToUpper(c.Country) {
			t.Errorf("%s: country %q is not an upper-case alpha-2 code", c.Name, c.Country)
		}
		if math.Abs(c.Latitude-float64(c.LatitudeMicro)/1e6) > 1e-9 || math.Abs(c.Longitude-float64(c.LongitudeMicro)/1e6) > 1e-9 {
			t.Errorf("%s: float and micro-degree coordinates disagree: %+v", c.Name, c)
		}
		if c.Population < 50000 || c.Population > math.MaxInt32 {
			t.Errorf("%s: population %d out of range", c.Name, c.Population)
		}
		// Lowest city on land is around -430 m (Dead Sea shore), highest
		// large city below 4,200 m (El Alto).
		if c.Elevation < -450 || c.Elevation > 4500 {
			t.Errorf("%s: elevation %d m implausible", c.Name, c.Elevation)
		}
	}
	for _, p := range []string{"America", "Europe", "Asia", "Africa", "Australia", "Pacific"} {
		if prefixes[p] == 0 {
			t.Errorf("no city with a %s/ time zone", p)
		}
	}
	// Spot-check well-known cities against reality so that a broken
	// derivation (e.g. swapped lat/lon) is caught.
	known := []struct {
		name, country, tz string
		lat, lon          float64
	}{
		{"Tokyo", "JP", "Asia/Tokyo", 35.69, 139.69},
		{"Berlin", "DE", "Europe/Berlin", 52.52, 13.41},
		{"Chicago", "US", "America/Chicago", 41.85, -87.65},
		{"Sydney", "AU", "Australia/Sydney", -33.87, 151.21},
		{"Lagos", "NG", "Africa/Lagos", 6.45, 3.39},
	}
	for _, k := range known {
		found := false
		for _, c := range cities {
			if c.Name == k.name && c.Country == k.country {
				found = true
				if c.Timezone != k.tz || math.Abs(c.Latitude-k.lat) > 0.1 || math.Abs(c.Longitude-k.lon) > 0.1 {
					t.Errorf("%s: got %+v, want tz %s near %.2f,%.2f", k.name, c, k.tz, k.lat, k.lon)
				}
			}
		}
		if !found {
			t.Errorf("%s (%s) missing from city list", k.name, k.country)
		}
	}
}

func TestCatalogue(t *testing.T) {
	products := catalogue()
	if n := len(products); n < 60 || n > 120 {
		t.Fatalf("%d products, want 60..120", n)
	}
	skuRE := regexp.MustCompile(`^[A-Z]{3}-[A-Z]{4}-[0-9]{4}$`)
	seen := map[string]bool{}
	categories := map[string]bool{}
	for _, p := range products {
		if !skuRE.MatchString(p.SKU) {
			t.Errorf("SKU %q does not look like RUN-SHOE-0042", p.SKU)
		}
		if seen[p.SKU] {
			t.Errorf("duplicate SKU %s", p.SKU)
		}
		seen[p.SKU] = true
		categories[p.Category] = true
		if p.ListCents < 100 || p.ListCents > 500000 {
			t.Errorf("%s: list price %d cents implausible", p.SKU, p.ListCents)
		}
		if p.Name == "" || len(p.Name) > 255 || len(p.Category) > 100 {
			t.Errorf("%s: bad name or category", p.SKU)
		}
	}
	if len(categories) < 10 {
		t.Errorf("only %d categories", len(categories))
	}
}

func TestDeterminism(t *testing.T) {
	type writer func(testing.TB, Options) []byte
	formats := map[string]writer{"csv": genCSV, "parquet": genParquet}
	cases := []struct {
		name     string
		a, b     Options
		wantSame bool
	}{
		{"same seed", Options{Rows: 5000, Seed: 42}, Options{Rows: 5000, Seed: 42}, true},
		{"same seed multi-chunk", Options{Rows: chunkRows + 10, Seed: -7}, Options{Rows: chunkRows + 10, Seed: -7}, true},
		{"different seed", Options{Rows: 5000, Seed: 42}, Options{Rows: 5000, Seed: 43}, false},
		{"seed zero vs one", Options{Rows: 100, Seed: 0}, Options{Rows: 100, Seed: 1}, false},
		{"different rows", Options{Rows: 100, Seed: 42}, Options{Rows: 101, Seed: 42}, false},
	}
	for fname, gen := range formats {
		for _, tc := range cases {
			t.Run(fname+"/"+tc.name, func(t *testing.T) {
				ha := sha256.Sum256(gen(t, tc.a))
				hb := sha256.Sum256(gen(t, tc.b))
				if (ha == hb) != tc.wantSame {
					t.Errorf("sha256 equal = %v, want %v (%x vs %x)", ha == hb, tc.wantSame, ha, hb)
				}
			})
		}
	}
}

// TestPrefixStable checks that a smaller data set is a prefix of a larger one
// with the same seed, which is what per-chunk seeding promises.
func TestPrefixStable(t *testing.T) {
	small := genCSV(t, Options{Rows: 1000, Seed: 5})
	big := genCSV(t, Options{Rows: 2*chunkRows + 3, Seed: 5})
	if !bytes.HasPrefix(big, small) {
		t.Fatal("rows of a small data set are not the first rows of a bigger one")
	}
}

func TestCSVHeaderAndRows(t *testing.T) {
	cities, err := Cities()
	if err != nil {
		t.Fatal(err)
	}
	cityByName := map[string]City{}
	for _, c := range cities {
		cityByName[c.Name+"|"+c.Country+"|"+c.Region] = c
	}
	products := map[string]product{}
	for _, p := range catalogue() {
		products[p.SKU] = p
	}
	locs := map[string]*time.Location{}
	start, end := Window()

	const rows = 20000
	recs := readCSV(t, genCSV(t, Options{Rows: rows, Seed: 99}))
	if len(recs) != rows+1 {
		t.Fatalf("got %d records, want header + %d", len(recs), rows)
	}
	for i, c := range Columns() {
		if recs[0][i] != c.Name {
			t.Errorf("header[%d] = %q, want %q", i, recs[0][i], c.Name)
		}
	}
	priceRE := regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	coordRE := regexp.MustCompile(`^-?[0-9]{1,3}\.[0-9]{6}$`)
	discounted := 0
	for n, rec := range recs[1:] {
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("row %d %q: "+format, append([]any{n + 1, rec}, args...)...)
		}
		p, ok := products[rec[0]]
		if !ok {
			fail("unknown SKU")
		}
		if rec[1] != p.Name || rec[2] != p.Category {
			fail("name/category do not match SKU %s", p.SKU)
		}
		q, err := strconv.Atoi(rec[3])
		if err != nil || q < 1 || q > 10 {
			fail("quantity %q not in 1..10", rec[3])
		}
		if !priceRE.MatchString(rec[4]) {
			fail("price %q is not DECIMAL(10,2) text", rec[4])
		}
		price, _ := strconv.ParseFloat(rec[4], 64)
		list := float64(p.ListCents) / 100
		if price > list || price < list*0.7-0.005 {
			fail("price %v outside [70%%, 100%%] of list %v", price, list)
		}
		if price < list {
			discounted++
		}
		ts, err := time.Parse(time.DateTime, rec[5])
		if err != nil {
			fail("timestamp: %v", err)
		}
		if ts.Before(start) || !ts.Before(end) || ts.Hour() < firstHour {
			fail("timestamp %v outside window or business hours", ts)
		}
		c, ok := cityByName[rec[6]+"|"+rec[8]+"|"+rec[7]]
		if !ok {
			fail("unknown city")
		}
		if !coordRE.MatchString(rec[9]) || !coordRE.MatchString(rec[10]) {
			fail("coordinates not DECIMAL(10,6) text")
		}
		lat, _ := strconv.ParseFloat(rec[9], 64)
		lon, _ := strconv.ParseFloat(rec[10], 64)
		if math.Abs(lat-c.Latitude) > 1e-9 || math.Abs(lon-c.Longitude) > 1e-9 {
			fail("coordinates differ from city list %v,%v", c.Latitude, c.Longitude)
		}
		if rec[11] != strconv.FormatInt(c.Population, 10) || rec[12] != strconv.FormatInt(c.Elevation, 10) || rec[13] != c.Timezone {
			fail("population/elevation/timezone differ from city list %+v", c)
		}
		loc, ok := locs[rec[13]]
		if !ok {
			if loc, err = time.LoadLocation(rec[13]); err != nil {
				fail("timezone: %v", err)
			}
			locs[rec[13]] = loc
		}
		// The wall-clock time must exist in the city's zone (not fall into
		// a daylight-saving gap), so Redshift/DuckDB conversions round-trip.
		local := time.Date(ts.Year(), ts.Month(), ts.Day(), ts.Hour(), ts.Minute(), ts.Second(), 0, loc)
		if got := local.Format(time.DateTime); got != rec[5] {
			fail("wall-clock time does not exist in %s (normalises to %s)", rec[13], got)
		}
	}
	// About 28% of lines are discounted; anything far off means the
	// discount logic broke.
	if share := float64(discounted) / rows; share < 0.2 || share > 0.36 {
		t.Errorf("%.1f%% of rows discounted, want about 28%%", 100*share)
	}
}

func TestCSVQuoting(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"Washington, D.C.", `"Washington, D.C."`},
		{`Junior Tennis Racket 25"`, `"Junior Tennis Racket 25"""`},
		{"two\nlines", "\"two\nlines\""},
		{"Xi’an", "Xi’an"},
	}
	for _, tc := range cases {
		if got := string(appendCSVField(nil, tc.in)); got != tc.want {
			t.Errorf("appendCSVField(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAppendFixed(t *testing.T) {
	cases := []struct {
		v     int64
		scale int
		want  string
	}{
		{0, 2, "0.00"},
		{5, 2, "0.05"},
		{12999, 2, "129.99"},
		{-3461315, 6, "-3.461315"},
		{-125740, 6, "-0.125740"},
		{180000000, 6, "180.000000"},
	}
	for _, tc := range cases {
		if got := string(appendFixed(nil, tc.v, tc.scale)); got != tc.want {
			t.Errorf("appendFixed(%d, %d) = %q, want %q", tc.v, tc.scale, got, tc.want)
		}
	}
}

func TestTimezoneCoverage(t *testing.T) {
	const rows = 100000
	recs := readCSV(t, genCSV(t, Options{Rows: rows, Seed: 2024}))[1:]
	counts := map[string]int{}
	for _, rec := range recs {
		counts[strings.SplitN(rec[13], "/", 2)[0]]++
	}
	t.Logf("time-zone areas in %d rows: %v", rows, counts)
	cases := []struct {
		prefix string
		min    float64
	}{
		{"America", 0.10},
		{"Europe", 0.10},
		{"Asia", 0.10},
		{"Africa", 0.05},
		{"Australia", 0.005},
		{"Pacific", 0.0005},
	}
	for _, tc := range cases {
		if share := float64(counts[tc.prefix]) / rows; share < tc.min {
			t.Errorf("%s/ has %.2f%% of rows, want at least %.2f%%", tc.prefix, 100*share, 100*tc.min)
		}
	}
}

// TestEveryCityAndProductOccurs draws a large sample straight from the model
// (no rendering, to keep the test fast) and checks that population weighting
// still reaches every city and that small quantities dominate.
func TestEveryCityAndProductOccurs(t *testing.T) {
	m, err := newModel()
	if err != nil {
		t.Fatal(err)
	}
	cityHits := make([]int, len(m.cities))
	productHits := make([]int, len(m.products))
	var qty [11]int
	var s sale
	const rows = 4 * chunkRows * 8
	err = forEachChunk(Options{Rows: rows, Seed: 1}, func(rng *rand.Rand, n int) error {
		for range n {
			m.next(rng, &s)
			cityHits[s.city]++
			productHits[s.product]++
			qty[s.quantity]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range cityHits {
		if n == 0 {
			t.Errorf("city %s never drawn in %d rows", m.cities[i].Name, rows)
		}
	}
	for i, n := range productHits {
		if n == 0 {
			t.Errorf("product %s never drawn", m.products[i].SKU)
		}
	}
	// Bigger cities must be drawn more often: the most populous city should
	// get far more rows than the least populous one.
	maxI, minI := 0, 0
	for i, c := range m.cities {
		if c.Population > m.cities[maxI].Population {
			maxI = i
		}
		if c.Population < m.cities[minI].Population {
			minI = i
		}
	}
	if cityHits[maxI] < 50*cityHits[minI] {
		t.Errorf("largest city drawn %d times, smallest %d: not population-weighted", cityHits[maxI], cityHits[minI])
	}
	for q := 2; q <= 10; q++ {
		if qty[q] > qty[q-1] {
			t.Errorf("quantity %d (%d rows) more common than %d (%d rows), want skewed small", q, qty[q], q-1, qty[q-1])
		}
	}
}

func TestZeroAndNegativeRows(t *testing.T) {
	header := "SKU,Product_Name,Category,Quantity,Sales_Price,Timestamp,City,Region_Code,Country,Latitude,Longitude,Population,Elevation,Timezone\n"
	if got := string(genCSV(t, Options{Rows: 0, Seed: 1})); got != header {
		t.Errorf("Rows=0 CSV = %q, want only the header", got)
	}
	writers := map[string]func(context.Context, io.Writer, Options) error{
		"csv": WriteCSV, "parquet": WriteParquet,
	}
	for name, write := range writers {
		var buf bytes.Buffer
		err := write(context.Background(), &buf, Options{Rows: -1})
		if !errors.Is(err, errNegativeRows) {
			t.Errorf("%s: Rows=-1 error = %v, want errNegativeRows", name, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: Rows=-1 wrote %d bytes", name, buf.Len())
		}
	}
	path := filepath.Join(t.TempDir(), "neg.csv")
	if err := WriteFile(context.Background(), path, Options{Rows: -5}); !errors.Is(err, errNegativeRows) {
		t.Errorf("WriteFile Rows=-5 error = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile left %s behind after an error", path)
	}
}

// cancelAfter is a context whose Err reports cancellation after a fixed
// number of calls, so tests can cancel mid-write without timing races.
type cancelAfter struct {
	context.Context
	calls atomic.Int64
	after int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func TestCancellation(t *testing.T) {
	writers := map[string]func(context.Context, io.Writer, Options) error{
		"csv": WriteCSV, "parquet": WriteParquet,
	}
	const rows = 10_000_000 // seconds of work if cancellation were ignored
	for name, write := range writers {
		t.Run(name+"/before", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var w countingWriter
			if err := write(ctx, &w, Options{Rows: rows}); !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if w.n != 0 {
				t.Errorf("wrote %d bytes with an already cancelled context", w.n)
			}
		})
		t.Run(name+"/during", func(t *testing.T) {
			ctx := &cancelAfter{Context: context.Background(), after: 3}
			var w countingWriter
			start := time.Now()
			err := write(ctx, &w, Options{Rows: rows})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v to notice cancellation", elapsed)
			}
			if w.n > 10<<20 {
				t.Errorf("wrote %d bytes after cancellation", w.n)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Rows: 300, Seed: 8}
	wantCSV := genCSV(t, opts)
	wantParquet := genParquet(t, opts)
	cases := []struct {
		name    string
		want    []byte
		wantErr string
	}{
		{"sales.csv", wantCSV, ""},
		{"sales.CSV", wantCSV, ""},
		{"sales.parquet", wantParquet, ""},
		{"sales.txt", nil, `".txt"`},
		{"sales.csv.gz", nil, `".gz"`},
		{"sales", nil, `""`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name)
			err := WriteFile(context.Background(), path, opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one naming %s", err, tc.wantErr)
				}
				if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
					t.Errorf("file created despite error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("file content (%d bytes) differs from direct writer output (%d bytes)", len(got), len(tc.want))
			}
		})
	}
	t.Run("cancelled", func(t *testing.T) {
		path := filepath.Join(dir, "cancelled.csv")
		ctx := &cancelAfter{Context: context.Background(), after: 2}
		if err := WriteFile(ctx, path, Options{Rows: 10_000_000}); !errors.Is(err, context.Canceled) {
			t.Fatalf("error = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("partial file left behind")
		}
	})
}

// TestGoldenCSV pins the CSV format and generation algorithm. If it fails
// after an intentional change (catalogue, city list, distributions, draw
// order, chunk size), every previously generated demo data set changes too:
// say so in the change description and update the hash.
func TestGoldenCSV(t *testing.T) {
	const want = "044f49f5fe998245a26e5c2b206dd655517e5041b4f240729ea8047b290c8ec8"
	got := sha256.Sum256(genCSV(t, Options{Rows: 1000, Seed: 1}))
	if hex := fmt.Sprintf("%x", got); hex != want {
		t.Errorf("sha256 of Options{Rows: 1000, Seed: 1} CSV = %s, want %s", hex, want)
	}
}
