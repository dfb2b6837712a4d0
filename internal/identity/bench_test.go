package identity

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// BenchmarkVerify measures external token verification with cached keys,
// in parallel as a server would run it.
func BenchmarkVerify(b *testing.B) {
	e := newCorpusEnv(b, VerifierOptions{})
	for _, k := range []testKey{e.rsa, e.ps, e.ec, e.ed} {
		b.Run(string(k.alg), func(b *testing.B) {
			tok := mintJose(b, k, e.claims())
			ctx := context.Background()
			if _, err := e.v.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := e.v.Verify(ctx, tok); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRates(b, cpu0, "verifications/s")
		})
	}
}

// BenchmarkSessionVerify includes the revocation check (one stat).
func BenchmarkSessionVerify(b *testing.B) {
	for _, alg := range []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA} {
		b.Run(string(alg), func(b *testing.B) {
			clock := newFakeClock()
			s := newTestSessions(b, b.TempDir(), clock, func(o *SessionOptions) { o.Algorithm = alg })
			sess, err := s.Issue(context.Background(), federated(clock, time.Hour))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Verify(ctx, sess.Token); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRates(b, cpu0, "verifications/s")
		})
	}
}

// reportRates reports wall-clock throughput, CPU time per operation and
// the throughput two fully available cores would give at that CPU cost.
func reportRates(b *testing.B, cpu0 time.Duration, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	if cpu := processCPU() - cpu0; cpu > 0 {
		perOp := cpu.Seconds() / float64(b.N)
		b.ReportMetric(perOp*1e6, "cpu-µs/op")
		b.ReportMetric(2/perOp, "2core-"+unit)
	}
}
