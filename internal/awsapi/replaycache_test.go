package awsapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"
)

func sigN(i int) string {
	h := sha256.Sum256([]byte(fmt.Sprint(i)))
	return hex.EncodeToString(h[:])
}

// TestReplayCache: a signature is refused again while its date can verify,
// forgotten (with its whole bucket) once it cannot, and a full cache
// refuses new signatures rather than forget live ones.
func TestReplayCache(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 18, 0, 30, 0, time.UTC)
	type use struct {
		sig     string
		date    time.Duration // X-Amz-Date, from t0
		now     time.Duration // server clock, from t0
		first   bool
		full    bool
		holding int // signatures held afterwards
	}
	for _, tc := range []struct {
		name string
		max  int
		uses []use
	}{
		{"repeat refused", 10, []use{
			{sig: "a", first: true, holding: 1},
			{sig: "a", now: time.Minute, holding: 1},
			{sig: "b", first: true, holding: 2},
		}},
		{"kept while the date verifies", 10, []use{
			{sig: "a", first: true, holding: 1},
			// a date in minute 18:00 verifies until 18:01 + MaxSkew
			{sig: "a", now: MaxSkew + 29*time.Second, holding: 1},
			{sig: "b", now: MaxSkew + 31*time.Second, first: true, holding: 1},
		}},
		{"future dates kept longer", 10, []use{
			{sig: "f", date: MaxSkew, first: true, holding: 1},
			{sig: "f", date: MaxSkew, now: 2 * MaxSkew, holding: 1},
			{sig: "g", now: 2*MaxSkew + time.Minute, first: true, holding: 1},
		}},
		{"full refuses, nothing forgotten", 2, []use{
			{sig: "a", first: true, holding: 1},
			{sig: "b", date: time.Minute, now: time.Minute, first: true, holding: 2},
			{sig: "c", now: time.Minute, full: true, holding: 2},
			{sig: "a", now: time.Minute, holding: 2},
			{sig: "b", date: time.Minute, now: time.Minute, holding: 2},
			// once a's bucket goes, there is room again
			{sig: "c", date: 16 * time.Minute, now: 16 * time.Minute, first: true, holding: 2},
			{sig: "d", date: 16 * time.Minute, now: 16 * time.Minute, full: true, holding: 2},
		}},
		{"not hex", 10, []use{
			{sig: "not-a-signature", first: true, holding: 1},
			{sig: "not-a-signature", holding: 1},
			{sig: sigN(1), first: true, holding: 2},
			{sig: sigN(1), holding: 2},
		}},
		{"clock back", 10, []use{
			{sig: "a", now: time.Hour, date: time.Hour, first: true, holding: 1},
			{sig: "a", now: 0, date: time.Hour, holding: 1},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newReplayCache(tc.max)
			for i, u := range tc.uses {
				first, err := c.firstUse(u.sig, t0.Add(u.date), t0.Add(u.now))
				if u.full != errors.Is(err, errReplayFull) || (!u.full && err != nil) {
					t.Fatalf("use %d (%s): error %v, want full %v", i, u.sig, err, u.full)
				}
				if first != u.first {
					t.Fatalf("use %d (%s): first %v, want %v", i, u.sig, first, u.first)
				}
				if n := c.len(); n != u.holding {
					t.Fatalf("use %d (%s): holding %d, want %d", i, u.sig, n, u.holding)
				}
			}
		})
	}
}

// BenchmarkReplayCacheMemory reports the heap per signature held, beside
// the map it replaced (hex signature string -> date, swept after 30
// minutes), filled with the same signatures.
func BenchmarkReplayCacheMemory(b *testing.B) {
	const n = 200_000
	sigs := make([]string, n)
	for i := range sigs {
		sigs[i] = sigN(i)
	}
	t0 := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	b.Run("buckets", func(b *testing.B) {
		for range b.N {
			before := heap()
			c := newReplayCache(n)
			for i, s := range sigs {
				// dates over 10 minutes: all within the window, all held
				at := t0.Add(time.Duration(i) * 3 * time.Millisecond)
				if _, err := c.firstUse(s, at, at); err != nil {
					b.Fatal(err)
				}
			}
			held := c.len()
			b.ReportMetric(float64(heap()-before)/float64(held), "B/sig")
			b.ReportMetric(float64(held), "sigs")
			runtime.KeepAlive(c)
		}
	})
	b.Run("map-before", func(b *testing.B) {
		for range b.N {
			before := heap()
			seen := map[string]time.Time{}
			for i, s := range sigs {
				// new strings, as each request's header is
				seen[string([]byte(s))] = t0.Add(time.Duration(i) * 3 * time.Millisecond)
			}
			b.ReportMetric(float64(heap()-before)/float64(len(seen)), "B/sig")
			b.ReportMetric(float64(len(seen)), "sigs")
			runtime.KeepAlive(seen)
		}
	})
}
