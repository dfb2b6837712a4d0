package dataapi

import (
	"testing"
	"time"
)

// TestOptionDefaults: a principal's statement ends after five minutes
// unless the operator says otherwise, and the per-principal limits have
// defaults even when the caller sets none.
func TestOptionDefaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Options
		want Options
	}{
		{"zero", Options{}, Options{StatementTimeout: 5 * time.Minute, MaxRunningTime: 15 * time.Minute, MaxActive: 200, MaxSessions: 500, MaxSessionsPerOwner: 50}},
		{"budget follows the timeout", Options{StatementTimeout: time.Hour}, Options{StatementTimeout: time.Hour, MaxRunningTime: 3 * time.Hour, MaxActive: 200, MaxSessions: 500, MaxSessionsPerOwner: 50}},
		{"explicit values kept", Options{StatementTimeout: time.Minute, MaxRunningTime: 10 * time.Minute, MaxActive: 7, MaxSessions: 9, MaxSessionsPerOwner: 2},
			Options{StatementTimeout: time.Minute, MaxRunningTime: 10 * time.Minute, MaxActive: 7, MaxSessions: 9, MaxSessionsPerOwner: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.in
			o.defaults()
			if o.StatementTimeout != tc.want.StatementTimeout || o.MaxRunningTime != tc.want.MaxRunningTime || o.MaxActive != tc.want.MaxActive ||
				o.MaxSessions != tc.want.MaxSessions || o.MaxSessionsPerOwner != tc.want.MaxSessionsPerOwner {
				t.Errorf("got timeout %v, budget %v, active %d, sessions %d/%d", o.StatementTimeout, o.MaxRunningTime, o.MaxActive, o.MaxSessions, o.MaxSessionsPerOwner)
			}
		})
	}
}
