package restapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/restapi"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

// TestRequestID: every /v1 answer names its request id in X-Request-Id (a
// well-formed incoming one, else a fresh one); the statement the request
// submitted is audited with that id, GET /v1/audit shows it, and the log
// lines written while serving the request carry it.
func TestRequestID(t *testing.T) {
	eng := duckdbtest.New(t, 1, "CREATE TABLE sales (id INT)", "INSERT INTO sales VALUES (1), (2)",
		`CREATE ROLE "AWSIDC:apac"`, `GRANT SELECT ON sales TO ROLE "AWSIDC:apac"`)
	alog, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer alog.Close()
	var logs logbuf.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Audit: alog, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	srv := httptest.NewServer(restapi.New(svc, tokens{"tok-ming": ming, "tok-su": identity.LocalSuperuser()}, log))
	defer srv.Close()
	reFresh := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

	for _, tc := range []struct {
		name, method, path, token, body string
		incoming                        string
		status                          int
		want                            string // "" means a fresh id
		audit                           string // the audit record's kind, or ""
		logMsg                          string // a log line that must carry the id
	}{
		{"statement, fresh id", "POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, "", 200, "", "statement", "statement ended"},
		{"statement, client id", "POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, "cli-7f3a", 200, "cli-7f3a", "statement", "statement ended"},
		{"statement, ill-formed id", "POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, "x\"; drop", 200, "", "statement", "statement ended"},
		{"failing statement", "POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT nope FROM sales","WaitTimeSeconds":20}`, "fail-1", 200, "fail-1", "statement", "statement ended"},
		{"refused body", "POST", "/v1/statements", "tok-ming", `{"Sql":`, "bad-body", 400, "bad-body", "", "rest request refused"},
		{"no token", "GET", "/v1/statements", "", "", "anon-1", 401, "anon-1", "auth_failure", "rest request refused"},
		{"bad token", "GET", "/v1/statements", "tok-nobody", "", "", 401, "", "auth_failure", "rest request refused"},
		{"unknown endpoint", "GET", "/v1/nope", "tok-ming", "", "", 404, "", "", "rest request refused"},
		{"contract", "GET", "/v1/openapi.json", "", "", "spec-1", 200, "spec-1", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			if tc.incoming != "" {
				req.Header.Set(reqid.Header, tc.incoming)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			id := resp.Header.Get(reqid.Header)
			if resp.StatusCode != tc.status || len(resp.Header.Values(reqid.Header)) != 1 {
				t.Fatalf("HTTP %d, X-Request-Id %q: %s", resp.StatusCode, resp.Header.Values(reqid.Header), raw)
			}
			if tc.want != "" && id != tc.want || tc.want == "" && !reFresh.MatchString(id) {
				t.Fatalf("request id %q, want %q", id, tc.want)
			}
			if tc.audit != "" {
				var out struct{ Id string }
				json.Unmarshal(raw, &out)
				recs := alog.Recent(func(r audit.Record) bool { return r.Kind == tc.audit && r.RequestID == id }, 0)
				if len(recs) != 1 || tc.audit == "statement" && recs[0].StatementID != out.Id {
					t.Fatalf("audit records with request_id %s: %+v", id, recs)
				}
				if tc.audit == "statement" {
					// The admin's audit view carries it too.
					req, _ := http.NewRequest("GET", srv.URL+"/v1/audit", nil)
					req.Header.Set("Authorization", "Bearer tok-su")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					var got struct{ Records []map[string]any }
					json.NewDecoder(resp.Body).Decode(&got)
					resp.Body.Close()
					found := false
					for _, r := range got.Records {
						found = found || r["statement_id"] == out.Id && r["request_id"] == id
					}
					if !found {
						t.Fatalf("GET /v1/audit has no record of %s with request_id %s: %v", out.Id, id, got.Records)
					}
				}
			}
			if tc.logMsg != "" && !hasLogLine(logs.String(), tc.logMsg, id) {
				t.Fatalf("no %q log line with request_id %s:\n%s", tc.logMsg, id, logs.String())
			}
		})
	}
}

func hasLogLine(logs, msg, id string) bool {
	for _, l := range strings.Split(logs, "\n") {
		var v map[string]any
		if json.Unmarshal([]byte(l), &v) == nil && v["msg"] == msg && v["request_id"] == id {
			return true
		}
	}
	return false
}
