package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReadJSONBounded: an admin request body over maxJSONBody is refused
// with 413 rather than parsed as far as a limit reader lets it (which
// either fails as malformed JSON or, worse, succeeds on a prefix); a body
// within the bound must hold exactly one JSON object.
func TestReadJSONBounded(t *testing.T) {
	pad := func(prefix, suffix string, size int) string {
		return prefix + strings.Repeat(" ", size-len(prefix)-len(suffix)) + suffix
	}
	for _, tc := range []struct {
		name   string
		body   string
		status int // 0: accepted
	}{
		{"small", `{"sql":"SELECT 1"}`, 0},
		{"at the bound", pad(`{"sql":"SELECT 1"}`, "", maxJSONBody), 0},
		{"object then padding over the bound", pad(`{"sql":"SELECT 1"}`, "", maxJSONBody+1), http.StatusRequestEntityTooLarge},
		{"string cut by the bound", `{"sql":"` + strings.Repeat("x", maxJSONBody) + `"}`, http.StatusRequestEntityTooLarge},
		{"two values", `{"sql":"SELECT 1"} {"sql":"SELECT 2"}`, http.StatusBadRequest},
		{"unknown field", `{"sql":"SELECT 1","as":"root"}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/app/api/admin/sql", strings.NewReader(tc.body))
			var in struct {
				SQL string `json:"sql"`
			}
			err := readJSON(httptest.NewRecorder(), r, &in)
			status := 0
			var br *badRequest
			var qe *queryError
			switch {
			case errors.As(err, &qe):
				status = qe.status
			case errors.As(err, &br):
				status = http.StatusBadRequest
			case err != nil:
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if status != tc.status {
				t.Fatalf("status %d (%v), want %d", status, err, tc.status)
			}
			if status == 0 && in.SQL != "SELECT 1" {
				t.Fatalf("decoded %q", in.SQL)
			}
		})
	}
}
