package sts_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/awsapi/sts"
)

// TestOversizeBody: a form over MaxBody is refused with 413 before it is
// parsed; one at the bound is read whole and handled as usual.
func TestOversizeBody(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		size   int
		status int
		code   string
	}{
		{"at the bound", sts.MaxBody, 400, "<Code>MissingParameter</Code>"},
		{"one byte over", sts.MaxBody + 1, 413, "<Code>MalformedQueryString</Code>"},
		{"ten megabytes", 10 << 20, 413, "<Code>MalformedQueryString</Code>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&Pad="
			body += strings.Repeat("a", tc.size-len(body))
			req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(raw), tc.code) {
				t.Fatalf("HTTP %d: %s", resp.StatusCode, raw)
			}
		})
	}
}
