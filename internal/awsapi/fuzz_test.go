package awsapi_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/dataapi"
)

// FuzzDataAPIRequest signs arbitrary bodies for every operation, so the
// decoders and the service behind them see them: any status may come back,
// but never a 5xx or a panic, and never a body that is not AWS-shaped.
func FuzzDataAPIRequest(f *testing.F) {
	for _, s := range []string{`{"Sql":"SELECT 1"}`, `{"Id":"x"}`, `{"Sqls":["SELECT 1"]}`, `{"Database":"dev","Table":"sales"}`, `{`, `[]`, `{"Sql":null}`,
		`{"Parameters":[{"name":"a","value":""}],"Sql":"SELECT :a"}`, `{"MaxResults":-1}`, `{"WaitTimeSeconds":1e99}`} {
		for _, op := range []string{"ExecuteStatement", "BatchExecuteStatement", "DescribeStatement", "GetStatementResult", "ListStatements", "DescribeTable", "CancelStatement"} {
			f.Add(op, s)
		}
	}
	srv := newServer(f)
	f.Fuzz(func(t *testing.T, op, body string) {
		req := signed(t, srv.URL, "RedshiftData."+op, body, time.Now(), secret)
		rec := httptest.NewRecorder()
		srv.Config.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, rec.Code, rec.Body)
		}
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), `"__type":"`) {
			t.Fatalf("%s %q: error body is not AWS-shaped: %s", op, body, rec.Body)
		}
	})
}

// FuzzTarget signs arbitrary bodies naming (or not) the workgroup, a
// cluster, an ARN and a database: the check answers a ValidationException
// or lets the request through, never a 5xx or a panic.
func FuzzTarget(f *testing.F) {
	for _, s := range []string{`{"Sql":"SELECT 1","WorkgroupName":"redshift-tip-enabled","Database":"dev"}`, `{"Sql":"SELECT 1","Database":"dev"}`,
		`{"WorkgroupName":"arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/redshift-tip-enabled","Database":"dev"}`,
		`{"ClusterIdentifier":"c","Database":"dev"}`, `{"WorkgroupName":"arn:::::","Database":null}`, `{"WorkgroupName":1}`} {
		f.Add("ExecuteStatement", s)
		f.Add("ListTables", s)
	}
	srv := newServerWith(f, dataapi.Options{}, awsapi.Options{Target: awsapi.Target{AccountID: "123456789012", Workgroup: "redshift-tip-enabled", Database: "dev"}})
	f.Fuzz(func(t *testing.T, op, body string) {
		req := signed(t, srv.URL, "RedshiftData."+op, body, time.Now(), secret)
		rec := httptest.NewRecorder()
		srv.Config.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", op, body, rec.Code, rec.Body)
		}
	})
}
