package duckdb_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

// BenchmarkColdStatement measures a statement text never seen before:
// parse, admission and the query itself.
func BenchmarkColdStatement(b *testing.B) {
	e := newEngine(b)
	fx := conformance.NewFixture(b, e, 100, 1)
	_ = fx
	p, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac-sales"})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.Query(ctx, p, fmt.Sprintf("SELECT %d AS x", i))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		r.Close()
	}
}

// BenchmarkSeenStatement measures a statement text sent again in the same
// policy context: admission is cached and the text stays prepared on the
// pooled connection.
func BenchmarkSeenStatement(b *testing.B) {
	e := newEngine(b)
	conformance.NewFixture(b, e, 100, 1)
	p, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac-sales"})
	ctx := context.Background()
	for _, q := range []string{"SELECT 1 AS x", "SELECT count(*) FROM sales_data"} {
		b.Run(q, func(b *testing.B) {
			cpu0 := processCPU()
			defer func() { b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op") }()
			for i := 0; i < b.N; i++ {
				r, err := e.Query(ctx, p, q)
				if err != nil {
					b.Fatal(err)
				}
				for r.Next() {
				}
				r.Close()
			}
		})
	}
}

// BenchmarkSeenStatementParallel is BenchmarkSeenStatement from 64
// goroutines at once (32 per CPU on 2 CPUs), as the Data API runs them.
func BenchmarkSeenStatementParallel(b *testing.B) {
	// As the server opens it: DuckDB's default threads, 64 idle connections.
	e, err := engines.Open(context.Background(), engines.Config{DataDir: b.TempDir(), Threads: benchThreads})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	conformance.NewFixture(b, e, 100, 1)
	p, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac-sales"})
	ctx := context.Background()
	b.SetParallelism(benchParallelism)
	cpu0 := processCPU()
	defer func() { b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op") }()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := e.Query(ctx, p, "SELECT 1 AS x")
			if err != nil {
				b.Error(err)
				return
			}
			for r.Next() {
			}
			r.Close()
		}
	})
}

var benchParallelism = 32

var benchThreads = 0

// processCPU is this process's CPU time (all threads, DuckDB's included).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
