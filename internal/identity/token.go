package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// MaxTokenSize is the largest token accepted. Real ID tokens are a few KiB
// even with many groups; the cap bounds parsing work for anything larger.
const MaxTokenSize = 16 << 10

// forbiddenHeaders are JOSE header parameters that would let the token
// choose its own verification key or change how it is processed. Keys come
// only from the issuer's published set.
func forbiddenHeaders() []string {
	return []string{"crit", "jwk", "jku", "x5u", "x5c", "b64", "zip", "enc", "cty"}
}

// parsedToken is a compact JWS split and strictly decoded, not yet
// verified. Nothing in it may be trusted until verifySignature succeeds.
type parsedToken struct {
	raw     string
	alg     jose.SignatureAlgorithm
	kid     string
	hasKid  bool
	typ     string
	payload []byte
	sig     []byte // the decoded signature, unverified
	claims  map[string]json.RawMessage
}

// parseToken does every check that needs no key: size, shape, encoding,
// header parameters, algorithm and duplicate members.
func parseToken(raw string, algs []jose.SignatureAlgorithm) (*parsedToken, *Error) {
	if len(raw) > MaxTokenSize {
		return nil, newError(CodeTokenTooLarge, "token exceeds 16 KiB")
	}
	if raw == "" {
		return nil, newError(CodeTokenMalformed, "empty token")
	}
	// Go's base64 decoders skip CR and LF, so the alphabet is checked
	// here: the token must be exactly what was signed.
	for i := 0; i < len(raw); i++ {
		if !isTokenByte(raw[i]) {
			return nil, newError(CodeTokenMalformed, "token contains a character outside base64url")
		}
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, newError(CodeTokenMalformed, "token is not a compact JWS (three dot-separated parts)")
	}
	var dec [3][]byte
	for i, p := range parts {
		// An empty signature is left to the signature check, so that
		// "alg":"none" tokens are reported as such.
		if p == "" && i < 2 {
			return nil, newError(CodeTokenMalformed, "token has an empty header or payload")
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			return nil, wrapError(CodeTokenMalformed, "token part is not unpadded base64url", err)
		}
		dec[i] = b
	}
	hdr, err := strictObject(dec[0])
	if err != nil {
		if errors.Is(err, errDuplicateKey) {
			return nil, wrapError(CodeForbiddenHeader, "duplicate JOSE header parameter", err)
		}
		return nil, wrapError(CodeTokenMalformed, "JOSE header is not a JSON object", err)
	}
	for _, name := range forbiddenHeaders() {
		if _, ok := hdr[name]; ok {
			return nil, newError(CodeForbiddenHeader, "JOSE header parameter \""+name+"\" is not accepted")
		}
	}
	t := &parsedToken{raw: raw, payload: dec[1], sig: dec[2]}
	var alg string
	if err := jsonString(hdr["alg"], &alg); err != nil || alg == "" {
		return nil, newError(CodeTokenMalformed, "JOSE header has no \"alg\"")
	}
	t.alg = jose.SignatureAlgorithm(alg)
	allowed := false
	for _, a := range algs {
		if a == t.alg {
			allowed = true
		}
	}
	if !allowed {
		return nil, newError(CodeAlgNotAllowed, "signature algorithm "+safeName(alg)+" is not accepted")
	}
	if k, ok := hdr["kid"]; ok {
		if err := jsonString(k, &t.kid); err != nil {
			return nil, newError(CodeTokenMalformed, "JOSE header \"kid\" is not a string")
		}
		t.hasKid = true
	}
	// go-jose refuses a JWS whose "nonce" is not a string; so does
	// tipgate, which verifies without it (verifySignature).
	if k, ok := hdr["nonce"]; ok {
		if _, ok := jsonString1(k); !ok {
			return nil, newError(CodeTokenMalformed, "JOSE header \"nonce\" is not a string")
		}
	}
	if k, ok := hdr["typ"]; ok {
		if err := jsonString(k, &t.typ); err != nil {
			return nil, newError(CodeTokenMalformed, "JOSE header \"typ\" is not a string")
		}
	}
	t.claims, err = strictObject(dec[1])
	if err != nil {
		if errors.Is(err, errDuplicateKey) {
			return nil, wrapError(CodeDuplicateClaim, "token payload repeats a claim", err)
		}
		return nil, wrapError(CodeTokenMalformed, "token payload is not a JSON object", err)
	}
	return t, nil
}

func jsonString(raw json.RawMessage, dst *string) error {
	if raw == nil {
		return errors.New("absent")
	}
	s, ok := jsonString1(raw)
	if !ok {
		return errors.New("not a string")
	}
	*dst = s
	return nil
}

// safeName returns s if it looks like an algorithm or claim name, so an
// attacker-chosen header value cannot smuggle arbitrary text into logs.
func safeName(s string) string {
	if len(s) > 32 {
		return "(unprintable)"
	}
	for _, r := range s {
		if r < '!' || r > '~' || r == '"' || r == '\\' {
			return "(unprintable)"
		}
	}
	return s
}

func isTokenByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
