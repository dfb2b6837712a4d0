package cliauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock advances only when the flow sleeps.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (f *fakeClock) clock() clock {
	return clock{
		now: func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t },
		sleep: func(ctx context.Context, d time.Duration) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			f.sleeps = append(f.sleeps, d)
			f.t = f.t.Add(d)
			return nil
		},
	}
}

func fakeJWT(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// deviceServer answers the device authorization request and then the
// scripted poll responses in order.
func deviceServer(t *testing.T, interval, expiresIn int, polls []string) (*httptest.Server, *[]url.Values) {
	var mu sync.Mutex
	var seen []url.Values
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch r.URL.Path {
		case "/device":
			if r.PostForm.Get("client_id") != "cli" || !strings.Contains(r.PostForm.Get("scope"), "openid") {
				writeJSON(w, 400, map[string]string{"error": "invalid_request"})
				return
			}
			writeJSON(w, 200, map[string]any{"device_code": "DEV-CODE-secret", "user_code": "WDJB-MJHT", "verification_uri": "https://idp.example/device",
				"verification_uri_complete": "https://idp.example/device?user_code=WDJB-MJHT", "expires_in": expiresIn, "interval": interval})
		case "/token":
			mu.Lock()
			seen = append(seen, r.PostForm)
			step := "exhausted"
			if n < len(polls) {
				step = polls[n]
			}
			n++
			mu.Unlock()
			if step == "ok" {
				writeJSON(w, 200, map[string]any{"id_token": fakeJWT(map[string]any{"sub": "ming"}), "access_token": "at", "token_type": "Bearer", "expires_in": 300})
				return
			}
			writeJSON(w, 400, map[string]string{"error": step})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestDeviceLogin(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		name       string
		interval   int
		expiresIn  int
		polls      []string
		wantErr    error
		wantErrIn  string
		wantSleeps []time.Duration
	}{
		{"approved after pending", 2, 600, []string{"authorization_pending", "authorization_pending", "ok"}, nil, "", []time.Duration{2 * s, 2 * s, 2 * s}},
		{"slow_down adds five seconds each time", 1, 600, []string{"authorization_pending", "slow_down", "authorization_pending", "slow_down", "ok"}, nil, "",
			[]time.Duration{s, s, 6 * s, 6 * s, 11 * s}},
		{"no interval means five seconds", 0, 600, []string{"ok"}, nil, "", []time.Duration{5 * s}},
		{"denied", 1, 600, []string{"authorization_pending", "access_denied"}, ErrDenied, "", []time.Duration{s, s}},
		{"expired at the provider", 1, 600, []string{"expired_token"}, ErrExpired, "", []time.Duration{s}},
		{"expires_in reached while pending", 4, 10, []string{"authorization_pending", "authorization_pending", "authorization_pending"}, ErrExpired, "",
			[]time.Duration{4 * s, 4 * s}},
		{"other error", 1, 600, []string{"invalid_client"}, nil, "invalid_client", []time.Duration{s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := deviceServer(t, tc.interval, tc.expiresIn, tc.polls)
			fc := &fakeClock{t: time.Unix(1e9, 0)}
			var prompt bytes.Buffer
			c := &Client{Provider: &Provider{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token", DeviceAuthorizationEndpoint: srv.URL + "/device"},
				ClientID: "cli", Prompt: &prompt, clock: fc.clock()}
			toks, err := c.DeviceLogin(context.Background())
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
			case tc.wantErrIn != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErrIn) {
					t.Fatalf("err %v, want one mentioning %s", err, tc.wantErrIn)
				}
			case err != nil:
				t.Fatal(err)
			case unverifiedClaim(toks.IDToken.Reveal(), "sub") != "ming":
				t.Fatal("the ID token was not returned")
			}
			if !slices.Equal(fc.sleeps, tc.wantSleeps) {
				t.Errorf("slept %v, want %v", fc.sleeps, tc.wantSleeps)
			}
			for _, f := range *seen {
				if f.Get("grant_type") != GrantDeviceCode || f.Get("device_code") != "DEV-CODE-secret" || f.Get("client_id") != "cli" {
					t.Errorf("poll form %v", f)
				}
			}
			if p := prompt.String(); !strings.Contains(p, "https://idp.example/device") || !strings.Contains(p, "WDJB-MJHT") || strings.Contains(p, "DEV-CODE") {
				t.Errorf("prompt:\n%s", p)
			}
		})
	}
}

func TestDeviceLoginStopsOnCancel(t *testing.T) {
	srv, _ := deviceServer(t, 1, 600, []string{"authorization_pending", "authorization_pending", "authorization_pending"})
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{Provider: &Provider{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token", DeviceAuthorizationEndpoint: srv.URL + "/device"},
		ClientID: "cli", Prompt: io.Discard}
	done := make(chan error, 1)
	go func() { _, err := c.DeviceLogin(ctx); done <- err }()
	time.Sleep(100 * time.Millisecond) // inside the first one-second wait
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the flow did not stop when its context was cancelled")
	}
}

// fakeOP is an authorization server whose authorization endpoint redirects
// straight back (as if the person approved), and whose token endpoint
// checks the PKCE verifier.
type fakeOP struct {
	*httptest.Server
	mu          sync.Mutex
	challenge   string
	nonce       string
	redirect    func(q url.Values) url.Values // what the redirect carries
	badNonce    bool
	tokenErrors int
}

func newFakeOP(t *testing.T) *fakeOP {
	op := &fakeOP{}
	op.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/authorize":
			q := r.URL.Query()
			if q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" || q.Get("client_id") != "cli" ||
				!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") {
				http.Error(w, "bad authorization request", 400)
				return
			}
			op.mu.Lock()
			op.challenge, op.nonce = q.Get("code_challenge"), q.Get("nonce")
			op.mu.Unlock()
			back := url.Values{"code": {"the-code"}, "state": {q.Get("state")}}
			if op.redirect != nil {
				back = op.redirect(q)
			}
			http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
		case "/token":
			r.ParseForm()
			op.mu.Lock()
			defer op.mu.Unlock()
			if r.PostForm.Get("code") != "the-code" || pkceS256(r.PostForm.Get("code_verifier")) != op.challenge || r.PostForm.Get("grant_type") != "authorization_code" {
				op.tokenErrors++
				writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "code or verifier mismatch"})
				return
			}
			nonce := op.nonce
			if op.badNonce {
				nonce = "someone-else's"
			}
			writeJSON(w, 200, map[string]any{"id_token": fakeJWT(map[string]any{"sub": "ming", "nonce": nonce}), "token_type": "Bearer"})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(op.Close)
	return op
}

func TestBrowserLogin(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     func(*fakeOP)
		wantErr   error
		wantErrIn string
	}{
		{"code with the right state and verifier", nil, nil, ""},
		{"provider error", func(op *fakeOP) {
			op.redirect = func(q url.Values) url.Values {
				return url.Values{"error": {"access_denied"}, "error_description": {"the person said no"}, "state": {q.Get("state")}}
			}
		}, ErrDenied, ""},
		{"ID token for another request", func(op *fakeOP) { op.badNonce = true }, nil, "nonce"},
		{"redirect without a code", func(op *fakeOP) {
			op.redirect = func(q url.Values) url.Values { return url.Values{"state": {q.Get("state")}} }
		}, nil, "without a code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := newFakeOP(t)
			if tc.setup != nil {
				tc.setup(op)
			}
			browser := &http.Client{Timeout: 5 * time.Second}
			c := &Client{Provider: &Provider{Issuer: op.URL, AuthorizationEndpoint: op.URL + "/authorize", TokenEndpoint: op.URL + "/token",
				CodeChallengeMethods: []string{"plain", "S256"}}, ClientID: "cli",
				OpenURL: func(u string) error {
					// The "browser" follows the redirect to the loopback callback.
					go func() {
						if resp, err := browser.Get(u); err == nil {
							resp.Body.Close()
						}
					}()
					return nil
				}}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			toks, err := c.BrowserLogin(ctx)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err %v, want %v", err, tc.wantErr)
				}
			case tc.wantErrIn != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErrIn) {
					t.Fatalf("err %v, want one mentioning %q", err, tc.wantErrIn)
				}
			case err != nil:
				t.Fatal(err)
			case unverifiedClaim(toks.IDToken.Reveal(), "sub") != "ming" || op.tokenErrors != 0:
				t.Fatalf("token %v, token endpoint refusals %d", toks.IDToken, op.tokenErrors)
			}
		})
	}
}

// TestCallbackRefusesForeignState checks that a redirect with another
// state is answered 400 and does not end the sign-in, and that only the
// first matching redirect counts.
func TestCallbackRefusesForeignState(t *testing.T) {
	results := make(chan callback, 1)
	srv := httptest.NewServer(callbackHandler("expected-state", results))
	defer srv.Close()
	get := func(q url.Values) int {
		resp, err := http.Get(srv.URL + CallbackPath + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(body), "code-") {
			t.Error("the page echoes the code")
		}
		return resp.StatusCode
	}
	for _, q := range []url.Values{
		{"code": {"code-1"}, "state": {"forged"}},
		{"code": {"code-1"}},
		{"code": {"code-1"}, "state": {"expected-stat"}},
	} {
		if status := get(q); status != http.StatusBadRequest {
			t.Errorf("%v: %d, want 400", q, status)
		}
	}
	select {
	case cb := <-results:
		t.Fatalf("a foreign redirect ended the sign-in: %+v", cb)
	default:
	}
	if status := get(url.Values{"code": {"code-2"}, "state": {"expected-state"}}); status != http.StatusOK {
		t.Fatalf("matching redirect: %d", status)
	}
	if cb := <-results; cb.code != "code-2" || cb.err != nil {
		t.Fatalf("delivered %+v", cb)
	}
	if status := get(url.Values{"code": {"code-3"}, "state": {"expected-state"}}); status != http.StatusBadRequest {
		t.Fatalf("a replayed redirect: %d, want 400", status)
	}
}

func TestDiscover(t *testing.T) {
	var issuer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/idp/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, map[string]any{"issuer": issuer, "token_endpoint": "https://x/token", "device_authorization_endpoint": "https://x/device"})
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name, docIssuer, ask string
		ok                   bool
	}{
		{"same issuer", srv.URL + "/idp", srv.URL + "/idp", true},
		{"trailing slash asked", srv.URL + "/idp", srv.URL + "/idp/", true},
		{"document names another issuer", "https://evil.example/idp", srv.URL + "/idp", false},
		{"no document", srv.URL + "/other", srv.URL + "/other", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issuer = tc.docIssuer
			p, err := Discover(context.Background(), NewHTTPClient(), tc.ask)
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && p.DeviceAuthorizationEndpoint != "https://x/device" {
				t.Fatalf("%+v", p)
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"https://tipgate.example.com/", "https://tipgate.example.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://localhost:8080/base/", "http://localhost:8080/base"},
		{"http://[::1]:8080", "http://[::1]:8080"},
		{"http://tipgate.example.com", ""},
		{"ftp://x", ""},
		{"https://u:p@x.example", ""},
		{"https://x.example/?a=b", ""},
		{"x.example", ""},
	} {
		got, err := CheckURL("--server", tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("CheckURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
