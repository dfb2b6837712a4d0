package trino

import "testing"

// TestInlineLookups: each IN (SELECT …) that runs on its own becomes its
// values; NOT IN and empty results keep SQL's meaning; a correlated
// subquery stays.
func TestInlineLookups(t *testing.T) {
	values := func(sub string) ([]string, bool, error) {
		switch sub {
		case "SELECT r FROM l WHERE m = 'u'":
			return []string{"CAST('east' AS varchar)", "NULL"}, true, nil
		case "SELECT r FROM l WHERE false":
			return nil, true, nil
		}
		return nil, false, nil // correlated: does not run alone
	}
	tests := []struct{ in, want string }{
		{"(region IN (SELECT r FROM l WHERE m = 'u'))", "(region IN (CAST('east' AS varchar), NULL))"},
		{"region NOT IN (SELECT r FROM l WHERE m = 'u') AND x", "region NOT IN (CAST('east' AS varchar), NULL) AND x"},
		{"region IN (SELECT r FROM l WHERE false)", "region IS NULL AND false"},
		{"(region NOT IN (SELECT r FROM l WHERE false))", "(region IS NULL OR true)"},
		{"region IN (SELECT r FROM l WHERE l.r = t.region)", "region IN (SELECT r FROM l WHERE l.r = t.region)"},
		{"a IN ('x') OR b IN (SELECT r FROM l WHERE m = 'u')", "a IN ('x') OR b IN (CAST('east' AS varchar), NULL)"},
	}
	for _, tc := range tests {
		got, _, err := inlineWith(tc.in, values)
		if err != nil || got != tc.want {
			t.Errorf("%s\n  got  %s (%v)\n  want %s", tc.in, got, err, tc.want)
		}
	}
}
