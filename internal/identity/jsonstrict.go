package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting in token headers and payloads: real tokens
// are two or three levels deep, and the walk below is recursive.
const maxJSONDepth = 16

var (
	errDuplicateKey = errors.New("duplicate object key")
	errNotObject    = errors.New("not a JSON object")
)

// strictObject decodes a JSON object into its top-level members, refusing
// what encoding/json would silently accept: duplicate keys (last one wins
// there, so two parsers could disagree on "sub"), invalid UTF-8 (replaced
// there), trailing data and excessive nesting. Keys are matched exactly by
// the callers, never case-insensitively as struct decoding would.
func strictObject(b []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errNotObject
	}
	m := map[string]json.RawMessage{}
	if err := walkObject(dec, 1, b, m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON object")
	}
	return m, nil
}

// walkObject consumes an object's members after its '{'. With members
// non-nil it also records each member's raw value, sliced from src by
// decoder offsets, so the object is parsed once.
func walkObject(dec *json.Decoder, depth int, src []byte, members map[string]json.RawMessage) error {
	if depth > maxJSONDepth {
		return errors.New("JSON nested too deeply")
	}
	seen := map[string]struct{}{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("object key is not a string")
		}
		if _, dup := seen[key]; dup {
			return errDuplicateKey
		}
		seen[key] = struct{}{}
		start := dec.InputOffset()
		if err := walkValue(dec, depth); err != nil {
			return err
		}
		if members != nil {
			// Between the key and the value there is only whitespace and
			// one colon, and no value starts with either.
			members[key] = bytes.TrimLeft(src[start:dec.InputOffset()], " \t\r\n:")
		}
	}
	_, err := dec.Token() // '}'
	return err
}

func walkValue(dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		return walkObject(dec, depth+1, nil, nil)
	case '[':
		if depth+1 > maxJSONDepth {
			return errors.New("JSON nested too deeply")
		}
		for dec.More() {
			if err := walkValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return err
	}
	return errors.New("unexpected JSON delimiter")
}
