package reqid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/reqid"
)

var reFresh = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestValid(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"a", true},
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"Root=1-67891233-abcdef012345678912345678", false}, // '=' is not allowed
		{"svc.deploy_42:retry-1", true},
		{strings.Repeat("x", reqid.MaxLen), true},
		{strings.Repeat("x", reqid.MaxLen+1), false},
		{"", false},
		{"has space", false},
		{"line\nbreak", false},
		{"tab\t", false},
		{`quote"`, false},
		{"slash/", false},
		{"ünïcode", false},
		{"semi;colon", false},
	} {
		if got := reqid.Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := reqid.New()
		if !reFresh.MatchString(id) || !reqid.Valid(id) {
			t.Fatalf("New() = %q", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestMiddleware(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    string // "" means a fresh id
	}{
		{"missing", nil, ""},
		{"valid X-Request-Id", map[string]string{"X-Request-Id": "client-chosen.1"}, "client-chosen.1"},
		{"valid X-Amzn-RequestId", map[string]string{"X-Amzn-RequestId": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"X-Request-Id wins", map[string]string{"X-Request-Id": "first", "X-Amzn-RequestId": "second"}, "first"},
		{"invalid X-Request-Id falls back to X-Amzn-RequestId", map[string]string{"X-Request-Id": "bad id", "X-Amzn-RequestId": "second"}, "second"},
		{"invalid characters", map[string]string{"X-Request-Id": "evil\" injected=1"}, ""},
		{"too long", map[string]string{"X-Request-Id": strings.Repeat("a", 65)}, ""},
		{"empty", map[string]string{"X-Request-Id": ""}, ""},
		{"both invalid", map[string]string{"X-Request-Id": "a b", "X-Amzn-RequestId": "c/d"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inCtx string
			calls := 0
			h := reqid.Middleware(reqid.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				inCtx = reqid.ID(r.Context())
				// A handler asking again gets the same id.
				if _, again := reqid.FromRequest(w, r); again != inCtx {
					t.Errorf("FromRequest in the handler = %q, middleware said %q", again, inCtx)
				}
			})))
			req := httptest.NewRequest("GET", "/", nil)
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			got := rec.Header().Get(reqid.Header)
			if calls != 1 || got == "" || got != inCtx || len(rec.Header().Values(reqid.Header)) != 1 {
				t.Fatalf("response %q (%d values), context %q, calls %d", got, len(rec.Header().Values(reqid.Header)), inCtx, calls)
			}
			if tc.want != "" && got != tc.want {
				t.Fatalf("id %q, want %q", got, tc.want)
			}
			if tc.want == "" {
				if !reFresh.MatchString(got) {
					t.Fatalf("id %q is not a fresh id", got)
				}
				for _, v := range tc.headers {
					if v != "" && strings.Contains(got, v) {
						t.Fatalf("invalid incoming id %q echoed as %q", v, got)
					}
				}
			}
		})
	}
}

func TestEnsure(t *testing.T) {
	ctx, id := reqid.Ensure(context.Background())
	if id == "" || reqid.ID(ctx) != id {
		t.Fatalf("Ensure gave %q, context carries %q", id, reqid.ID(ctx))
	}
	if ctx2, id2 := reqid.Ensure(ctx); id2 != id || ctx2 != ctx {
		t.Fatalf("Ensure replaced %q with %q", id, id2)
	}
	if reqid.ID(context.Background()) != "" {
		t.Fatal("an empty context carries an id")
	}
}

func TestHandler(t *testing.T) {
	ctx := reqid.WithID(context.Background(), "rid-1")
	for _, tc := range []struct {
		name string
		log  func(l *slog.Logger)
		want map[string]any // attributes the line must carry; nil value: absent
	}{
		{"context", func(l *slog.Logger) { l.InfoContext(ctx, "m", "k", "v") }, map[string]any{"request_id": "rid-1", "k": "v"}},
		{"LogAttrs", func(l *slog.Logger) { l.LogAttrs(ctx, slog.LevelWarn, "m") }, map[string]any{"request_id": "rid-1"}},
		{"no id in context", func(l *slog.Logger) { l.Info("m") }, map[string]any{"request_id": nil}},
		{"explicit attribute kept", func(l *slog.Logger) { l.InfoContext(ctx, "m", "request_id", "other") }, map[string]any{"request_id": "other"}},
		{"logger attribute kept", func(l *slog.Logger) { l.With("request_id", "bound").InfoContext(ctx, "m") }, map[string]any{"request_id": "bound"}},
		{"With other attributes", func(l *slog.Logger) { l.With("a", 1).InfoContext(ctx, "m") }, map[string]any{"request_id": "rid-1", "a": float64(1)}},
		{"group", func(l *slog.Logger) { l.WithGroup("g").InfoContext(ctx, "m") }, map[string]any{"g": map[string]any{"request_id": "rid-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := reqid.Logger(slog.New(slog.NewJSONHandler(&buf, nil)))
			if reqid.Logger(l) != l {
				t.Fatal("Logger wrapped twice")
			}
			tc.log(l)
			line := buf.String()
			if strings.Count(line, `"request_id"`) > 1 {
				t.Fatalf("request_id twice: %s", line)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			for k, want := range tc.want {
				got, ok := v[k]
				if want == nil {
					if ok {
						t.Fatalf("%s present: %s", k, line)
					}
					continue
				}
				if gb, _ := json.Marshal(got); string(gb) != mustJSON(want) {
					t.Fatalf("%s = %s, want %s: %s", k, gb, mustJSON(want), line)
				}
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
