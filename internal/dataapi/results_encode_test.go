package dataapi

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/store/embedded"
)

// sliceRows is an engine.Rows over values in memory.
type sliceRows struct {
	cols []engine.Column
	data [][]any
	i    int
}

func (r *sliceRows) Columns() []engine.Column { return r.cols }
func (r *sliceRows) Next() bool               { r.i++; return r.i <= len(r.data) }
func (r *sliceRows) Values() []any            { return append([]any(nil), r.data[r.i-1]...) }
func (r *sliceRows) Err() error               { return nil }
func (r *sliceRows) Close() error             { return nil }
func (r *sliceRows) Tag() string              { return "SELECT" }
func (r *sliceRows) RowsAffected() int64      { return -1 }

// referenceField is how results were spelled before they were stored as
// Arrow (engine value → Field by its Go type, encoded by encoding/json):
// the oracle the record-batch encoders are held to.
func referenceField(v any, date bool) Field {
	if t, ok := v.(time.Time); ok && date {
		v = t.Format(time.DateOnly)
	}
	switch x := v.(type) {
	case nil:
		t := true
		return Field{IsNull: &t}
	case bool:
		return Field{BooleanValue: &x}
	case int64:
		return Field{LongValue: &x}
	case float64:
		return Field{DoubleValue: &x}
	case []byte:
		return Field{BlobValue: x}
	default:
		s, _ := engine.Text(x)
		return Field{StringValue: &s}
	}
}

func referenceCSV(t *testing.T, cols []engine.Column, data [][]any) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, row := range data {
		rec := make([]string, len(row))
		for i, v := range row {
			if tm, ok := v.(time.Time); ok && cols[i].Type.Kind == engine.TypeDate {
				v = tm.Format(time.DateOnly)
			}
			rec[i], _ = engine.Text(v)
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.String()
}

var encodeCases = []struct {
	name string
	col  engine.Type
	vals []any
}{
	{"bigint", engine.Type{Kind: engine.TypeBigInt}, []any{int64(0), int64(-1), int64(math.MaxInt64), int64(math.MinInt64), nil}},
	{"double", engine.Type{Kind: engine.TypeDouble}, []any{0.0, 1.5, -2.25e-7, 1e21, 123456789.125, 3.0, nil, math.SmallestNonzeroFloat64, 1e300}},
	{"bool", engine.Type{Kind: engine.TypeBool}, []any{true, false, nil}},
	{"numeric", engine.Numeric(10, 2), []any{"1.50", "-0.05", "0.00", "12345678.99", "-12345678.99", nil}},
	{"numeric wide", engine.Numeric(38, 4), []any{"1234567890123456789012345678901234.5678", "-0.0001", "99999999999999999999.0000", nil}},
	{"numeric scale 0", engine.Numeric(20, 0), []any{"18446744073709551615", "0", "-7", nil}},
	{"numeric unbounded", engine.Type{Kind: engine.TypeNumeric}, []any{"1.5", "NaN", nil}},
	{"timestamp", engine.Type{Kind: engine.TypeTimestamp}, []any{time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 123456789, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 500000000, time.UTC), nil}},
	{"date", engine.Type{Kind: engine.TypeDate}, []any{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), nil}},
	{"varbyte", engine.Type{Kind: engine.TypeVarbyte}, []any{[]byte{0, 1, 0xff}, nil}},
	{"varchar", engine.Type{Kind: engine.TypeVarchar}, []any{"plain", "", "comma,quote\"", "line\nbreak\r", " leading space", `\.`, "tab\there", "ünï€ode", "bad \xff utf8", "\u2028sep", "ctl\x01", "bs\b ff\f", "<&>", nil}},
	{"super", engine.Type{Kind: engine.TypeSuper}, []any{`{"a":[1,2]}`, nil}},
}

// TestPageEncodingMatchesReference holds the record-batch encoders to the
// spelling of the reference path, type by type, across page boundaries.
func TestPageEncodingMatchesReference(t *testing.T) {
	ctx := context.Background()
	for _, tc := range encodeCases {
		t.Run(tc.name, func(t *testing.T) {
			cols := []engine.Column{{Name: "id", Type: engine.Type{Kind: engine.TypeBigInt}}, {Name: "v", Type: tc.col}}
			var data [][]any
			for i, v := range tc.vals {
				data = append(data, []any{int64(i), v})
			}
			// In memory and spilled to a file: pages read into pooled
			// buffers either way.
			for _, spill := range []int64{0, 1} {
				st, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir(), SpillBytes: spill})
				if err != nil {
					t.Fatal(err)
				}
				var pools pagePools
				for _, format := range []string{"JSON", "CSV"} {
					res, err := writeResult(ctx, st, tc.name+format, format, &sliceRows{cols: cols, data: data}, 2, 1<<20, false)
					if err != nil {
						t.Fatal(err)
					}
					if res.rows != int64(len(data)) || res.pages != (len(data)+1)/2 {
						t.Fatalf("%d rows in %d pages", res.rows, res.pages)
					}
					var gotJSON [][]Field
					var gotCSV string
					for i := range res.pages {
						rec, stored, err := res.batch(ctx, i, &pools)
						if err != nil {
							t.Fatal(err)
						}
						page := &ResultPage{res: res, rec: rec, csv: format == "CSV", pools: &pools, stored: stored}
						var out struct {
							Records []json.RawMessage
						}
						if err := json.Unmarshal(page.AppendJSON(nil), &out); err != nil {
							t.Fatalf("page %d is not JSON: %v\n%s", i, err, page.AppendJSON(nil))
						}
						if format == "CSV" {
							var chunk CSVRecords
							if err := json.Unmarshal(out.Records[0], &chunk); err != nil {
								t.Fatal(err)
							}
							gotCSV += chunk.CSVRecords
							if s := strings.ToValidUTF8(string(page.csvChunk(nil)), "\ufffd"); s != chunk.CSVRecords {
								t.Fatalf("GetResultV2 chunk %q, page %q", s, chunk.CSVRecords)
							}
						} else {
							for _, r := range out.Records {
								var row []Field
								if err := json.Unmarshal(r, &row); err != nil {
									t.Fatal(err)
								}
								gotJSON = append(gotJSON, row)
							}
							// GetResult's Fields, through encoding/json, say the same.
							f := page.fields()
							fb, _ := json.Marshal(f)
							var back [][]Field
							_ = json.Unmarshal(fb, &back)
							if !reflect.DeepEqual(back, gotJSON[len(gotJSON)-len(f):]) {
								t.Fatalf("GetResult's Fields differ from the page's JSON")
							}
						}
						page.Release()
					}
					if format == "CSV" {
						if want := strings.ToValidUTF8(referenceCSV(t, cols, data), "\ufffd"); gotCSV != want {
							t.Fatalf("CSV\n got %q\nwant %q", gotCSV, want)
						}
						continue
					}
					var want [][]Field
					for _, row := range data {
						want = append(want, []Field{referenceField(row[0], false), referenceField(row[1], tc.col.Kind == engine.TypeDate)})
					}
					// Compare what a client reads: the reference through
					// encoding/json and back.
					wb, _ := json.Marshal(want)
					var wantBack [][]Field
					_ = json.Unmarshal(wb, &wantBack)
					if !reflect.DeepEqual(wantBack, gotJSON) {
						gb, _ := json.Marshal(gotJSON)
						t.Fatalf("JSON\n got %s\nwant %s", gb, wb)
					}
				}
			}
		})
	}
}

// TestPageValueMismatch: a value whose Go type does not fit the column's
// type fails the statement rather than becoming NULL or a changed value.
func TestPageValueMismatch(t *testing.T) {
	st, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		col engine.Type
		v   any
	}{
		{engine.Type{Kind: engine.TypeBigInt}, "12"},
		{engine.Numeric(10, 2), "1.5"},
		{engine.Numeric(3, 0), "1234"},
		{engine.Type{Kind: engine.TypeTimestamp}, "2024-01-01"},
	} {
		rows := &sliceRows{cols: []engine.Column{{Name: "v", Type: tc.col}}, data: [][]any{{tc.v}}}
		if _, err := writeResult(context.Background(), st, string(rune('a'+i)), "JSON", rows, 10, 1<<20, false); err == nil {
			t.Errorf("%v %#v: stored", tc.col, tc.v)
		}
	}
}

// TestEmptyBlob: an empty VARBYTE is {"blobValue":""}; the reflection
// path it replaced dropped the member (omitempty), leaving {}.
func TestEmptyBlob(t *testing.T) {
	st, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	rows := &sliceRows{cols: []engine.Column{{Name: "b", Type: engine.Type{Kind: engine.TypeVarbyte}}}, data: [][]any{{[]byte{}}}}
	res, err := writeResult(context.Background(), st, "blob", "JSON", rows, 10, 1<<20, false)
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := res.batch(context.Background(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	page := &ResultPage{res: res, rec: rec}
	defer page.Release()
	if got := string(page.AppendJSON(nil)); !bytes.HasPrefix([]byte(got), []byte(`{"Records":[[{"blobValue":""}]]`)) {
		t.Fatal(got)
	}
}

func TestJSONFloatMatchesEncodingJSON(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 0.1, 1e-7, 1.5e-6, 1e20, 1e21, 1.7976931348623157e308, 5e-324, -123.456} {
		want, _ := json.Marshal(f)
		if got := appendJSONFloat(nil, f); string(got) != string(want) {
			t.Errorf("%v: %s, want %s", f, got, want)
		}
	}
}

func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"1.50", "-0.05", "0", "12", "1e5", "..", "-", "00.10", "99999999999999999999999999999999999999"} {
		f.Add(s, int8(10), int8(2))
	}
	// Past 128 bits: a leading digit more than precision 38 allows once
	// panicked in decimal128.FromBigInt.
	f.Add("999999999999999999999999999999999999999", int8(38), int8(0))
	f.Add("-99999999999999999999999999999999999999", int8(38), int8(0))
	f.Fuzz(func(t *testing.T, s string, p, sc int8) {
		prec, scale := int32(p%39), int32(sc%39)
		if prec < 1 || scale < 0 || scale > prec {
			return
		}
		n, ok := parseDecimal(s, prec, scale)
		if !ok {
			return
		}
		if got := string(appendDecimal(nil, n, scale)); got != s {
			t.Fatalf("%q read as %s", s, got)
		}
		if !n.FitsInPrecision(prec) {
			t.Fatalf("%q does not fit %d", s, prec)
		}
	})
}

func TestAppendTimestamp(t *testing.T) {
	for _, us := range []int64{0, 1, -1, 1_000_000, 86_399_999_999, 1_709_294_400_123_450, -62135596800000000, 253402300799999999, -62135596800000001, 253402300800000000,
		951_782_400_000_000, 4_107_542_400_000_000, -2_208_988_800_000_000} {
		want, _ := engine.Text(time.UnixMicro(us).UTC())
		if got := string(appendTimestamp(nil, us)); got != want {
			t.Errorf("%d: %s, want %s", us, got, want)
		}
	}
}

func FuzzAppendTimestamp(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(-62135596800000001))
	f.Add(int64(-62135596800000000))
	f.Add(int64(253402300799999999))
	f.Add(int64(253402300800000000))
	f.Add(int64(1_709_294_400_123_450))
	var enc timestampEncoder // shared: later inputs meet cached days
	f.Fuzz(func(t *testing.T, us int64) {
		want, _ := engine.Text(time.UnixMicro(us).UTC())
		if got := string(appendTimestamp(nil, us)); got != want {
			t.Fatalf("%d: %s, want %s", us, got, want)
		}
		// The day-caching encoder, cold then warm, and after another
		// day took the cache slot.
		for _, v := range []int64{us, us, us + timestampDays*86400*1_000_000, us} {
			want, _ := engine.Text(time.UnixMicro(v).UTC())
			if got := string(enc.append(nil, v)); got != want {
				t.Fatalf("encoder %d: %s, want %s", v, got, want)
			}
		}
	})
}

// referenceCSVFieldJSON is a CSV field as it stands inside CSVRecords,
// spelt by the libraries: encoding/csv quotes the field, encoding/json
// escapes the line (without HTML escapes, as the Data API's bodies have
// none).
func referenceCSVFieldJSON(t *testing.T, f string) string {
	var line bytes.Buffer
	w := csv.NewWriter(&line)
	// A second field keeps encoding/csv from treating a lone empty field
	// specially; it is cut off again below.
	if err := w.Write([]string{f, "x"}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	field := strings.TrimSuffix(line.String(), ",x\n")
	var js bytes.Buffer
	enc := json.NewEncoder(&js)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(field); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(js.String(), "\n"), `"`), `"`)
}

// FuzzCSVFieldJSON holds appendCSVFieldJSON (and its plain-text fast path)
// to encoding/csv + encoding/json.
func FuzzCSVFieldJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "SKU-000001", "Asia/Tokyo", " lead", "a,b", `q"q`, `\.`, `back\slash`, "tab\t", "ünï", "bad \xff", "\u2028", "del\x7f", "\r\n", "\b\f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := referenceCSVFieldJSON(t, s)
		if got := string(appendCSVFieldJSON(nil, s)); got != want {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	})
}

// referenceDecimal spells n with scale digits after the point through
// math/big: the oracle of appendDecimal.
func referenceDecimal(n decimal128.Num, scale int32) string {
	b := n.BigInt()
	neg := b.Sign() < 0
	digits := b.Abs(b).String()
	if scale > 0 {
		for len(digits) <= int(scale) {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-int(scale)] + "." + digits[len(digits)-int(scale):]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// FuzzAppendDecimal holds appendDecimal (and its 64-bit fast path) to
// math/big.
func FuzzAppendDecimal(f *testing.F) {
	for _, v := range []struct {
		hi int64
		lo uint64
		sc int8
	}{{0, 150, 2}, {-1, ^uint64(4), 2}, {0, 0, 2}, {0, ^uint64(0), 2}, {-1, 1 << 63, 19}, {0, 1, 38}, {1, 0, 4}, {-1, 0, 4}, {0, 12, 0}, {0, 10000000000000000000, 19}} {
		f.Add(v.hi, v.lo, v.sc)
	}
	f.Fuzz(func(t *testing.T, hi int64, lo uint64, sc int8) {
		scale := int32(sc % 39)
		if scale < 0 {
			scale = -scale
		}
		n := decimal128.New(hi, lo)
		if got, want := string(appendDecimal([]byte("x"), n, scale)), "x"+referenceDecimal(n, scale); got != want {
			t.Fatalf("(%d, %d) scale %d: %s, want %s", hi, lo, scale, got, want)
		}
	})
}
