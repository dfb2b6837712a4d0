package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary strings to both verifiers. Neither may panic,
// and each call returns either a principal or a coded *Error, never both
// and never neither.
func FuzzVerify(f *testing.F) {
	e := newCorpusEnv(f, VerifierOptions{})
	clock := e.clock
	sessions := newTestSessions(f, f.TempDir(), clock, nil)
	sess, err := sessions.Issue(context.Background(), federated(clock, time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good(e))
	f.Add(sess.Token)
	for _, c := range badCorpus() {
		if tok := c.token(e); len(tok) < 4096 {
			f.Add(tok)
		}
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw string) {
		check := func(name string, p Principal, err error) {
			switch {
			case err == nil && p.User == "":
				t.Fatalf("%s: nil error and empty principal", name)
			case err != nil && p.User != "":
				t.Fatalf("%s: principal returned with error %v", name, err)
			case err != nil && CodeOf(err) == "":
				t.Fatalf("%s: uncoded error %v", name, err)
			}
			if p.Superuser {
				t.Fatalf("%s: superuser from a token", name)
			}
		}
		p, err := e.v.Verify(ctx, raw)
		check("external", p, err)
		p, err = sessions.Verify(ctx, raw)
		check("session", p, err)
	})
}

func FuzzStrictObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"a":2}`, `{"a":{"b":[1,{"c":2,"c":3}]}}`, `[]`, `{"a":"\u00e9"}`, `{"a":1}{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := strictObject(b)
		if err == nil && m == nil {
			t.Fatal("nil map and nil error")
		}
		if err != nil && m != nil {
			t.Fatal("map returned with error")
		}
		if err != nil {
			return
		}
		// Whatever strictObject accepts, encoding/json reads the same way.
		var want map[string]json.RawMessage
		if json.Unmarshal(b, &want) != nil || len(want) != len(m) {
			t.Fatalf("accepted %q, which encoding/json reads differently", b)
		}
		for k, v := range want {
			var a, c any
			if json.Unmarshal(m[k], &a) != nil || json.Unmarshal(v, &c) != nil || !reflect.DeepEqual(a, c) {
				t.Fatalf("member %q: %q vs %q", k, m[k], v)
			}
		}
	})
}

// TestStrictObjectMatchesStdlib checks the single-pass member slicing
// against encoding/json on objects without duplicates.
func TestStrictObjectMatchesStdlib(t *testing.T) {
	for _, s := range []string{
		`{}`, `{"a":1}`, ` { "a" : [1, {"b": null}] ,"c":"x\"y" , "d" :{"e":{}}, "f":-1.5e3 , "g":true}  `,
		"{\n\t\"a\"\t:\r\n\"\\u00e9\"\n}",
	} {
		got, err := strictObject([]byte(s))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, want %d", s, len(got), len(want))
		}
		for k, v := range want {
			if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
				t.Errorf("%q: member %q = %q, want %q", s, k, got[k], v)
			}
		}
	}
}
