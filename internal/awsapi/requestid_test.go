package awsapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/testenv/logbuf"
)

var reFreshID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// requestIDServer is the Data API binding alone (no server middleware),
// with an audit log and captured logs.
func requestIDServer(t *testing.T) (*httptest.Server, *audit.Log, *logbuf.Buffer) {
	t.Helper()
	eng := duckdbtest.New(t, 1, "CREATE TABLE sales (id INT)", "INSERT INTO sales VALUES (1), (2)",
		`CREATE ROLE "AWSIDC:apac"`, `GRANT SELECT ON sales TO ROLE "AWSIDC:apac"`)
	alog, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alog.Close() })
	logs := &logbuf.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Audit: alog, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	srv := httptest.NewServer(awsapi.NewDataAPI(svc, awsapi.StaticCredentials{akid: {SecretAccessKey: secret, Principal: ming}}, awsapi.Options{Logger: log}))
	t.Cleanup(srv.Close)
	return srv, alog, logs
}

// TestRequestID: every answer names one id in X-Amzn-RequestId (what AWS
// SDKs read) and X-Request-Id; a well-formed incoming id is that id, an
// ill-formed one is replaced; the statement's audit record and the log
// lines of the request carry the same id.
func TestRequestID(t *testing.T) {
	srv, alog, logs := requestIDServer(t)
	for _, tc := range []struct {
		name     string
		incoming string
		body     string
		key      string
		status   int
		want     string // the id expected; "" means a fresh one
		audit    string // the audit record expected: "statement", "auth_failure" or ""
		logMsg   string // a log line expected to carry the id
	}{
		{"fresh id", "", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, secret, 200, "", "statement", "statement ended"},
		{"client id", "deploy-42.retry:1", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, secret, 200, "deploy-42.retry:1", "statement", "statement ended"},
		{"ill-formed client id", "no spaces\tallowed", `{"Sql":"SELECT count(*) FROM sales","WaitTimeSeconds":20}`, secret, 200, "", "statement", "statement ended"},
		{"refused request", "refused-1", `{"Sql":"SELECT 1","ResultFormat":"XML"}`, secret, 400, "refused-1", "", "redshift-data request refused"},
		{"refused signature", "", `{"Sql":"SELECT 1"}`, "wrong-secret", 400, "", "auth_failure", "redshift-data request refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A signature is used once: each case signs a body of its own.
			body := strings.Replace(tc.body, "{", `{"StatementName":"`+strings.ReplaceAll(tc.name, " ", "-")+`",`, 1)
			req := signed(t, srv.URL, "RedshiftData.ExecuteStatement", body, time.Now(), tc.key)
			if tc.incoming != "" {
				req.Header.Set(reqid.Header, tc.incoming)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			amzn, plain := resp.Header.Get(reqid.AmznHeader), resp.Header.Get(reqid.Header)
			if resp.StatusCode != tc.status || amzn == "" || amzn != plain {
				t.Fatalf("HTTP %d, X-Amzn-RequestId %q, X-Request-Id %q: %s", resp.StatusCode, amzn, plain, raw)
			}
			if tc.want != "" && amzn != tc.want || tc.want == "" && !reFreshID.MatchString(amzn) {
				t.Fatalf("request id %q, want %q", amzn, tc.want)
			}
			var out struct{ Id string }
			json.Unmarshal(raw, &out)
			if tc.audit != "" {
				recs := alog.Recent(func(r audit.Record) bool { return r.Kind == tc.audit && r.RequestID == amzn }, 0)
				if len(recs) != 1 || tc.audit == "statement" && recs[0].StatementID != out.Id {
					t.Fatalf("audit records with request_id %s: %+v", amzn, recs)
				}
			}
			if !hasLogLine(logs.String(), tc.logMsg, amzn) {
				t.Fatalf("no %q log line with request_id %s:\n%s", tc.logMsg, amzn, logs)
			}
		})
	}
}

// TestRequestIDSDK: the id the AWS SDK reports (response metadata, and
// RequestID on errors) is the one the audit log recorded.
func TestRequestIDSDK(t *testing.T) {
	srv, alog, _ := requestIDServer(t)
	ctx := context.Background()
	c := client(srv.URL, akid, secret)
	out, err := c.ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT id FROM sales"), Database: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	rid, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if !ok || rid == "" {
		t.Fatal("the SDK saw no request id")
	}
	if _, err := c.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: out.Id}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	var recs []audit.Record
	for len(recs) == 0 && time.Now().Before(deadline) {
		recs = alog.Recent(func(r audit.Record) bool { return r.StatementID == *out.Id }, 0)
		time.Sleep(10 * time.Millisecond)
	}
	if len(recs) != 1 || recs[0].RequestID != rid {
		t.Fatalf("audit %+v, the SDK saw request id %s", recs, rid)
	}
	_, err = client(srv.URL, akid, "wrong").ExecuteStatement(ctx, &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT 1"), Database: aws.String("dev")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("error %v carries no request id", err)
	}
	if recs := alog.Recent(func(r audit.Record) bool { return r.Kind == "auth_failure" }, 1); len(recs) != 1 || recs[0].RequestID != re.ServiceRequestID() {
		t.Fatalf("auth failure audit %+v, the SDK saw %s", recs, re.ServiceRequestID())
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
