package restapi_test

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestExecuteIncludeResult: POST /v1/statements with IncludeResult answers
// with the first page when the statement finished within the wait, the
// same page GET …/result answers, and nothing else changes.
func TestExecuteIncludeResult(t *testing.T) {
	_, call := setup(t)
	for _, tc := range []struct {
		name, token, body string
		status            int
		code              string // error code, for refusals
		statusField       string // the statement's Status
		rows              int    // records in the included page; -1: no Result member
		more              bool   // the included page has a NextToken
	}{
		{name: "one page", token: "tok-ming", body: `{"Sql":"SELECT id, amount FROM sales WHERE id < 9 ORDER BY id","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FINISHED", rows: 4},
		{name: "first of three pages", token: "tok-ming", body: `{"Sql":"SELECT id FROM sales ORDER BY id","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FINISHED", rows: 400, more: true},
		{name: "CSV", token: "tok-ming", body: `{"Sql":"SELECT id FROM sales WHERE id < 5 ORDER BY id","ResultFormat":"CSV","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FINISHED", rows: 1},
		{name: "CSV, no rows", token: "tok-ming", body: `{"Sql":"SELECT id FROM sales WHERE id < 0","ResultFormat":"CSV","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FINISHED", rows: 0},
		{name: "no rows", token: "tok-ming", body: `{"Sql":"SELECT id FROM sales WHERE id < 0","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FINISHED", rows: 0},
		{name: "without IncludeResult", token: "tok-ming", body: `{"Sql":"SELECT 1","WaitTimeSeconds":10}`,
			status: 200, statusField: "FINISHED", rows: -1},
		{name: "failed statement", token: "tok-ming", body: `{"Sql":"SELECT * FROM nowhere","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FAILED", rows: -1},
		{name: "refused by policy", token: "tok-frank", body: `{"Sql":"SELECT id FROM sales","WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 200, statusField: "FAILED", rows: -1},
		{name: "batch", token: "tok-ming", body: `{"Sqls":["SELECT 1","SELECT 2"],"WaitTimeSeconds":10,"IncludeResult":true}`,
			status: 400, code: "validation"},
		{name: "no wait", token: "tok-ming", body: `{"Sql":"SELECT 1","IncludeResult":true}`,
			status: 400, code: "validation"},
		{name: "zero wait", token: "tok-ming", body: `{"Sql":"SELECT 1","WaitTimeSeconds":0,"IncludeResult":true}`,
			status: 400, code: "validation"},
		{name: "not a boolean", token: "tok-ming", body: `{"Sql":"SELECT 1","WaitTimeSeconds":1,"IncludeResult":"yes"}`,
			status: 400, code: "validation"},
		{name: "unauthenticated", token: "", body: `{"Sql":"SELECT 1","WaitTimeSeconds":1,"IncludeResult":true}`,
			status: 401, code: "unauthenticated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := call("POST", "/v1/statements", tc.token, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %v", status, tc.status, out)
			}
			if tc.code != "" {
				if out["code"] != tc.code {
					t.Fatalf("code %v, want %s", out["code"], tc.code)
				}
				return
			}
			if out["Status"] != tc.statusField {
				t.Fatalf("Status %v, want %s: %v", out["Status"], tc.statusField, out)
			}
			res, ok := out["Result"].(map[string]any)
			if tc.rows < 0 {
				if _, has := out["Result"]; has {
					t.Fatalf("a Result where none belongs: %v", out)
				}
				return
			}
			if !ok {
				t.Fatalf("no Result: %v", out)
			}
			if n := len(res["Records"].([]any)); n != tc.rows {
				t.Fatalf("%d records, want %d", n, tc.rows)
			}
			next, _ := res["NextToken"].(string)
			if (next != "") != tc.more {
				t.Fatalf("NextToken %q, want one: %v", next, tc.more)
			}
			// The included page is exactly what GET …/result answers.
			path := "/v1/statements/" + out["Id"].(string) + "/result"
			if strings.Contains(tc.body, `"CSV"`) {
				path += "?format=csv"
			}
			if _, got := call("GET", path, tc.token, ""); !reflect.DeepEqual(got, res) {
				t.Fatalf("included page %v\nGET answers %v", res, got)
			}
			if next == "" {
				return
			}
			// Its NextToken reads page two, for its owner only.
			status, p2 := call("GET", path+"?NextToken="+next, tc.token, "")
			if status != 200 || len(p2["Records"].([]any)) != 400 {
				t.Fatalf("page two: %d %v", status, p2)
			}
			if status, body := call("GET", path+"?NextToken="+next, "tok-frank", ""); status != 404 {
				t.Fatalf("page two as frank: %d %v", status, body)
			}
		})
	}
	// Row-level security: ming counts no row outside Asia.
	_, out := call("POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT count(*) AS n FROM sales WHERE region <> 'asia'","WaitTimeSeconds":10,"IncludeResult":true}`)
	if n := out["Result"].(map[string]any)["Records"].([]any)[0].([]any)[0].(map[string]any)["longValue"]; n != float64(0) {
		t.Fatalf("ming counts %v rows outside Asia", n)
	}
}

// TestExecuteIncludeResultGolden pins the wire form of an answer with its
// first page (the statement id and times replaced).
func TestExecuteIncludeResultGolden(t *testing.T) {
	srv, _ := setup(t)
	for _, tc := range []struct{ name, body string }{
		{"execute-include-result-json", `{"Sql":"SELECT id, region, amount FROM sales WHERE id < 5 ORDER BY id","WaitTimeSeconds":10,"IncludeResult":true}`},
		{"execute-include-result-csv", `{"Sql":"SELECT id, region, amount FROM sales WHERE id < 5 ORDER BY id","ResultFormat":"CSV","WaitTimeSeconds":10,"IncludeResult":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", srv.URL+"/v1/statements", strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer tok-ming")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" || resp.Header.Get("Content-Length") == "" {
				t.Fatalf("%d %v\n%s", resp.StatusCode, resp.Header, b)
			}
			b = regexp.MustCompile(`"Id":"[^"]+"`).ReplaceAll(b, []byte(`"Id":"ID"`))
			b = regexp.MustCompile(`"CreatedAt":"[^"]+"`).ReplaceAll(b, []byte(`"CreatedAt":"TIME"`))
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(b, want) {
				t.Fatalf("got\n%s\nwant\n%s", b, want)
			}
		})
	}
}
