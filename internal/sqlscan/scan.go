package sqlscan

import (
	"fmt"
	"strings"
)

// Kind classifies a token.
type Kind int

// Token kinds.
const (
	EOF Kind = iota
	Ident
	QuotedIdent
	String
	Number
	Param // :name or $n
	Op    // operators and punctuation other than the ones below
	LParen
	RParen
	Comma
	Semicolon
	Dot
)

func (k Kind) String() string {
	switch k {
	case EOF:
		return "end of input"
	case Ident:
		return "identifier"
	case QuotedIdent:
		return "quoted identifier"
	case String:
		return "string"
	case Number:
		return "number"
	case Param:
		return "parameter"
	case LParen:
		return `"("`
	case RParen:
		return `")"`
	case Comma:
		return `","`
	case Semicolon:
		return `";"`
	case Dot:
		return `"."`
	default:
		return "operator"
	}
}

// Token is one lexical token. Pos and End are byte offsets into the source.
type Token struct {
	Kind Kind
	// Text is the token exactly as written.
	Text string
	// Value is the unescaped string or quoted identifier, the lower-cased
	// unquoted identifier (SQL folds unquoted names), or Text otherwise.
	Value string
	Pos   int
	End   int
}

// Is reports whether t is the unquoted keyword kw (case-insensitive).
func (t Token) Is(kw string) bool {
	return t.Kind == Ident && t.Value == asciiLower(kw)
}

// asciiLower folds only ASCII letters, as PostgreSQL does for unquoted
// names; Unicode folding would make words like "ſelect" keywords.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Error is a lexical error with the byte offset where it was found.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%s at position %d", e.Msg, e.Pos+1) }

// Tokens splits src into tokens, dropping white space and comments.
// The returned slice always ends with an EOF token.
func Tokens(src string) ([]Token, error) {
	var out []Token
	s := scanner{src: src}
	for {
		t, err := s.next()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if t.Kind == EOF {
			return out, nil
		}
	}
}

type scanner struct {
	src string
	pos int
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentPart(c byte) bool {
	return isIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skip moves past white space and comments.
func (s *scanner) skip() error {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.pos++
		case c == '-' && strings.HasPrefix(s.src[s.pos:], "--"):
			i := strings.IndexByte(s.src[s.pos:], '\n')
			if i < 0 {
				s.pos = len(s.src)
			} else {
				s.pos += i + 1
			}
		case c == '/' && strings.HasPrefix(s.src[s.pos:], "/*"):
			// PostgreSQL-family comments nest.
			start := s.pos
			depth := 0
			for {
				if s.pos >= len(s.src) {
					return &Error{Pos: start, Msg: "unterminated /* comment"}
				}
				if strings.HasPrefix(s.src[s.pos:], "/*") {
					depth++
					s.pos += 2
				} else if strings.HasPrefix(s.src[s.pos:], "*/") {
					depth--
					s.pos += 2
					if depth == 0 {
						break
					}
				} else {
					s.pos++
				}
			}
		default:
			return nil
		}
	}
	return nil
}

func (s *scanner) next() (Token, error) {
	if err := s.skip(); err != nil {
		return Token{}, err
	}
	start := s.pos
	if s.pos >= len(s.src) {
		return Token{Kind: EOF, Pos: start, End: start}, nil
	}
	c := s.src[s.pos]
	tok := func(k Kind, val string) (Token, error) {
		text := s.src[start:s.pos]
		if val == "" && k != String && k != QuotedIdent {
			val = text
		}
		return Token{Kind: k, Text: text, Value: val, Pos: start, End: s.pos}, nil
	}
	switch {
	case (c == 'e' || c == 'E') && s.pos+1 < len(s.src) && s.src[s.pos+1] == '\'':
		s.pos++
		v, err := s.quoted('\'', true)
		if err != nil {
			return Token{}, err
		}
		return tok(String, v)
	case isIdentStart(c):
		for s.pos < len(s.src) && isIdentPart(s.src[s.pos]) {
			s.pos++
		}
		return tok(Ident, asciiLower(s.src[start:s.pos]))
	case isDigit(c) || (c == '.' && s.pos+1 < len(s.src) && isDigit(s.src[s.pos+1])):
		for s.pos < len(s.src) && (isDigit(s.src[s.pos]) || s.src[s.pos] == '.') {
			s.pos++
		}
		if s.pos < len(s.src) && (s.src[s.pos] == 'e' || s.src[s.pos] == 'E') {
			p := s.pos + 1
			if p < len(s.src) && (s.src[p] == '+' || s.src[p] == '-') {
				p++
			}
			if p < len(s.src) && isDigit(s.src[p]) {
				s.pos = p
				for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
					s.pos++
				}
			}
		}
		return tok(Number, "")
	case c == '\'':
		v, err := s.quoted('\'', false)
		if err != nil {
			return Token{}, err
		}
		return tok(String, v)
	case c == '"':
		v, err := s.quoted('"', false)
		if err != nil {
			return Token{}, err
		}
		if v == "" {
			return Token{}, &Error{Pos: start, Msg: "zero-length delimited identifier"}
		}
		return tok(QuotedIdent, v)
	case c == '$':
		// $n positional parameter or $tag$ dollar-quoted string.
		if s.pos+1 < len(s.src) && isDigit(s.src[s.pos+1]) {
			s.pos++
			for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
				s.pos++
			}
			return tok(Param, "")
		}
		end := s.pos + 1
		for end < len(s.src) && isIdentPart(s.src[end]) && s.src[end] != '$' {
			end++
		}
		if end < len(s.src) && s.src[end] == '$' {
			tag := s.src[s.pos : end+1]
			body := end + 1
			i := strings.Index(s.src[body:], tag)
			if i < 0 {
				return Token{}, &Error{Pos: start, Msg: "unterminated dollar-quoted string"}
			}
			s.pos = body + i + len(tag)
			return tok(String, s.src[body:body+i])
		}
		s.pos++
		return tok(Op, "")
	case c == ':' && s.pos+1 < len(s.src) && s.src[s.pos+1] == ':':
		s.pos += 2
		return tok(Op, "")
	case c == ':' && s.pos+1 < len(s.src) && isIdentStart(s.src[s.pos+1]):
		s.pos++
		for s.pos < len(s.src) && isIdentPart(s.src[s.pos]) {
			s.pos++
		}
		return tok(Param, s.src[start+1:s.pos])
	case c == '(':
		s.pos++
		return tok(LParen, "")
	case c == ')':
		s.pos++
		return tok(RParen, "")
	case c == ',':
		s.pos++
		return tok(Comma, "")
	case c == ';':
		s.pos++
		return tok(Semicolon, "")
	case c == '.':
		s.pos++
		return tok(Dot, "")
	default:
		// Greedy multi-character operators made of operator characters.
		const opChars = "+-*/<>=~!@#%^&|`?:[]{}"
		if !strings.ContainsRune(opChars, rune(c)) {
			return Token{}, &Error{Pos: start, Msg: fmt.Sprintf("unexpected character %q", c)}
		}
		s.pos++
		if strings.ContainsRune("[]{}", rune(c)) {
			return tok(Op, "")
		}
		for s.pos < len(s.src) && strings.ContainsRune("+-*/<>=~!@#%^&|?", rune(s.src[s.pos])) {
			// Stop before a comment start so "1--x" is 1 then a comment.
			if strings.HasPrefix(s.src[s.pos:], "--") || strings.HasPrefix(s.src[s.pos:], "/*") {
				break
			}
			s.pos++
		}
		return tok(Op, "")
	}
}

// quoted reads a string delimited by q, with the delimiter doubled to escape
// it; backslash escapes are honoured in E” strings.
func (s *scanner) quoted(q byte, backslash bool) (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case backslash && c == '\\' && s.pos+1 < len(s.src):
			s.pos++
			switch e := s.src[s.pos]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(e)
			}
			s.pos++
		case c == q:
			if s.pos+1 < len(s.src) && s.src[s.pos+1] == q {
				b.WriteByte(q)
				s.pos += 2
				continue
			}
			s.pos++
			return b.String(), nil
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	what := "string literal"
	if q == '"' {
		what = "quoted identifier"
	}
	return "", &Error{Pos: start, Msg: "unterminated " + what}
}

// Statement is one statement of a script, without its terminating semicolon.
type Statement struct {
	Text string
	// Pos is the byte offset of Text in the script.
	Pos int
	// Line is the 1-based line on which the statement starts.
	Line int
}

// Split cuts a script into statements at semicolons outside quotes and
// comments. Statements holding only comments or white space are dropped.
func Split(src string) ([]Statement, error) {
	toks, err := Tokens(src)
	if err != nil {
		return nil, err
	}
	var out []Statement
	first := -1
	for i, t := range toks {
		if t.Kind == Semicolon || t.Kind == EOF {
			if first >= 0 {
				start, end := toks[first].Pos, toks[i-1].End
				out = append(out, Statement{Text: src[start:end], Pos: start, Line: 1 + strings.Count(src[:start], "\n")})
			}
			first = -1
			continue
		}
		if first < 0 {
			first = i
		}
	}
	return out, nil
}

// QuoteIdent returns name as a double-quoted SQL identifier.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString returns s as a single-quoted SQL string literal.
func QuoteString(s string) string {
	return `'` + strings.ReplaceAll(s, `'`, `''`) + `'`
}

// secretKeywords introduce string literals that hold credentials.
var secretKeywords = map[string]bool{"password": true, "credentials": true, "secret_access_key": true,
	"session_token": true, "access_key_id": true, "secret": true, "key_id": true}

// Redact replaces the string literal after a credential keyword (PASSWORD
// 'x', CREDENTIALS 'x', SECRET_ACCESS_KEY 'x', ...) with '***', so
// statement text can be logged and audited. Text that does not tokenize is
// replaced whole: it cannot be shown to hold no secret.
func Redact(sql string) string {
	toks, err := Tokens(sql)
	if err != nil {
		return "(statement not shown: it does not tokenize)"
	}
	var b strings.Builder
	last := 0
	secret := false
	for _, t := range toks {
		if t.Kind == String && secret {
			b.WriteString(sql[last:t.Pos])
			b.WriteString("'***'")
			last = t.End
		}
		switch {
		case t.Kind == Ident && secretKeywords[t.Value]:
			secret = true
		case t.Kind == Ident && (t.Value == "as" || t.Value == "with"):
		default:
			secret = false
		}
	}
	b.WriteString(sql[last:])
	return b.String()
}
