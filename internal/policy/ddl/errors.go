package ddl

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// SyntaxError is a statement that does not fit the grammar, worded like
// Redshift's own parser errors so clients see familiar text.
type SyntaxError struct {
	Pos  int    // byte offset of the offending token
	Near string // the offending token as written, or "end of input"
	Msg  string // what was expected, may be empty
}

func (e *SyntaxError) Error() string {
	var s string
	if e.Near == nearEOF {
		s = "syntax error at end of input"
	} else {
		s = `syntax error at or near "` + e.Near + `"`
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

const (
	nearEOF = "end of input"
	// maxNear keeps an absurdly long token from flooding logs.
	maxNear = 64
	// redacted stands in for every string literal: passwords and AWS keys
	// are string literals, and an error message is not the place to decide
	// which literals are harmless.
	redacted = "'...'"
)

// nearText is how a token is shown in an error.
func nearText(t sqlscan.Token) string {
	switch t.Kind {
	case sqlscan.EOF:
		return nearEOF
	case sqlscan.String:
		return redacted
	}
	return truncate(t.Text)
}

func truncate(s string) string {
	if len(s) <= maxNear {
		return s
	}
	cut := maxNear
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// lexError converts a lexer error. The lexer's positions point at the
// opening quote of an unterminated literal, so Near shows only that
// delimiter: the rest of the input may be a password.
func lexError(src string, err error) error {
	var le *sqlscan.Error
	if !errors.As(err, &le) {
		return &SyntaxError{Pos: 0, Near: nearEOF, Msg: "unreadable statement"}
	}
	near := nearEOF
	if le.Pos >= 0 && le.Pos < len(src) {
		rest := src[le.Pos:]
		switch {
		case strings.HasPrefix(rest, "/*"):
			near = "/*"
		case strings.HasPrefix(rest, `""`):
			near = `""`
		default:
			r, n := utf8.DecodeRuneInString(rest)
			if r == utf8.RuneError || r < ' ' {
				near = "\\x" + hex2(rest[0])
			} else {
				near = rest[:n]
			}
		}
	}
	return &SyntaxError{Pos: le.Pos, Near: near, Msg: le.Msg}
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}
