package tokenapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/identitytest"
)

// BenchmarkExchange runs the whole token endpoint in process: form
// parsing, ID token verification with cached keys, session signing and
// the JSON response.
func BenchmarkExchange(b *testing.B) {
	idp := identitytest.NewIdP(b)
	v, err := identity.NewVerifier(context.Background(), []config.Issuer{idp.Config()}, identity.VerifierOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sc := config.DefaultSessions()
	sc.Issuer = "https://tipgate.test"
	s, err := identity.NewSessions(identity.SessionOptions{DataDir: b.TempDir(), Config: sc})
	if err != nil {
		b.Fatal(err)
	}
	api, err := New(Options{Verifier: v, Sessions: s})
	if err != nil {
		b.Fatal(err)
	}
	h := api.TokenHandler()
	body := exchangeForm(idp.Mint(b, idp.Claims("alice@example.com", []string{"sales", "eng"}, time.Now(), time.Hour))).Encode()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, PathToken, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "exchanges/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e3, "wall-µs/op")
}
