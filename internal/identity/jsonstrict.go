package identity

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting in token headers and payloads: real tokens
// are two or three levels deep.
const maxJSONDepth = 16

// maxLinearKeys is how many keys an object's duplicate check compares
// one by one before it switches to a map.
const maxLinearKeys = 32

var (
	errDuplicateKey = errors.New("duplicate object key")
	errNotObject    = errors.New("not a JSON object")
	errSyntax       = errors.New("invalid JSON")
)

// strictObject decodes a JSON object into its top-level members, refusing
// what encoding/json would silently accept: duplicate keys (last one wins
// there, so two parsers could disagree on "sub"), invalid UTF-8 (replaced
// there), trailing data and excessive nesting. Keys are matched exactly by
// the callers, never case-insensitively as struct decoding would.
//
// It is one pass of a hand-written RFC 8259 scanner: the json.Decoder
// token walk it replaced was most of a verification's own cost. The fuzz
// target FuzzStrictObjectDifferential holds it to that walk.
func strictObject(b []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("invalid UTF-8")
	}
	s := &scanner{src: b}
	s.space()
	if s.i >= len(b) || b[s.i] != '{' {
		return nil, errNotObject
	}
	m := make(map[string]json.RawMessage, 16)
	if err := s.object(1, m); err != nil {
		return nil, err
	}
	s.space()
	if s.i != len(b) {
		return nil, errors.New("trailing data after JSON object")
	}
	return m, nil
}

type scanner struct {
	src []byte
	i   int
}

func (s *scanner) space() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object scans an object at s.i ('{'); with members non-nil it records
// each member's raw value.
func (s *scanner) object(depth int, members map[string]json.RawMessage) error {
	if depth > maxJSONDepth {
		return errors.New("JSON nested too deeply")
	}
	s.i++ // '{'
	var seen []string
	var seenMap map[string]struct{}
	s.space()
	if s.i < len(s.src) && s.src[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.space()
		if s.i >= len(s.src) || s.src[s.i] != '"' {
			return errSyntax
		}
		kstart := s.i
		escaped, err := s.str()
		if err != nil {
			return err
		}
		key := string(s.src[kstart+1 : s.i-1])
		if escaped {
			// The key callers match is the decoded one.
			if err := json.Unmarshal(s.src[kstart:s.i], &key); err != nil {
				return errSyntax
			}
		}
		switch {
		case seenMap != nil:
			if _, dup := seenMap[key]; dup {
				return errDuplicateKey
			}
			seenMap[key] = struct{}{}
		default:
			for _, k := range seen {
				if k == key {
					return errDuplicateKey
				}
			}
			seen = append(seen, key)
			if len(seen) > maxLinearKeys {
				seenMap = make(map[string]struct{}, 2*len(seen))
				for _, k := range seen {
					seenMap[k] = struct{}{}
				}
			}
		}
		s.space()
		if s.i >= len(s.src) || s.src[s.i] != ':' {
			return errSyntax
		}
		s.i++
		s.space()
		vstart := s.i
		if err := s.value(depth); err != nil {
			return err
		}
		if members != nil {
			members[key] = s.src[vstart:s.i:s.i]
		}
		s.space()
		if s.i >= len(s.src) {
			return errSyntax
		}
		switch s.src[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

func (s *scanner) array(depth int) error {
	if depth > maxJSONDepth {
		return errors.New("JSON nested too deeply")
	}
	s.i++ // '['
	s.space()
	if s.i < len(s.src) && s.src[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.space()
		if err := s.value(depth); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.src) {
			return errSyntax
		}
		switch s.src[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// value scans one value at s.i inside a container at depth.
func (s *scanner) value(depth int) error {
	if s.i >= len(s.src) {
		return errSyntax
	}
	switch c := s.src[s.i]; {
	case c == '{':
		return s.object(depth+1, nil)
	case c == '[':
		return s.array(depth + 1)
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s.src)-s.i >= len(lit) && string(s.src[s.i:s.i+len(lit)]) == lit {
			s.i += len(lit)
			return nil
		}
	}
	return errSyntax
}

// str scans a string at s.i ('"'), reporting whether it has escapes.
// The input is valid UTF-8 (checked once up front).
func (s *scanner) str() (escaped bool, err error) {
	s.i++
	for s.i < len(s.src) {
		c := s.src[s.i]
		switch {
		case c == '"':
			s.i++
			return escaped, nil
		case c < 0x20:
			return false, errSyntax
		case c == '\\':
			escaped = true
			s.i++
			if s.i >= len(s.src) {
				return false, errSyntax
			}
			switch s.src[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if len(s.src)-s.i < 5 {
					return false, errSyntax
				}
				for _, h := range s.src[s.i+1 : s.i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false, errSyntax
					}
				}
				s.i += 5
			default:
				return false, errSyntax
			}
		default:
			s.i++
		}
	}
	return false, errSyntax
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() error {
	src := s.src
	if src[s.i] == '-' {
		s.i++
	}
	if s.i >= len(src) {
		return errSyntax
	}
	switch {
	case src[s.i] == '0':
		s.i++
	case src[s.i] >= '1' && src[s.i] <= '9':
		for s.i < len(src) && src[s.i] >= '0' && src[s.i] <= '9' {
			s.i++
		}
	default:
		return errSyntax
	}
	if s.i < len(src) && src[s.i] == '.' {
		s.i++
		if !s.digits() {
			return errSyntax
		}
	}
	if s.i < len(src) && (src[s.i] == 'e' || src[s.i] == 'E') {
		s.i++
		if s.i < len(src) && (src[s.i] == '+' || src[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return errSyntax
		}
	}
	return nil
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.src) && s.src[s.i] >= '0' && s.src[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
