package engine

import (
	"testing"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

func TestExplainFull(t *testing.T) {
	for _, tc := range []struct {
		name            string
		sub             policy.Subject
		masked, analyze bool
		full            bool
		refused         bool
	}{
		{"plain", policy.Subject{}, false, false, false, false},
		{"explain rls", policy.Subject{ExplainRLS: true}, false, false, true, false},
		{"explain rls, masked", policy.Subject{ExplainRLS: true}, true, false, false, false},
		{"explain rls and masking, masked", policy.Subject{ExplainRLS: true, ExplainMasking: true}, true, false, true, false},
		{"masking alone", policy.Subject{ExplainMasking: true}, true, false, false, false},
		{"analyze without ignore rls", policy.Subject{ExplainRLS: true}, false, true, false, true},
		{"analyze with ignore rls", policy.Subject{IgnoreRLS: true}, false, true, false, false},
		{"analyze with ignore rls and explain rls", policy.Subject{IgnoreRLS: true, ExplainRLS: true}, false, true, true, false},
	} {
		full, err := ExplainFull(tc.sub, tc.masked, tc.analyze)
		if tc.refused != (err != nil) || full != tc.full {
			t.Errorf("%s: full %v err %v, want full %v refused %v", tc.name, full, err, tc.full, tc.refused)
		}
		if err != nil && sqlerr.CodeOf(err) != sqlerr.PermissionDenied {
			t.Errorf("%s: %v is not a permission error", tc.name, err)
		}
	}
}
