package gendata

import (
	"context"
	"io"
	"testing"
)

// benchRows is large enough that per-call setup (parsing the city list,
// building lookup tables) is negligible next to row generation.
const benchRows = 1 << 20

func benchmarkWriter(b *testing.B, write func(context.Context, io.Writer, Options) error) {
	var w countingWriter
	b.ResetTimer()
	for i := range b.N {
		if err := write(context.Background(), &w, Options{Rows: benchRows, Seed: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(w.n)/float64(b.N)/benchRows, "bytes/row")
	b.SetBytes(w.n / int64(b.N))
}

func BenchmarkWriteCSV(b *testing.B) { benchmarkWriter(b, WriteCSV) }

func BenchmarkWriteParquet(b *testing.B) { benchmarkWriter(b, WriteParquet) }
