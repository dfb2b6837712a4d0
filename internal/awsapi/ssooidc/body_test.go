package ssooidc_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	tgoidc "github.com/tipgate/tipgate/internal/awsapi/ssooidc"
)

// TestOversizeBody: a body over MaxBody is refused with 413 before it is
// parsed or its signature checked; one at the bound is read whole (and
// here refused for its missing signature instead).
func TestOversizeBody(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name    string
		size    int
		status  int
		errType string
		message string
	}{
		{"at the bound", tgoidc.MaxBody, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"one byte over", tgoidc.MaxBody + 1, 413, "InvalidRequestException", "larger than 65536 bytes"},
		{"ten megabytes", 10 << 20, 413, "InvalidRequestException", "larger than 65536 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"clientId":"` + appARN + `","pad":"`
			body += strings.Repeat("a", tc.size-len(body)-2) + `"}`
			req, _ := http.NewRequest(http.MethodPost, e.url+"/token?aws_iam=t", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || (tc.errType != "" && resp.Header.Get("X-Amzn-ErrorType") != tc.errType) || !strings.Contains(string(raw), tc.message) {
				t.Fatalf("HTTP %d %q: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), raw)
			}
		})
	}
}
