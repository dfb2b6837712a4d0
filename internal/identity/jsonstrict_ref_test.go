package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"
	"unicode/utf8"
)

// strictObjectReference is the encoding/json-based walk strictObject
// replaced, kept as the oracle of the differential fuzz target. It decodes a JSON object into its top-level members, refusing
// what encoding/json would silently accept: duplicate keys (last one wins
// there, so two parsers could disagree on "sub"), invalid UTF-8 (replaced
// there), trailing data and excessive nesting. Keys are matched exactly by
// the callers, never case-insensitively as struct decoding would.
func strictObjectReference(b []byte) (map[string]json.RawMessage, error) {
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
	if err := refWalkObject(dec, 1, b, m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after JSON object")
	}
	return m, nil
}

// refWalkObject consumes an object's members after its '{'. With members
// non-nil it also records each member's raw value, sliced from src by
// decoder offsets, so the object is parsed once.
func refWalkObject(dec *json.Decoder, depth int, src []byte, members map[string]json.RawMessage) error {
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
		if err := refWalkValue(dec, depth); err != nil {
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

func refWalkValue(dec *json.Decoder, depth int) error {
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
		return refWalkObject(dec, depth+1, nil, nil)
	case '[':
		if depth+1 > maxJSONDepth {
			return errors.New("JSON nested too deeply")
		}
		for dec.More() {
			if err := refWalkValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return err
	}
	return errors.New("unexpected JSON delimiter")
}

// FuzzStrictObjectDifferential: the scanner accepts exactly what the
// encoding/json walk it replaced accepts, with the same members.
func FuzzStrictObjectDifferential(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":{"b":[1,{"c":2,"c":3}]}}`, `[]`, `{"a":"\u00e9"}`, `{"a":1}{}`,
		`{"s\u0075b":1,"sub":2}`, `{"a":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}`, `{"a":-0.5e+3,"b":01}`, `{"a":"\ud800"}`, ` {"a" : tru}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, gerr := strictObject(b)
		want, werr := strictObjectReference(b)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("%q: scanner %v, reference %v", b, gerr, werr)
		}
		if gerr != nil {
			if errors.Is(werr, errDuplicateKey) != errors.Is(gerr, errDuplicateKey) {
				t.Fatalf("%q: scanner %v, reference %v", b, gerr, werr)
			}
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, reference %d", b, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(got[k], bytes.TrimSpace(v)) {
				t.Fatalf("%q: member %q = %q, reference %q", b, k, got[k], v)
			}
		}
	})
}

// FuzzClaimReaders: the claim readers' fast paths read every value a
// token can carry as encoding/json reads it.
func FuzzClaimReaders(f *testing.F) {
	for _, s := range []string{`"a"`, `"a\"b"`, `["x","y"]`, `[ "x" , "y" ]`, `[]`, `["x",null]`, `[1]`, `1.5e9`, `-0`, `1e400`, `null`, `true`, `{"a":1}`, `"\u00e9"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		m, err := strictObject(append(append([]byte(`{"v":`), v...), '}'))
		if err != nil {
			return
		}
		raw := m["v"]
		var ws string
		werr := json.Unmarshal(raw, &ws)
		if gs, ok := jsonString1(raw); ok != (werr == nil) || ok && gs != ws {
			t.Fatalf("string %q: %q %v, encoding/json %q %v", raw, gs, ok, ws, werr)
		}
		var wl []string
		werr = json.Unmarshal(raw, &wl)
		if gl, ok := jsonStrings(raw); ok != (werr == nil) || ok && !reflect.DeepEqual(gl, wl) && !(len(gl) == 0 && len(wl) == 0) {
			t.Fatalf("strings %q: %q %v, encoding/json %q %v", raw, gl, ok, wl, werr)
		}
		tok := &parsedToken{claims: map[string]json.RawMessage{"t": raw}}
		var wf float64
		werr = json.Unmarshal(raw, &wf)
		got, ok, gerr := tok.claimTime("t")
		if string(raw) == "null" {
			return
		}
		wantOK := werr == nil && !math.IsNaN(wf) && wf >= 0 && wf <= 1e11
		if (gerr == nil) != wantOK || wantOK && (!ok || got.Unix() != int64(wf)) {
			t.Fatalf("time %q: %v %v, encoding/json %v %v", raw, got, gerr, wf, werr)
		}
	})
}
