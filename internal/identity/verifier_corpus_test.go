package identity

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"log/slog"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// corpusEnv is a trusted IdP with one key per algorithm, a second trusted
// IdP, and keys nobody trusts.
type corpusEnv struct {
	idp, other      *testIdP
	rsa, ec, ed, ps testKey
	otherKey        testKey
	attackerRSA     testKey
	attackerEC      testKey
	clock           *fakeClock
	v               *Verifier
	header          func(alg jose.SignatureAlgorithm, kid string) map[string]any
	claims          func() map[string]any
	sign            func(hdr map[string]any, claims any, k testKey) string
	signAs          func(hdr map[string]any, claims any, alg jose.SignatureAlgorithm, key any) string
	publicKeyPEM    []byte
	tb              testing.TB
}

func newCorpusEnv(t testing.TB, opts VerifierOptions) *corpusEnv {
	t.Helper()
	e := &corpusEnv{clock: newFakeClock(), tb: t}
	e.rsa = newKey(t, "rsa-1", jose.RS256)
	e.ps = testKey{kid: "ps-1", alg: jose.PS256, priv: e.rsa.priv}
	e.ec = newKey(t, "ec-1", jose.ES256)
	e.ed = newKey(t, "ed-1", jose.EdDSA)
	e.idp = newTestIdP(t, e.rsa, e.ps, e.ec, e.ed)
	e.otherKey = newKey(t, "other-1", jose.ES256)
	e.other = newTestIdP(t, e.otherKey)
	_, b := rsaKeys(t)
	e.attackerRSA = testKey{kid: "rsa-1", alg: jose.RS256, priv: b}
	e.attackerEC = newKey(t, "ec-1", jose.ES256)
	der, _ := x509.MarshalPKIXPublicKey(e.rsa.priv.Public())
	e.publicKeyPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	e.v = newTestVerifier(t, e.clock, opts, e.idp.issuerConfig(), e.other.issuerConfig())
	e.header = func(alg jose.SignatureAlgorithm, kid string) map[string]any {
		h := map[string]any{"alg": string(alg), "typ": "JWT"}
		if kid != "" {
			h["kid"] = kid
		}
		return h
	}
	e.claims = func() map[string]any { return goodClaims(e.idp, e.clock.Now()) }
	e.signAs = func(hdr map[string]any, claims any, alg jose.SignatureAlgorithm, key any) string {
		p, ok := claims.(string)
		if !ok {
			p = mustJSON(claims)
		}
		return mintRaw(t, mustJSON(hdr), p, alg, key)
	}
	e.sign = func(hdr map[string]any, claims any, k testKey) string {
		return e.signAs(hdr, claims, k.alg, k.priv)
	}
	return e
}

type badCase struct {
	name  string
	token func(e *corpusEnv) string
	code  Code
}

func with(c map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

func good(e *corpusEnv) string { return e.sign(e.header(jose.RS256, "rsa-1"), e.claims(), e.rsa) }

func badCorpus() []badCase {
	hour := time.Hour
	return []badCase{
		// Shape and encoding.
		{"empty", func(e *corpusEnv) string { return "" }, CodeTokenMalformed},
		{"one part", func(e *corpusEnv) string { return "abc" }, CodeTokenMalformed},
		{"two parts", func(e *corpusEnv) string { t := good(e); return t[:strings.LastIndex(t, ".")] }, CodeTokenMalformed},
		{"four parts", func(e *corpusEnv) string { return good(e) + ".AAAA" }, CodeTokenMalformed},
		{"truncated mid-payload", func(e *corpusEnv) string { t := good(e); return t[:strings.Index(t, ".")+20] }, CodeTokenMalformed},
		{"truncated signature text", func(e *corpusEnv) string { t := good(e); return t[:len(t)-1] }, CodeTokenMalformed},
		{"truncated signature bytes", func(e *corpusEnv) string {
			p := strings.Split(good(e), ".")
			sig, _ := base64.RawURLEncoding.DecodeString(p[2])
			return p[0] + "." + p[1] + "." + b64(sig[:len(sig)-3])
		}, CodeBadSignature},
		{"padded base64", func(e *corpusEnv) string { t := good(e); i := strings.Index(t, "."); return t[:i] + "=" + t[i:] }, CodeTokenMalformed},
		{"standard base64 alphabet", func(e *corpusEnv) string { return strings.Replace(good(e), ".", ".+/", 1) }, CodeTokenMalformed},
		{"embedded whitespace", func(e *corpusEnv) string { t := good(e); return t[:10] + " " + t[10:] }, CodeTokenMalformed},
		{"trailing newline", func(e *corpusEnv) string { return good(e) + "\n" }, CodeTokenMalformed},
		{"double-encoded base64", func(e *corpusEnv) string { return b64([]byte(good(e))) }, CodeTokenMalformed},
		{"JSON-quoted token", func(e *corpusEnv) string { return `"` + good(e) + `"` }, CodeTokenMalformed},
		{"JWS JSON serialization", func(e *corpusEnv) string { return `{"payload":"e30","signatures":[]}` }, CodeTokenMalformed},
		{"header not JSON", func(e *corpusEnv) string { return b64([]byte("alg=RS256")) + "." + b64([]byte("{}")) + ".AAAA" }, CodeTokenMalformed},
		{"payload is an array", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), `[{"sub":"x"}]`, e.rsa)
		}, CodeTokenMalformed},
		{"payload trailing data", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), mustJSON(e.claims())+"{}", e.rsa)
		}, CodeTokenMalformed},
		{"payload invalid UTF-8", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), strings.Replace(mustJSON(e.claims()), "alice", "al\xffce", 1), e.rsa)
		}, CodeTokenMalformed},
		{"nested too deeply", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), mustJSON(e.claims())[:1]+`"x":`+strings.Repeat("[", 40)+strings.Repeat("]", 40)+","+mustJSON(e.claims())[1:], e.rsa)
		}, CodeTokenMalformed},
		{"too large", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "pad", strings.Repeat("x", 17<<10)), e.rsa)
		}, CodeTokenTooLarge},
		// Algorithms and key confusion.
		{"alg none", func(e *corpusEnv) string { return e.signAs(e.header("none", "rsa-1"), e.claims(), "none", nil) }, CodeAlgNotAllowed},
		{"alg NONE", func(e *corpusEnv) string { return e.signAs(e.header("NONE", ""), e.claims(), "none", nil) }, CodeAlgNotAllowed},
		{"missing alg", func(e *corpusEnv) string { return e.sign(map[string]any{"kid": "rsa-1"}, e.claims(), e.rsa) }, CodeTokenMalformed},
		{"HS256 with public key PEM", func(e *corpusEnv) string {
			return e.signAs(e.header(jose.HS256, "rsa-1"), e.claims(), jose.HS256, e.publicKeyPEM)
		}, CodeAlgNotAllowed},
		{"RS384 not accepted", func(e *corpusEnv) string { return e.sign(e.header(jose.RS384, "rsa-1"), e.claims(), e.rsa) }, CodeAlgNotAllowed},
		{"ES256 header on RSA kid", func(e *corpusEnv) string { return e.sign(e.header(jose.ES256, "rsa-1"), e.claims(), e.attackerEC) }, CodeAlgNotAllowed},
		{"RS256 header on EC kid", func(e *corpusEnv) string {
			return e.signAs(e.header(jose.RS256, "ec-1"), e.claims(), jose.RS256, e.rsa.priv)
		}, CodeAlgNotAllowed},
		{"EdDSA header on RSA kid", func(e *corpusEnv) string {
			return e.signAs(e.header(jose.EdDSA, "rsa-1"), e.claims(), jose.EdDSA, e.ed.priv)
		}, CodeAlgNotAllowed},
		{"PS256 with RS256-only JWK", func(e *corpusEnv) string {
			return e.signAs(e.header(jose.PS256, "rsa-1"), e.claims(), jose.PS256, e.rsa.priv)
		}, CodeAlgNotAllowed},
		// Keys.
		{"unknown kid", func(e *corpusEnv) string { return e.sign(e.header(jose.RS256, "nope"), e.claims(), e.rsa) }, CodeUnknownKey},
		{"attacker key reusing our kid", func(e *corpusEnv) string { return e.sign(e.header(jose.RS256, "rsa-1"), e.claims(), e.attackerRSA) }, CodeBadSignature},
		{"attacker EC key reusing our kid", func(e *corpusEnv) string { return e.sign(e.header(jose.ES256, "ec-1"), e.claims(), e.attackerEC) }, CodeBadSignature},
		{"attacker key without kid", func(e *corpusEnv) string { return e.sign(e.header(jose.RS256, ""), e.claims(), e.attackerRSA) }, CodeBadSignature},
		{"other issuer's key, our iss", func(e *corpusEnv) string { return e.sign(e.header(jose.ES256, "other-1"), e.claims(), e.otherKey) }, CodeUnknownKey},
		{"our key, other issuer's iss", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "iss", e.other.issuer), e.rsa)
		}, CodeUnknownKey},
		{"tampered payload", func(e *corpusEnv) string {
			t := good(e)
			p := strings.Split(t, ".")
			return p[0] + "." + b64([]byte(mustJSON(with(e.claims(), "email", "mallory@example.com")))) + "." + p[2]
		}, CodeBadSignature},
		{"empty signature", func(e *corpusEnv) string { t := good(e); return t[:strings.LastIndex(t, ".")+1] }, CodeBadSignature},
		// Forbidden headers.
		{"crit header", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, "rsa-1"), "crit", []string{"exp"}, "exp", 1), e.claims(), e.rsa)
		}, CodeForbiddenHeader},
		{"embedded jwk", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, ""), "jwk", e.attackerRSA.public()), e.claims(), e.attackerRSA)
		}, CodeForbiddenHeader},
		{"jku header", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, "rsa-1"), "jku", "https://evil.example/keys"), e.claims(), e.rsa)
		}, CodeForbiddenHeader},
		{"x5u header", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, "rsa-1"), "x5u", "https://evil.example/c"), e.claims(), e.rsa)
		}, CodeForbiddenHeader},
		{"x5c header", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, "rsa-1"), "x5c", []string{"MIIB"}), e.claims(), e.rsa)
		}, CodeForbiddenHeader},
		{"nested JWT cty", func(e *corpusEnv) string {
			return e.sign(with(e.header(jose.RS256, "rsa-1"), "cty", "JWT"), e.claims(), e.rsa)
		}, CodeForbiddenHeader},
		{"duplicate alg header", func(e *corpusEnv) string {
			return mintRaw(e.tb, `{"alg":"RS256","kid":"rsa-1","alg":"none"}`, mustJSON(e.claims()), jose.RS256, e.rsa.priv)
		}, CodeForbiddenHeader},
		// Duplicate claims.
		{"duplicate sub", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), strings.Replace(mustJSON(e.claims()), `"sub":`, `"sub":"admin","sub":`, 1), e.rsa)
		}, CodeDuplicateClaim},
		{"duplicate email via escape", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), strings.Replace(mustJSON(e.claims()), `"email":`, `"em\u0061il":"admin@example.com","email":`, 1), e.rsa)
		}, CodeDuplicateClaim},
		{"duplicate nested member", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), strings.Replace(mustJSON(e.claims()), `"sub":`, `"realm_access":{"roles":["a"],"roles":["admin"]},"sub":`, 1), e.rsa)
		}, CodeDuplicateClaim},
		// Issuer and audience.
		{"untrusted issuer", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "iss", "https://evil.example"), e.rsa)
		}, CodeWrongIssuer},
		{"issuer with trailing slash", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "iss", e.idp.issuer+"/"), e.rsa)
		}, CodeWrongIssuer},
		{"missing iss", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "iss", nil), e.rsa)
		}, CodeMissingClaim},
		{"wrong aud", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "aud", "someone-else"), e.rsa)
		}, CodeWrongAudience},
		{"aud array without us", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "aud", []string{"a", "b"}), e.rsa)
		}, CodeWrongAudience},
		{"foreign azp with several audiences", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "aud", []string{"tipgate", "b"}, "azp", "b"), e.rsa)
		}, CodeWrongAudience},
		{"foreign azp with one audience", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "azp", "other-client"), e.rsa)
		}, CodeWrongAudience},
		{"access token by typ claim (Keycloak)", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "typ", "Bearer"), e.rsa)
		}, CodeInvalidClaim},
		{"access token by typ header (RFC 9068)", func(e *corpusEnv) string {
			h := e.header(jose.RS256, "rsa-1")
			h["typ"] = "at+jwt"
			return e.sign(h, e.claims(), e.rsa)
		}, CodeInvalidClaim},
		{"missing aud", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "aud", nil), e.rsa)
		}, CodeMissingClaim},
		{"aud is a number", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "aud", 7), e.rsa)
		}, CodeInvalidClaim},
		// Time.
		{"expired", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "exp", e.clock.Now().Add(-2*time.Minute).Unix()), e.rsa)
		}, CodeTokenExpired},
		{"missing exp", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "exp", nil), e.rsa)
		}, CodeMissingClaim},
		{"exp is a string", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "exp", "9999999999"), e.rsa)
		}, CodeInvalidClaim},
		{"nbf in the future", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "nbf", e.clock.Now().Add(2*time.Minute).Unix()), e.rsa)
		}, CodeTokenNotYetValid},
		{"iat in the future", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "iat", e.clock.Now().Add(hour).Unix()), e.rsa)
		}, CodeTokenNotYetValid},
		// Subject and mapping.
		{"missing sub", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "sub", nil), e.rsa)
		}, CodeMissingClaim},
		{"empty sub", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "sub", " "), e.rsa)
		}, CodeMissingClaim},
		{"missing user claim", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "email", nil), e.rsa)
		}, CodeMissingClaim},
		{"user claim not a string", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "email", []string{"a@b"}), e.rsa)
		}, CodeInvalidClaim},
		{"control character in user", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "email", "alice@example.com\nadmin"), e.rsa)
		}, CodeInvalidClaim},
		{"groups not strings", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "groups", []any{"a", 1}), e.rsa)
		}, CodeInvalidClaim},
		{"email explicitly unverified", func(e *corpusEnv) string {
			return e.sign(e.header(jose.RS256, "rsa-1"), with(e.claims(), "email_verified", false), e.rsa)
		}, CodeEmailUnverified},
	}
}

func TestBadTokenCorpus(t *testing.T) {
	var logs bytes.Buffer
	e := newCorpusEnv(t, VerifierOptions{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	var seen []string
	cases := badCorpus()
	if len(cases) < 30 {
		t.Fatalf("corpus has %d cases, want at least 30", len(cases))
	}
	// The corpus must not pass because every token is broken: the
	// baseline token verifies.
	if _, err := e.v.Verify(context.Background(), good(e)); err != nil {
		t.Fatalf("baseline token: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tok := c.token(e)
			seen = append(seen, tok)
			p, err := e.v.Verify(context.Background(), tok)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if got := CodeOf(err); got != c.code {
				t.Fatalf("code = %q (%v), want %q", got, err, c.code)
			}
			if p.User != "" {
				t.Errorf("principal returned with error: %+v", p)
			}
			assertNoSecret(t, err.Error(), tok)
		})
	}
	// Unknown kids made the verifier refresh and log; none of it may
	// carry token material.
	if !strings.Contains(logs.String(), "issuer keys refreshed") {
		t.Fatalf("nothing was logged; the check below would be vacuous:\n%s", logs.String())
	}
	assertNoSecret(t, logs.String(), seen...)
}

// assertNoSecret fails if s contains the token or any of its parts.
func assertNoSecret(t testing.TB, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		for _, part := range append([]string{sec}, strings.Split(sec, ".")...) {
			if len(part) >= 12 && strings.Contains(s, part) {
				t.Fatalf("secret material appears in %q", s)
			}
		}
	}
}
