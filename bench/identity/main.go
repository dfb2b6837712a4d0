// Command identity measures token verification and the token exchange:
// external ID tokens (RS256, ES256) with cached keys, tipgate session
// tokens (with their revocation check), and exchanges through the token
// endpoint over loopback. Each is run side by side with a baseline, the
// bare signature check (or the exchange's work without HTTP), so the
// ratios say what tipgate's own checks cost.
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/bench/internal/benchutil"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/tokenapi"
)

func main() {
	dur := flag.Duration("time", 2*time.Second, "length of one measured run")
	reps := flag.Int("reps", 5, "alternating runs of each operation and its baseline")
	workers := flag.Int("workers", runtime.NumCPU(), "goroutines per run")
	results := flag.String("results", "", "append a report to this Markdown file")
	flag.Parse()
	if err := run(context.Background(), *dur, *reps, *workers, *results); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// idp is a minimal OpenID Provider: discovery and a JWKS with one RSA and
// one P-256 key, on loopback.
type idp struct {
	srv *httptest.Server
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newIdP() (*idp, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	p := &idp{rsa: rk, ec: ek}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
			{Key: &rk.PublicKey, KeyID: "rsa-1", Algorithm: string(jose.RS256), Use: "sig"},
			{Key: &ek.PublicKey, KeyID: "ec-1", Algorithm: string(jose.ES256), Use: "sig"},
		}})
	})
	p.srv = httptest.NewServer(mux)
	return p, nil
}

// mint signs a realistic ID token (a handful of groups, one hour left).
func (p *idp) mint(alg jose.SignatureAlgorithm) (string, error) {
	var key crypto.Signer = p.ec
	kid := "ec-1"
	if alg == jose.RS256 {
		key, kid = p.rsa, "rsa-1"
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return "", err
	}
	now := time.Now()
	payload, _ := json.Marshal(map[string]any{
		"iss": p.srv.URL, "aud": "tipgate", "sub": "00u1a2b3c4d5e6f7g8h9", "email": "ming@example.com", "email_verified": true,
		"name": "Ming Apac", "groups": []string{"apac-sales", "analysts", "tipgate-users", "jp-office", "all-staff"},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "auth_time": now.Unix(), "nonce": "n-0S6_WzA2Mj",
	})
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// op is one measured operation and its baseline.
type op struct {
	name, baseName string
	fn, base       func() error
	// measured per rep
	rate, cpu, baseRate, baseCPU []float64
}

func run(ctx context.Context, dur time.Duration, reps, workers int, results string) error {
	tmp, err := os.MkdirTemp("", "tipgate-bench-identity-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p, err := newIdP()
	if err != nil {
		return err
	}
	defer p.srv.Close()
	iss := config.Issuer{Issuer: p.srv.URL, Audiences: []string{"tipgate"}, UserClaim: config.DefaultUserClaim,
		GroupsClaim: config.DefaultGroupsClaim, Namespace: config.DefaultNamespace}
	v, err := identity.NewVerifier(ctx, []config.Issuer{iss}, identity.VerifierOptions{})
	if err != nil {
		return err
	}
	sc := config.DefaultSessions()
	sc.Issuer = "https://tipgate.bench"
	sess, err := identity.NewSessions(identity.SessionOptions{DataDir: tmp, Config: sc})
	if err != nil {
		return err
	}
	rsTok, err := p.mint(jose.RS256)
	if err != nil {
		return err
	}
	esTok, err := p.mint(jose.ES256)
	if err != nil {
		return err
	}
	prin, err := v.Verify(ctx, esTok)
	if err != nil {
		return fmt.Errorf("verify ES256: %w", err)
	}
	if _, err := v.Verify(ctx, rsTok); err != nil {
		return fmt.Errorf("verify RS256: %w", err)
	}
	session, err := sess.Issue(ctx, prin)
	if err != nil {
		return err
	}
	jwks := sess.JWKS()
	if len(jwks.Keys) == 0 {
		return errors.New("sessions publish no keys")
	}
	sessKey := jwks.Keys[0]

	// The token endpoint on loopback, as the server mounts it.
	api, err := tokenapi.New(tokenapi.Options{Verifier: v, Sessions: sess})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	api.Register(mux)
	ts := httptest.NewServer(mux)
	defer ts.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	form := url.Values{"grant_type": {tokenapi.GrantTokenExchange}, "subject_token": {esTok},
		"subject_token_type": {tokenapi.TokenTypeIDToken}}.Encode()
	exchange := func() error {
		resp, err := client.Post(ts.URL+tokenapi.PathToken, "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.AccessToken == "" {
			return fmt.Errorf("exchange: HTTP %d %v", resp.StatusCode, err)
		}
		return nil
	}
	// Baseline of the exchange: its two cryptographic steps, in process.
	verifyAndIssue := func() error {
		pr, err := v.Verify(ctx, esTok)
		if err != nil {
			return err
		}
		_, err = sess.Issue(ctx, pr)
		return err
	}

	rawVerify := func(tok string, key any, alg jose.SignatureAlgorithm) func() error {
		return func() error {
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{alg})
			if err != nil {
				return err
			}
			_, err = jws.Verify(key)
			return err
		}
	}
	ops := []*op{
		{name: "external ID token, RS256 (2048-bit)", fn: func() error { _, err := v.Verify(ctx, rsTok); return err },
			baseName: "go-jose parse + verify", base: rawVerify(rsTok, &p.rsa.PublicKey, jose.RS256)},
		{name: "external ID token, ES256", fn: func() error { _, err := v.Verify(ctx, esTok); return err },
			baseName: "go-jose parse + verify", base: rawVerify(esTok, &p.ec.PublicKey, jose.ES256)},
		{name: "tipgate session token, ES256 (with revocation check)", fn: func() error { _, err := sess.Verify(ctx, session.Token); return err },
			baseName: "go-jose parse + verify", base: rawVerify(session.Token, sessKey.Key, jose.ES256)},
		{name: "token exchange (ES256 ID token → session), HTTP over loopback", fn: exchange,
			baseName: "Verify + Issue in process", base: verifyAndIssue},
	}
	for _, o := range ops {
		for _, f := range []func() error{o.fn, o.base} {
			for i := 0; i < 50; i++ {
				if err := f(); err != nil {
					return fmt.Errorf("%s: %w", o.name, err)
				}
			}
		}
	}
	for rep := 0; rep < reps; rep++ {
		for _, o := range ops {
			type side struct {
				fn        func() error
				rate, cpu *[]float64
			}
			sides := []side{{o.fn, &o.rate, &o.cpu}, {o.base, &o.baseRate, &o.baseCPU}}
			if rep%2 == 1 {
				slices.Reverse(sides)
			}
			for _, s := range sides {
				rate, cpu, err := measure(s.fn, workers, dur)
				if err != nil {
					return fmt.Errorf("%s: %w", o.name, err)
				}
				*s.rate = append(*s.rate, rate)
				*s.cpu = append(*s.cpu, cpu)
			}
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\n## Identity: verifications and token exchanges, %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Command: `go run ./bench/identity --time %s --reps %d --workers %d` (`make bench`). Machine: %d CPUs, %s, %s/%s, load average %s at the start (the machine may be loaded by other work: wall throughput depends on it, CPU µs/op much less).\n",
		dur, reps, workers, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, benchutil.LoadAvg())
	fmt.Fprintf(&b, "%d goroutines per run, each run %s; every operation alternates with its baseline, %d runs each, medians shown. "+
		"Keys are cached (fetched once from a loopback IdP serving discovery and a JWKS); ID tokens carry five groups. "+
		"CPU µs/op is this process's user+system CPU over the run divided by operations (for the exchange it includes the HTTP client in the same process). "+
		"\"2-core capacity\" is 2 s of CPU per second divided by CPU µs/op: the rate two otherwise idle cores would give. Target ≥ 20,000 verifications/s.\n\n",
		workers, dur, reps)
	fmt.Fprintln(&b, "| operation | ops/s (wall) | CPU µs/op | 2-core capacity ops/s | baseline | baseline ops/s | baseline CPU µs/op | CPU ratio to baseline |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---|---:|---:|---:|")
	for _, o := range ops {
		cpu, bcpu := med(o.cpu), med(o.baseCPU)
		fmt.Fprintf(&b, "| %s | %.0f | %.1f | %.0f | %s | %.0f | %.1f | %.2f |\n", o.name, med(o.rate), cpu, 2e6/cpu, o.baseName, med(o.baseRate), bcpu, cpu/bcpu)
	}
	fmt.Fprintln(&b)
	fmt.Print(b.String())
	if results != "" {
		f, err := os.OpenFile(results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.WriteString(f, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// measure runs fn on workers goroutines for d and returns operations per
// wall second and CPU microseconds per operation.
func measure(fn func() error, workers int, d time.Duration) (float64, float64, error) {
	var (
		n     atomic.Int64
		stop  atomic.Bool
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	runtime.GC()
	cpu0 := benchutil.ProcessCPU()
	start := time.Now()
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if err := fn(); err != nil {
					once.Do(func() { first = err })
					stop.Store(true)
					return
				}
				n.Add(1)
			}
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	wall := time.Since(start)
	cpu := benchutil.ProcessCPU() - cpu0
	if first != nil {
		return 0, 0, first
	}
	ops := float64(n.Load())
	return ops / wall.Seconds(), float64(cpu.Microseconds()) / ops, nil
}

func med(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAvg is the 1-minute load average, or "unknown".
