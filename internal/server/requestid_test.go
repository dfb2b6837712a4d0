package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/testenv/demoserver"
)

var reFreshID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// sessionFor signs email in at the embedded IdP and exchanges the ID token
// for a tipgate session token.
func sessionFor(t *testing.T, base, email string) string {
	t.Helper()
	status, tok := postForm(t, base+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
		"username": {email}, "password": {demoPassword}, "scope": {"openid email profile groups"}})
	idTok, _ := tok["id_token"].(string)
	if status != 200 || idTok == "" {
		t.Fatalf("%s: password grant: %d", email, status)
	}
	status, ex := postForm(t, base+"/oauth2/token", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token": {idTok}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
	session, _ := ex["access_token"].(string)
	if status != 200 || session == "" {
		t.Fatalf("%s: token exchange: %d", email, status)
	}
	return session
}

// auditRequestID returns the request_id of the audit record of statement
// id, as the security admin reads it from GET /v1/audit.
func auditRequestID(t *testing.T, base, adminSession, id string) (string, bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		status, out := rest(t, "GET", base+"/v1/audit?limit=1000", adminSession, "")
		if status != 200 {
			t.Fatalf("GET /v1/audit: %d %v", status, out)
		}
		recs, _ := out["Records"].([]any)
		for _, r := range recs {
			if m, _ := r.(map[string]any); m["statement_id"] == id {
				rid, ok := m["request_id"].(string)
				return rid, ok
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no audit record of statement %s", id)
	return "", false
}

// logLine finds a JSON log line with message msg and request_id id,
// waiting a little: the request line is written as the handler returns,
// which may be after the client has read the response.
func logLine(logs *demoserver.Logs, msg, id string) map[string]any {
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		for _, l := range strings.Split(logs.String(), "\n") {
			var v map[string]any
			if json.Unmarshal([]byte(l), &v) == nil && v["msg"] == msg && v["request_id"] == id {
				return v
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
	}
}

// TestRequestIDs: the server gives every request of every binding one id,
// answered in X-Request-Id (and X-Amzn-RequestId on the AWS bindings, the
// same id); the request's log line carries it, and a statement's audit
// record carries the id the response named, through REST and through the
// AWS Data API with the real SDK.
func TestRequestIDs(t *testing.T) {
	srv, logs := startServer(t)
	base := srv.URL
	ming := sessionFor(t, base, "ming@example.com")
	sam := sessionFor(t, base, "sam@example.com")

	t.Run("bindings", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, contentType, body, target string
			binding                                       string
			amzn                                          bool // an AWS binding: X-Amzn-RequestId too
		}{
			{"health", "GET", "/healthz", "", "", "", "other", false},
			{"dashboard", "GET", "/app/", "", "", "", "web", false},
			{"idp", "GET", "/idp/.well-known/openid-configuration", "", "", "", "idp", false},
			{"token endpoint", "POST", "/oauth2/token", "application/x-www-form-urlencoded", "grant_type=nope", "", "oauth", false},
			{"rest", "GET", "/v1/statements", "", "", "", "rest", false},
			{"data api", "POST", "/", "application/x-amz-json-1.1", "{}", "RedshiftData.ListDatabases", "aws", true},
			{"sts", "POST", "/", "application/x-www-form-urlencoded", "Action=GetCallerIdentity&Version=2011-06-15", "", "sts", true},
			{"sso-oidc", "POST", "/token?aws_iam=t", "application/json", "{}", "", "sso-oidc", true},
			{"unknown aws operation", "POST", "/", "application/x-amz-json-1.1", "{}", "Nope.Op", "other", true},
		} {
			for _, incoming := range []string{"", "client.id-" + strings.ReplaceAll(tc.name, " ", "_"), "bad id; X-Evil: 1"} {
				req, _ := http.NewRequest(tc.method, base+tc.path, strings.NewReader(tc.body))
				if tc.contentType != "" {
					req.Header.Set("Content-Type", tc.contentType)
				}
				if tc.target != "" {
					req.Header.Set("X-Amz-Target", tc.target)
				}
				if incoming != "" {
					req.Header[reqid.Header] = []string{incoming}
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				id := resp.Header.Get(reqid.Header)
				if len(resp.Header.Values(reqid.Header)) != 1 {
					t.Errorf("%s: X-Request-Id %q", tc.name, resp.Header.Values(reqid.Header))
				}
				if reqid.Valid(incoming) && id != incoming || !reqid.Valid(incoming) && !reFreshID.MatchString(id) {
					t.Errorf("%s, incoming %q: id %q", tc.name, incoming, id)
				}
				if amzn := resp.Header.Get(reqid.AmznHeader); tc.amzn && amzn != id || !tc.amzn && amzn != "" {
					t.Errorf("%s: X-Amzn-RequestId %q, X-Request-Id %q", tc.name, amzn, id)
				}
				if l := logLine(logs, "request", id); l == nil || l["binding"] != tc.binding || l["path"] != strings.Split(tc.path, "?")[0] {
					t.Errorf("%s: request log line %v with request_id %s", tc.name, l, id)
				}
			}
		}
	})

	t.Run("rest statement", func(t *testing.T) {
		for _, incoming := range []string{"", "rest-client-1", "not valid!"} {
			req, _ := http.NewRequest("POST", base+"/v1/statements", strings.NewReader(`{"Sql":"SELECT count(*) FROM sales_data","WaitTimeSeconds":20}`))
			req.Header.Set("Authorization", "Bearer "+ming)
			if incoming != "" {
				req.Header.Set(reqid.Header, incoming)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var out struct{ Id, Status string }
			json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			id := resp.Header.Get(reqid.Header)
			if out.Status != "FINISHED" || id == "" || reqid.Valid(incoming) && id != incoming || !reqid.Valid(incoming) && !reFreshID.MatchString(id) {
				t.Fatalf("incoming %q: %+v, X-Request-Id %q", incoming, out, id)
			}
			if rid, ok := auditRequestID(t, base, sam, out.Id); !ok || rid != id {
				t.Fatalf("the audit record of %s has request_id %q, the response named %q", out.Id, rid, id)
			}
			if l := logLine(logs, "request", id); l == nil || l["binding"] != "rest" {
				t.Fatalf("no request log line with request_id %s", id)
			}
		}
	})

	t.Run("aws statement", func(t *testing.T) {
		c := redshiftdata.New(redshiftdata.Options{Region: "us-east-1", BaseEndpoint: aws.String(base),
			Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")})
		out, err := c.ExecuteStatement(context.Background(), &redshiftdata.ExecuteStatementInput{Sql: aws.String("SELECT count(*) FROM sales_data"), WorkgroupName: aws.String("redshift-tip-enabled"), Database: aws.String("dev")})
		if err != nil {
			t.Fatal(err)
		}
		sdkID, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		raw, _ := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		if !ok || !reFreshID.MatchString(sdkID) || raw == nil || raw.Header.Get(reqid.Header) != sdkID {
			t.Fatalf("the SDK saw request id %q; X-Request-Id %v", sdkID, raw)
		}
		if rid, ok := auditRequestID(t, base, sam, *out.Id); !ok || rid != sdkID {
			t.Fatalf("the audit record of %s has request_id %q, the SDK saw %q", *out.Id, rid, sdkID)
		}
		if l := logLine(logs, "request", sdkID); l == nil || l["binding"] != "aws" {
			t.Fatalf("no request log line with request_id %s", sdkID)
		}
	})
}
