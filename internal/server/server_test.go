package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"

	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/testenv/demoserver"
	"github.com/tipgate/tipgate/internal/testenv/pgserver"
	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

const (
	demoPassword = demoserver.Password
	accessKey    = "AKIATIPGATETEST00001"
	secretKey    = "test-secret-access-key-0123456789"
)

// startServer starts the shared test server (internal/testenv/demoserver).
func startServer(t *testing.T) (*server.Server, *demoserver.Logs) {
	t.Helper()
	return startServerWith(t, "")
}

// startServerWith adds a service access key (ming's groups) and extra to
// the test configuration.
func startServerWith(t *testing.T, extra string) (*server.Server, *demoserver.Logs) {
	t.Helper()
	return startServerOn(t, "", extra)
}

// startServerOn starts the test server on a warehouse configured by
// warehouse ([warehouse] lines; empty: the embedded engine).
func startServerOn(t *testing.T, warehouse, extra string) (*server.Server, *demoserver.Logs) {
	t.Helper()
	s := demoserver.Start(t, demoserver.Options{Warehouse: warehouse, Extra: `
[[awsapi.access_keys]]
access_key_id = "` + accessKey + `"
secret_access_key = "` + secretKey + `"
user = "ming@example.com"
namespace = "AWSIDC"
groups = ["apac-sales"]
` + extra})
	return s.Server, s.Logs
}

func postForm(t *testing.T, u string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

func rest(t *testing.T, method, u, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// TestEndToEnd follows a person from sign-in at the embedded IdP through
// token exchange to the Data API and the REST binding, and a service through
// SigV4, on the three engines: the embedded DuckDB, a real PostgreSQL and a
// real Trino cluster.
func TestEndToEnd(t *testing.T) {
	t.Run("duckdb", func(t *testing.T) { testEndToEnd(t, "") })
	t.Run("postgres", func(t *testing.T) {
		pg := pgserver.Start(t)
		testEndToEnd(t, `engine = "postgres"`+"\n"+`dsn = "`+pg.DSN(pg.NewDatabase(t))+`"`)
	})
	t.Run("trino", func(t *testing.T) { testEndToEnd(t, trinoWarehouse(t)) })
}

// trinoWarehouse is the [warehouse] lines of a server on the binary's Trino
// cluster (coordinator + worker, trinoserver), in a schema of its own. The
// engine writes the cluster's whole rules file: servers on Trino in this
// binary run one at a time (no t.Parallel).
func trinoWarehouse(t *testing.T) string {
	c := trinoserver.Start(t)
	schema := fmt.Sprintf("srv_%d", trinoSchemas.Add(1))
	return `engine = "trino"` + "\n" + `dsn = ` + strconv.Quote(c.EngineDSN(t, schema))
}

var trinoSchemas atomic.Int64

func testEndToEnd(t *testing.T, warehouse string) {
	srv, logs := startServerOn(t, warehouse, "")
	base := srv.URL
	var secrets []string
	regions := map[string]string{"ming@example.com": "Asia", "frank@example.com": "America", "alex@example.com": "Europe"}
	for email, region := range regions {
		status, tok := postForm(t, base+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {email}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
		idTok, _ := tok["id_token"].(string)
		if status != 200 || idTok == "" {
			t.Fatalf("%s: password grant: %d %v", email, status, tok)
		}
		status, ex := postForm(t, base+"/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
			"subject_token": {idTok}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
		session, _ := ex["access_token"].(string)
		if status != 200 || session == "" {
			t.Fatalf("%s: token exchange: %d %v", email, status, ex)
		}
		secrets = append(secrets, idTok, session)
		status, out := rest(t, "POST", base+"/v1/statements", session,
			`{"Sql":"SELECT DISTINCT split_part(timezone, '/', 1) FROM sales_data","WaitTimeSeconds":20}`)
		if status != 200 || out["Status"] != "FINISHED" {
			t.Fatalf("%s: execute: %d %v", email, status, out)
		}
		_, res := rest(t, "GET", base+"/v1/statements/"+out["Id"].(string)+"/result", session, "")
		recs := res["Records"].([]any)
		if len(recs) != 1 || recs[0].([]any)[0].(map[string]any)["stringValue"] != region {
			t.Fatalf("%s sees %v, want only %s", email, recs, region)
		}
		// Sign-out revokes the session everywhere.
		if status, _ := postForm(t, base+"/oauth2/revoke", url.Values{"token": {session}}); status != 200 {
			t.Fatalf("revoke: %d", status)
		}
		if status, body := rest(t, "GET", base+"/v1/statements", session, ""); status != 401 {
			t.Fatalf("revoked session still works: %d %v", status, body)
		}
	}
	// A service principal through SigV4 with the real SDK.
	c := redshiftdata.New(redshiftdata.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")})
	out, err := c.ExecuteStatement(context.Background(), &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT count(*) FROM sales_data WHERE timezone NOT LIKE 'Asia%'"), WorkgroupName: aws.String("redshift-tip-enabled"), Database: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	var r *redshiftdata.GetStatementResultOutput
	for i := 0; i < 200; i++ {
		if r, err = c.GetStatementResult(context.Background(), &redshiftdata.GetStatementResultInput{Id: out.Id}); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 {
		t.Fatalf("records %v", r.Records)
	}
	// Health, readiness and metrics.
	resp, _ := http.Get(base + "/metrics")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`tipgate_statements_total{binding="rest",status="FINISHED"} 3`, `tipgate_auth_failures_total{binding="rest",reason="session_revoked"} 3`,
		`tipgate_http_requests_total{binding="aws",code="200"}`, "tipgate_active_statements 0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	time.Sleep(50 * time.Millisecond)
	text := logs.String()
	for _, s := range append(secrets, demoPassword, secretKey) {
		if strings.Contains(text, s) {
			t.Fatalf("a secret reached the logs")
		}
	}
	if !strings.Contains(text, `"request_id"`) {
		t.Fatal("requests are not logged with ids")
	}
}
