package awsapi_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	reUUID     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	reVolatile = map[string]bool{"CreatedAt": true, "UpdatedAt": true, "Duration": true, "NextToken": true, "ResultSize": true}
)

// normalize replaces values that change between runs so the wire shape can
// be compared byte for byte.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if reVolatile[k] {
				x[k] = "<" + k + ">"
				continue
			}
			x[k] = normalize(val)
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	case string:
		return reUUID.ReplaceAllString(x, "<uuid>")
	}
	return v
}

// TestGolden pins the AWS wire format: each exchange's request and
// normalized response are compared with testdata/awsapi/NAME.golden.
func TestGolden(t *testing.T) {
	srv := newServer(t)
	var lastID string
	steps := []struct{ name, target, body string }{
		{"execute", "RedshiftData.ExecuteStatement", `{"Sql":"SELECT id, region, amount FROM sales ORDER BY id","Database":"dev","WorkgroupName":"redshift-tip-enabled"}`},
		{"describe", "RedshiftData.DescribeStatement", `{"Id":"$ID","WaitTimeSeconds":20}`},
		{"result", "RedshiftData.GetStatementResult", `{"Id":"$ID","WaitTimeSeconds":20}`},
		{"execute_csv", "RedshiftData.ExecuteStatement", `{"Sql":"SELECT id, amount FROM sales ORDER BY id","Database":"dev","ResultFormat":"CSV"}`},
		{"result_v2", "RedshiftData.GetStatementResultV2", `{"Id":"$ID","WaitTimeSeconds":20}`},
		{"failed_describe_prepare", "RedshiftData.ExecuteStatement", `{"Sql":"SELECT nope FROM sales","Database":"dev"}`},
		{"failed_describe", "RedshiftData.DescribeStatement", `{"Id":"$ID","WaitTimeSeconds":20}`},
		{"list_tables", "RedshiftData.ListTables", `{"Database":"dev"}`},
		{"describe_table", "RedshiftData.DescribeTable", `{"Database":"dev","Table":"sales"}`},
		{"list_databases", "RedshiftData.ListDatabases", `{"Database":"dev"}`},
		{"list_schemas", "RedshiftData.ListSchemas", `{"Database":"dev"}`},
		{"not_found", "RedshiftData.DescribeStatement", `{"Id":"00000000-0000-4000-8000-000000000000"}`},
		{"validation", "RedshiftData.ExecuteStatement", `{"Sql":"SELECT 1","ResultFormat":"XML"}`},
		{"cancel_finished", "RedshiftData.CancelStatement", `{"Id":"$ID"}`},
	}
	for _, st := range steps {
		body := strings.ReplaceAll(st.body, "$ID", lastID)
		resp, err := http.DefaultClient.Do(signed(t, srv.URL, st.target, body, time.Now(), secret))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %s", st.name, raw)
		}
		if id, ok := v["Id"].(string); ok && st.target != "RedshiftData.DescribeStatement" {
			lastID = id
		}
		pretty, _ := json.MarshalIndent(normalize(v), "", "  ")
		got := fmt.Sprintf("POST / HTTP/1.1\nContent-Type: %s\nX-Amz-Target: %s\n\n%s\n\nHTTP %d\nContent-Type: %s\n\n%s\n",
			"application/x-amz-json-1.1", st.target, reUUID.ReplaceAllString(body, "<uuid>"), resp.StatusCode, resp.Header.Get("Content-Type"), pretty)
		path := filepath.Join("..", "..", "testdata", "awsapi", st.name+".golden")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to create)", st.name, err)
		}
		if got != string(want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", st.name, path, got, want)
		}
	}
}
