package restapi_test

import (
	"strings"
	"testing"
)

// TestOversizeBody: a statement request over 8 MiB is refused with 413
// before it is decoded; one at the bound is decoded whole and refused by
// the service for its statement's size.
func TestOversizeBody(t *testing.T) {
	_, call := setup(t)
	const maxBody = 8 << 20
	for _, tc := range []struct {
		name    string
		size    int
		status  int
		message string
	}{
		{"at the bound", maxBody, 400, "the limit is"},
		{"one byte over", maxBody + 1, 413, "larger than 8388608 bytes"},
		{"sixteen megabytes", 16 << 20, 413, "larger than 8388608 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"Sql":"SELECT 1 -- `
			body += strings.Repeat("a", tc.size-len(body)-2) + `"}`
			status, out := call("POST", "/v1/statements", "tok-ming", body)
			if msg, _ := out["message"].(string); status != tc.status || out["code"] != "validation" || !strings.Contains(msg, tc.message) {
				t.Fatalf("got %d %v", status, out)
			}
		})
	}
}
