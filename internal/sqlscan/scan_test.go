package sqlscan

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		src  string
		want []string // kind:value
	}{
		{"SELECT a", []string{"identifier:select", "identifier:a"}},
		{`"AWSIDC:amer-sales"`, []string{"quoted identifier:AWSIDC:amer-sales"}},
		{`'it''s'`, []string{"string:it's"}},
		{`E'a\nb'`, []string{"string:a\nb"}},
		{"$$ x ; y $$", []string{"string: x ; y "}},
		{"$tag$ a $$ b $tag$", []string{"string: a $$ b "}},
		{"a::int", []string{"identifier:a", "operator:::", "identifier:int"}},
		{":name", []string{"parameter:name"}},
		{"$1", []string{"parameter:$1"}},
		{"1.5e3", []string{"number:1.5e3"}},
		{"a -- c\n b", []string{"identifier:a", "identifier:b"}},
		{"a /* x /* nested */ y */ b", []string{"identifier:a", "identifier:b"}},
		{"a<>b", []string{"identifier:a", "operator:<>", "identifier:b"}},
		{"1--x", []string{"number:1"}},
		{"ſelect", []string{"identifier:ſelect"}},
	}
	for _, tc := range tests {
		toks, err := Tokens(tc.src)
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		var got []string
		for _, tk := range toks[:len(toks)-1] {
			got = append(got, tk.Kind.String()+":"+tk.Value)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: got %q want %q", tc.src, got, tc.want)
		}
	}
}

func TestTokenIsASCIIOnly(t *testing.T) {
	toks, _ := Tokens("ſelect SELECT")
	if toks[0].Is("select") || !toks[1].Is("select") {
		t.Fatal("keyword matching must fold ASCII only")
	}
}

func TestTokenErrors(t *testing.T) {
	for _, src := range []string{"'open", `"open`, "/* open", `""`, "$$ open", "a \\ b"} {
		if _, err := Tokens(src); err == nil {
			t.Errorf("%q: want error", src)
		}
	}
}

func TestSplit(t *testing.T) {
	src := "CREATE TABLE t (a INT);\n-- comment ; not a split\nINSERT INTO t VALUES ('a;b');;\n/* only a comment */;\nSELECT 1"
	got, err := Split(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{
		{Text: "CREATE TABLE t (a INT)", Line: 1},
		{Text: "INSERT INTO t VALUES ('a;b')", Line: 3},
		{Text: "SELECT 1", Line: 5},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements: %+v", len(got), got)
	}
	for i := range want {
		if got[i].Text != want[i].Text || got[i].Line != want[i].Line || src[got[i].Pos:got[i].Pos+len(got[i].Text)] != got[i].Text {
			t.Errorf("statement %d: got %+v want %+v", i, got[i], want[i])
		}
	}
}

func TestQuote(t *testing.T) {
	if QuoteIdent(`a"b`) != `"a""b"` || QuoteString("it's") != `'it''s'` {
		t.Fatal("quoting")
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"SELECT 1; SELECT 2", "'a;b'", "$$;$$", "/* ; */ x", `"a;b"; c`, "E'\\';'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := Split(src)
		if err != nil {
			return
		}
		for _, st := range stmts {
			if st.Pos < 0 || st.Pos+len(st.Text) > len(src) || src[st.Pos:st.Pos+len(st.Text)] != st.Text {
				t.Fatalf("statement %q is not the substring at %d", st.Text, st.Pos)
			}
			// Bytes >= 0x80 are identifier characters, as in PostgreSQL, so
			// a statement is empty only if it holds no token at all.
			if toks, err := Tokens(st.Text); err != nil || len(toks) < 2 {
				t.Fatalf("statement %q holds no token (%v)", st.Text, err)
			}
		}
	})
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CREATE USER u PASSWORD 'Secr3t!' CREATEUSER", "CREATE USER u PASSWORD '***' CREATEUSER"},
		{"ALTER USER u WITH PASSWORD 'x'", "ALTER USER u WITH PASSWORD '***'"},
		{"COPY t FROM 's3://b/k' CREDENTIALS 'aws_access_key_id=A;aws_secret_access_key=B' CSV", "COPY t FROM 's3://b/k' CREDENTIALS '***' CSV"},
		{"COPY t FROM 's3://b/k' ACCESS_KEY_ID 'AKID' SECRET_ACCESS_KEY 'sk' SESSION_TOKEN 'tok'", "COPY t FROM 's3://b/k' ACCESS_KEY_ID '***' SECRET_ACCESS_KEY '***' SESSION_TOKEN '***'"},
		{"SELECT 'password' FROM t WHERE x = 'keep'", "SELECT 'password' FROM t WHERE x = 'keep'"},
		{"SELECT 'open", "(statement not shown: it does not tokenize)"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
