package restapi_test

import (
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/dataapi"
)

const slowQuery = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"

// TestQuotaErrors: each per-principal limit is 429 with its own stable
// code, and another principal is not refused.
func TestQuotaErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    dataapi.Options
		running int // slow statements started first
		session bool
		code    string
		message string
	}{
		{"active statements", dataapi.Options{MaxActive: 2}, 2, false, "active_statements_exceeded", "Active statements exceeded"},
		{"running time", dataapi.Options{MaxRunningTime: 2 * dataapi.RunningTimeFloor}, 2, false, "running_time_exceeded", "Running time exceeded"},
		{"sessions per principal", dataapi.Options{MaxSessionsPerOwner: 2}, 0, true, "active_sessions_exceeded", "per principal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, call := setupWith(t, tc.opts)
			var started []string
			defer func() {
				for _, id := range started {
					call("POST", "/v1/statements/"+id+"/cancel", "tok-ming", "")
					call("GET", "/v1/statements/"+id+"?WaitTimeSeconds=10", "tok-ming", "")
				}
			}()
			for range tc.running {
				status, out := call("POST", "/v1/statements", "tok-ming", `{"Sql":"`+slowQuery+`"}`)
				if status != 200 {
					t.Fatalf("%d %v", status, out)
				}
				started = append(started, out["Id"].(string))
			}
			body := `{"Sql":"SELECT 1","WaitTimeSeconds":10}`
			if tc.session {
				body = `{"Sql":"SELECT 1","WaitTimeSeconds":10,"SessionKeepAliveSeconds":60}`
				for range 2 {
					if status, out := call("POST", "/v1/statements", "tok-ming", body); status != 200 {
						t.Fatalf("%d %v", status, out)
					}
				}
			}
			status, out := call("POST", "/v1/statements", "tok-ming", body)
			if msg, _ := out["message"].(string); status != 429 || out["code"] != tc.code || !strings.Contains(msg, tc.message) {
				t.Fatalf("got %d %v, want 429 %s (%s)", status, out, tc.code, tc.message)
			}
			if status, out := call("POST", "/v1/statements", "tok-frank", body); status != 200 {
				t.Fatalf("another principal: %d %v", status, out)
			}
		})
	}
}
