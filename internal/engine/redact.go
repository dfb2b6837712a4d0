package engine

import (
	"regexp"
	"strings"
)

// redactor holds the patterns RedactValues removes.
type redactor struct {
	quotedSingle, quotedDouble, parenthesed, number *regexp.Regexp
}

func newRedactor() redactor {
	return redactor{
		quotedSingle: regexp.MustCompile(`(^|[^\p{L}\p{N}])'(?:[^']|'')*'?`),
		quotedDouble: regexp.MustCompile(`"[^"]*"?`),
		parenthesed:  regexp.MustCompile(`\([^()]*\)`),
		number:       regexp.MustCompile(`(^|[^\p{L}\p{N}_])[-+]?\p{N}+(?:[.,]\p{N}+)*(?:[eE][-+]?\p{N}+)?`),
	}
}

// RedactValues keeps data out of a data-exception message shown to a
// principal, on every engine. Engines quote the offending value in most of
// these messages (DuckDB: Could not convert string 'x' to INT32; PostgreSQL:
// invalid input syntax for type integer: "x"; RE2 and PostgreSQL's regex
// library: the pattern after ": "). An engine keeps a principal's own
// expressions to rows it may read, but a policy's row filter or mask reads
// values the principal may not see, and defence in depth says no message
// carries a value at all: what the message says about the kind of failure
// stays, with the SQLSTATE; quoted and numeric values, parenthesised
// operands and anything after the first ": " are cut. The audit log stores
// this message, not the engine's.
func RedactValues(msg string) string {
	r := newRedactor()
	if i := strings.Index(msg, ": "); i > 0 {
		msg = msg[:i]
	}
	msg = r.quotedSingle.ReplaceAllString(msg, "${1}'…'")
	msg = r.quotedDouble.ReplaceAllString(msg, `"…"`)
	msg = r.parenthesed.ReplaceAllString(msg, "(…)")
	msg = r.number.ReplaceAllString(msg, "${1}…")
	return strings.TrimSpace(msg)
}
