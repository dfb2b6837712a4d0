package sts_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	tgoidc "github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/reqid"
)

// TestRequestID: STS and SSO-OIDC answer with one request id per request,
// in X-Amzn-RequestId, X-Request-Id and (STS) the body's RequestId, taken
// from a well-formed incoming X-Request-Id and fresh otherwise.
func TestRequestID(t *testing.T) {
	e := newEnv(t)
	reBody := regexp.MustCompile(`<RequestId>([^<]*)</RequestId>`)
	reFresh := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	webIdentity := func() string {
		return url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {bridgeRole},
			"RoleSessionName": {"session-rid"}, "WebIdentityToken": {e.idToken(t, "ming@example.com", []string{"apac"}, time.Hour)}}.Encode()
	}
	for _, tc := range []struct {
		name, path, contentType string
		body                    func() string
		incoming                string
		status                  int
		want                    string // "" means a fresh id
		inBody                  bool   // STS: the XML body names it too
	}{
		{"sts success", "/", "application/x-www-form-urlencoded", webIdentity, "", 200, "", true},
		{"sts success, client id", "/", "application/x-www-form-urlencoded", webIdentity, "client-1", 200, "client-1", true},
		{"sts error, client id", "/", "application/x-www-form-urlencoded", func() string { return "Version=2011-06-15" }, "client-2", 400, "client-2", true},
		{"sts error, ill-formed id", "/", "application/x-www-form-urlencoded", func() string { return "Version=2011-06-15" }, "<script>", 400, "", true},
		{"sso-oidc error, client id", tgoidc.Path + "?aws_iam=t", "application/json", func() string { return "{}" }, "client-3", 0, "client-3", false},
		{"sso-oidc error, fresh id", tgoidc.Path + "?aws_iam=t", "application/json", func() string { return "{}" }, "", 0, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.url+tc.path, strings.NewReader(tc.body()))
			req.Header.Set("Content-Type", tc.contentType)
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
			if tc.status != 0 && resp.StatusCode != tc.status || amzn == "" || amzn != plain || len(resp.Header.Values(reqid.AmznHeader)) != 1 {
				t.Fatalf("HTTP %d, X-Amzn-RequestId %q, X-Request-Id %q: %s", resp.StatusCode, amzn, plain, raw)
			}
			if tc.want != "" && amzn != tc.want || tc.want == "" && !reFresh.MatchString(amzn) {
				t.Fatalf("request id %q, want %q", amzn, tc.want)
			}
			if tc.inBody {
				if m := reBody.FindStringSubmatch(string(raw)); m == nil || m[1] != amzn {
					t.Fatalf("body names %v, header %s: %s", m, amzn, raw)
				}
			}
		})
	}
}
