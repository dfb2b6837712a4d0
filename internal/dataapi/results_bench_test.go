package dataapi

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/store/embedded"
)

// BenchmarkResultPage encodes one 1000-row page shaped like the bench's
// fetch query (sku, quantity, sales_price, timestamp, city, timezone).
func BenchmarkResultPage(b *testing.B) {
	cols := []engine.Column{
		{Name: "sku", Type: engine.Type{Kind: engine.TypeVarchar}},
		{Name: "quantity", Type: engine.Type{Kind: engine.TypeInt}},
		{Name: "sales_price", Type: engine.Numeric(10, 2)},
		{Name: "timestamp", Type: engine.Type{Kind: engine.TypeTimestamp}},
		{Name: "city", Type: engine.Type{Kind: engine.TypeVarchar}},
		{Name: "timezone", Type: engine.Type{Kind: engine.TypeVarchar}},
	}
	var data [][]any
	for i := range 1000 {
		data = append(data, []any{fmt.Sprintf("SKU-%06d", i), int64(i % 7), fmt.Sprintf("%d.%02d", i%500, i%100),
			time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute), "Tokyo", "Asia/Tokyo"})
	}
	ctx := context.Background()
	st, err := embedded.NewResults(embedded.ResultOptions{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	res, err := writeResult(ctx, st, "bench", "JSON", &sliceRows{cols: cols, data: data}, 1000, 1<<30, false)
	if err != nil {
		b.Fatal(err)
	}
	for _, csv := range []bool{false, true} {
		b.Run(map[bool]string{false: "JSON", true: "CSV"}[csv], func(b *testing.B) {
			// As Service.ResultPage and the bindings do it: pooled
			// buffers for the stored page and the body.
			var pools pagePools
			buf := make([]byte, 0, 256<<10)
			for b.Loop() {
				rec, stored, err := res.batch(ctx, 0, &pools)
				if err != nil {
					b.Fatal(err)
				}
				p := &ResultPage{res: res, rec: rec, csv: csv, pools: &pools, stored: stored}
				buf = p.AppendJSON(buf[:0])
				p.Release()
				b.SetBytes(int64(len(buf)))
			}
		})
	}
}

// BenchmarkCSVPageReference is what a CSV page cost before results were
// stored as Arrow: the page's CSV text, stored as such, encoded into
// GetStatementResultV2's JSON by encoding/json. Side by side with
// BenchmarkResultPage/CSV it is the price of keeping one stored form.
func BenchmarkCSVPageReference(b *testing.B) {
	var chunk []byte
	for i := range 1000 {
		chunk = fmt.Appendf(chunk, "SKU-%06d,%d,%d.%02d,2024-01-01 00:%02d:00,Tokyo,Asia/Tokyo\n", i, i%7, i%500, i%100, i%60)
	}
	out := ResultV2Output{Records: []CSVRecords{{}}, ResultFormat: "CSV"}
	for b.Loop() {
		out.Records[0].CSVRecords = string(chunk)
		buf, err := json.Marshal(out)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(buf)))
	}
}
