package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/scim"
)

var update = flag.Bool("update", false, "rewrite the golden responses of testdata/*.seq.json")

const testToken = "tok-0123456789abcdef0123456789abcdef"

// memAudit collects audit records.
type memAudit struct {
	mu   sync.Mutex
	recs []audit.Record
}

func (m *memAudit) Write(r audit.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

func (m *memAudit) all() []audit.Record {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]audit.Record(nil), m.recs...)
}

type env struct {
	h     *scim.Handler
	store scim.Store
	audit *memAudit
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

func newEnvTB(t testing.TB) *env {
	t.Helper()
	st, err := scim.OpenFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	if err := st.PutClient(context.Background(), scim.Client{Name: "idp", TokenHash: scim.HashToken(testToken), Created: now, Rotated: now}); err != nil {
		t.Fatal(err)
	}
	a := &memAudit{}
	// A clock that moves a second per reading, so resources have an order.
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
	h, err := scim.New(scim.Options{Store: st, Audit: a, BaseURL: "https://tipgate.example/scim/v2", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return &env{h: h, store: st, audit: a}
}

func (e *env) do(t testing.TB, method, path, body string, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// step is one request of a provisioning sequence, as an IdP sends it.
type step struct {
	Name   string            `json:"name"`
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Header map[string]string `json:"header,omitempty"`
	Body   json.RawMessage   `json:"body,omitempty"`
	// Save names the created resource's id: later paths and bodies use
	// {name}, and responses show <name> in its place.
	Save string `json:"save,omitempty"`
	// Status and Response are the golden answer (-update rewrites them).
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response,omitempty"`
}

var timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

func TestGoldenSequences(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.seq.json")
	if len(files) == 0 {
		t.Fatal("no sequences")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".seq.json"), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var steps []step
			if err := json.Unmarshal(b, &steps); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t)
			ids := map[string]string{}
			subst := func(s string) string {
				for k, v := range ids {
					s = strings.ReplaceAll(s, "{"+k+"}", v)
				}
				return s
			}
			for i := range steps {
				st := &steps[i]
				body := ""
				if len(st.Body) > 0 {
					body = string(st.Body)
					// A JSON string is a raw body (malformed on purpose).
					var raw string
					if json.Unmarshal(st.Body, &raw) == nil {
						body = raw
					}
					body = subst(body)
				}
				status, _, resp := e.do(t, st.Method, subst(st.Path), body, st.Header)
				if st.Save != "" {
					var r struct{ ID string }
					if json.Unmarshal(resp, &r) != nil || r.ID == "" {
						t.Fatalf("%s: no id in %s", st.Name, resp)
					}
					ids[st.Save] = r.ID
				}
				got := normalize(resp, ids)
				if *update {
					st.Status, st.Response = status, got
					continue
				}
				if status != st.Status || !jsonEqual(got, st.Response) {
					t.Errorf("step %d %q: got %d\n%s\nwant %d\n%s", i+1, st.Name, status, got, st.Status, st.Response)
				}
			}
			if *update {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(steps); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// normalize replaces saved ids by <name> and times by <time>, and
// re-indents, so golden files are stable and readable.
func normalize(b []byte, ids map[string]string) json.RawMessage {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	s := string(b)
	names := make([]string, 0, len(ids))
	for k := range ids {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s = strings.ReplaceAll(s, ids[k], "<"+k+">")
	}
	s = timeRE.ReplaceAllString(s, "<time>")
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return json.RawMessage(fmt.Sprintf("%q", s))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(sortLists(v))
	return bytes.TrimSpace(buf.Bytes())
}

// sortLists orders members and groups lists by value, whose order the
// service provider does not promise.
func sortLists(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = sortLists(x)
		}
	case []any:
		for i, x := range t {
			t[i] = sortLists(x)
		}
		sort.SliceStable(t, func(i, j int) bool {
			a, _ := t[i].(map[string]any)
			b, _ := t[j].(map[string]any)
			av, _ := a["value"].(string)
			bv, _ := b["value"].(string)
			return av < bv
		})
	}
	return v
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
