package engine

import "testing"

// TestRedactValues: messages engines write for data exceptions lose every
// value they quote and keep what kind of failure it was.
func TestRedactValues(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Could not convert string 'Europe/London' to INT32", "Could not convert string '…' to INT32"},
		{`extract specifier "Europe/London" not recognized`, `extract specifier "…" not recognized`},
		{"missing ): (America/Los_Angeles", "missing )"},
		{"Overflow in multiplication of INT32 (2147483647 * 2)!", "Overflow in multiplication of INT32 (…)!"},
		{"Type INT32 with value 300 can't be cast because the value is out of range for the destination type INT8",
			"Type INT32 with value … can't be cast because the value is out of range for the destination type INT8"},
		{`Malformed JSON at byte 0 of input: unexpected character.  Input: "Tokyo"`, "Malformed JSON at byte … of input"},
		{"Could not parse string 'it''s' according to format specifier '%Y'", "Could not parse string '…' according to format specifier '…'"},
		{"unterminated 'Lagos", "unterminated '…'"},
		{"date field value out of range: \"2024-13-01\", expected format is (YYYY-MM-DD)", "date field value out of range"},
		{"Division by zero", "Division by zero"},
		{"value -12.5e3 is out of range", "value … is out of range"},
		// PostgreSQL's wording.
		{`invalid input syntax for type integer: "Europe/London"`, "invalid input syntax for type integer"},
		{`value too long for type character varying(3)`, "value too long for type character varying(…)"},
		{`invalid regular expression: parentheses () not balanced`, "invalid regular expression"},
		{`integer out of range`, "integer out of range"},
	} {
		if got := RedactValues(tc.in); got != tc.want {
			t.Errorf("RedactValues(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
