package restapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/restapi"
)

// tokens stands in for session verification, which identity tests cover:
// here only the binding's behaviour is under test.
type tokens map[string]identity.Principal

func (t tokens) Verify(_ context.Context, bearer string) (identity.Principal, error) {
	if p, ok := t[bearer]; ok {
		return p, nil
	}
	return identity.Principal{}, &identity.Error{Code: identity.CodeBadSignature, Msg: "unknown test token"}
}

func setup(t testing.TB) (*httptest.Server, func(method, path, token, body string) (int, map[string]any)) {
	t.Helper()
	return setupWith(t, dataapi.Options{PageRows: 400})
}

func setupWith(t testing.TB, opts dataapi.Options) (*httptest.Server, func(method, path, token, body string) (int, map[string]any)) {
	t.Helper()
	ctx := context.Background()
	eng := duckdbtest.New(t, 1,
		"CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2))",
		"INSERT INTO sales SELECT i, CASE WHEN i % 2 = 0 THEN 'asia' ELSE 'amer' END, i / 4.0 FROM range(1, 2001) r(i)",
		`CREATE ROLE "AWSIDC:apac"`, `GRANT SELECT ON sales TO ROLE "AWSIDC:apac"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`, "ALTER TABLE sales ROW LEVEL SECURITY ON",
	)
	opts.DataDir = t.TempDir()
	svc, err := dataapi.New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	frank, _ := identity.Simulated("frank@example.com", "AWSIDC", nil)
	srv := httptest.NewServer(restapi.New(svc, tokens{"tok-ming": ming, "tok-frank": frank, "tok-admin": identity.LocalSuperuser()}, nil))
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.json is not valid OpenAPI: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: srv.URL}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		// Every response must match the contract.
		vreq, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if route, params, err := router.FindRoute(vreq); err == nil {
			in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
			out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
				Options: &openapi3filter.Options{IncludeResponseStatus: true}}
			out.SetBodyBytes(b)
			if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
				t.Errorf("%s %s → %d does not match openapi.json: %v\n%s", method, path, resp.StatusCode, err, b)
			}
		} else if !errors.Is(err, context.Canceled) && resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s is not in openapi.json: %v", method, path, err)
		}
		var v map[string]any
		json.Unmarshal(b, &v)
		return resp.StatusCode, v
	}
	return srv, call
}

func TestREST(t *testing.T) {
	_, call := setup(t)
	status, out := call("POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT id, amount FROM sales WHERE id > :min ORDER BY id","Parameters":[{"name":"min","value":"10"}],"StatementName":"r1"}`)
	if status != 200 {
		t.Fatalf("execute: %d %v", status, out)
	}
	id := out["Id"].(string)
	status, d := call("GET", "/v1/statements/"+id+"?WaitTimeSeconds=20", "tok-ming", "")
	if status != 200 || d["Status"] != "FINISHED" || d["ResultRows"].(float64) != 995 {
		t.Fatalf("describe: %d %v", status, d)
	}
	next, rows, pages := "", 0, 0
	for {
		path := "/v1/statements/" + id + "/result"
		if next != "" {
			path += "?NextToken=" + next
		}
		status, r := call("GET", path, "tok-ming", "")
		if status != 200 {
			t.Fatalf("result: %d %v", status, r)
		}
		pages++
		rows += len(r["Records"].([]any))
		tok, _ := r["NextToken"].(string)
		if tok == "" {
			break
		}
		next = tok
	}
	if rows != 995 || pages != 3 {
		t.Fatalf("%d rows in %d pages", rows, pages)
	}
	for _, tc := range []struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		{"GET", "/v1/statements/" + id, "", "", 401, "unauthenticated"},
		{"GET", "/v1/statements/" + id, "tok-nobody", "", 401, "invalid_token"},
		{"GET", "/v1/statements/" + id, "tok-frank", "", 404, "not_found"},
		{"GET", "/v1/statements/" + id + "/result", "tok-frank", "", 404, "not_found"},
		{"POST", "/v1/statements/" + id + "/cancel", "tok-frank", "", 404, "not_found"},
		{"POST", "/v1/statements/" + id + "/cancel", "tok-ming", "", 400, "validation"},
		{"POST", "/v1/statements", "tok-ming", `{"Sql": 1}`, 400, "validation"},
		{"POST", "/v1/statements", "tok-ming", `{"Sql": "SELECT :x"}`, 400, "validation"},
		{"POST", "/v1/statements", "tok-ming", `not json`, 400, "validation"},
		{"GET", "/v1/statements?MaxResults=1000", "tok-ming", "", 400, "validation"},
		{"GET", "/v1/statements/" + id + "?WaitTimeSeconds=99", "tok-ming", "", 400, "validation"},
		{"GET", "/v1/tables/public/nope", "tok-ming", "", 404, "not_found"},
	} {
		status, body := call(tc.method, tc.path, tc.token, tc.body)
		if status != tc.status || body["code"] != tc.code {
			t.Errorf("%s %s as %q: %d %v, want %d %s", tc.method, tc.path, tc.token, status, body, tc.status, tc.code)
		}
	}
	status, list := call("GET", "/v1/statements?StatementName=r", "tok-ming", "")
	if status != 200 || len(list["Statements"].([]any)) != 1 {
		t.Fatalf("list: %v", list)
	}
	if status, l := call("GET", "/v1/statements", "tok-frank", ""); status != 200 || len(l["Statements"].([]any)) != 0 {
		t.Fatalf("frank lists ming's statements: %v", l)
	}
	status, tables := call("GET", "/v1/tables", "tok-ming", "")
	if status != 200 || len(tables["Tables"].([]any)) != 1 {
		t.Fatalf("tables: %v", tables)
	}
	if _, tables := call("GET", "/v1/tables", "tok-frank", ""); len(tables["Tables"].([]any)) != 0 {
		t.Fatalf("frank may read no table: %v", tables)
	}
	status, desc := call("GET", "/v1/tables/public/sales", "tok-ming", "")
	if status != 200 || len(desc["ColumnList"].([]any)) != 3 {
		t.Fatalf("describe table: %v", desc)
	}
	call("GET", "/v1/databases", "tok-ming", "")
	if _, who := call("GET", "/v1/whoami", "tok-ming", ""); who["User"] != "AWSIDC:ming@example.com" || len(who["Roles"].([]any)) != 1 {
		t.Fatalf("whoami: %v", who)
	}
	call("GET", "/v1/schemas?SchemaPattern=pub%25", "tok-ming", "")
	// CSV results and a failed statement.
	_, out = call("POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT id FROM sales WHERE id < 5 ORDER BY id","ResultFormat":"CSV","WaitTimeSeconds":10}`)
	_, csv := call("GET", "/v1/statements/"+out["Id"].(string)+"/result?format=csv", "tok-ming", "")
	if recs := csv["Records"].([]any); len(recs) != 1 || recs[0].(map[string]any)["CSVRecords"] != "2\n4\n" {
		t.Fatalf("csv: %v", csv)
	}
	_, out = call("POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT * FROM nowhere","WaitTimeSeconds":10}`)
	if out["Status"] != "FAILED" {
		t.Fatalf("failed statement: %v", out)
	}
}

func TestArrowStream(t *testing.T) {
	srv, call := setup(t)
	_, out := call("POST", "/v1/statements", "tok-ming", `{"Sql":"SELECT id, region, amount FROM sales ORDER BY id","WaitTimeSeconds":20}`)
	id := out["Id"].(string)
	get := func(token string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/statements/"+id+"/result?format=arrow", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := get("tok-ming")
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.apache.arrow.stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rd, err := ipc.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	rows, batches := int64(0), 0
	var first, last int64
	for rd.Next() {
		rec := rd.RecordBatch()
		ids := rec.Column(0).(*array.Int64)
		if batches == 0 {
			first = ids.Value(0)
			if s := rec.Schema().Field(2).Type.String(); s != "decimal(10, 2)" {
				t.Fatalf("amount is %s", s)
			}
		}
		last = ids.Value(ids.Len() - 1)
		rows += rec.NumRows()
		batches++
	}
	if rows != 1000 || batches != 3 || first != 2 || last != 2000 {
		t.Fatalf("%d rows in %d batches, first %d last %d", rows, batches, first, last)
	}
	// Another principal: not found, as JSON.
	other := get("tok-frank")
	defer other.Body.Close()
	if other.StatusCode != 404 || !strings.HasPrefix(other.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("frank: %d %s", other.StatusCode, other.Header.Get("Content-Type"))
	}
}
