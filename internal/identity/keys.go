package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// minRSABits rejects keys too weak to trust, whatever an IdP publishes.
const minRSABits = 2048

// externalAlgs are the JWS algorithms accepted from external IdPs: the
// asymmetric ones real IdPs use. HMAC and "none" are absent on purpose.
func externalAlgs() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA}
}

// verifyKey is one public key from a key set, with the JWK's own
// restrictions kept so a key is never used with another algorithm.
type verifyKey struct {
	kid string
	alg string // from the JWK; "" allows any algorithm fitting the key type
	key any    // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

// fits reports whether alg may be verified with k: the key type must match
// the algorithm family (no RSA key for ES256, no EC key for RS256) and a
// JWK "alg" must equal the header's.
func (k verifyKey) fits(alg jose.SignatureAlgorithm) bool {
	if k.alg != "" && k.alg != string(alg) {
		return false
	}
	switch pk := k.key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256 || alg == jose.PS256
	case *ecdsa.PublicKey:
		return alg == jose.ES256 && pk.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == jose.EdDSA
	}
	return false
}

// keyFromJWK turns one JWK into a verification key, or explains why it is
// skipped. Skipping (rather than failing the whole set) lets an IdP publish
// encryption keys or key types tipgate does not use next to its signing
// keys, as Keycloak and Azure AD do.
func keyFromJWK(raw json.RawMessage) (verifyKey, error) {
	var meta struct {
		Use string `json:"use"`
	}
	_ = json.Unmarshal(raw, &meta)
	if meta.Use != "" && meta.Use != "sig" {
		return verifyKey{}, fmt.Errorf("key use %q is not \"sig\"", safeName(meta.Use))
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return verifyKey{}, fmt.Errorf("unusable JWK: %w", err)
	}
	if !jwk.Valid() || !jwk.IsPublic() {
		return verifyKey{}, fmt.Errorf("JWK is not a valid public key")
	}
	k := verifyKey{kid: jwk.KeyID, alg: jwk.Algorithm, key: jwk.Key}
	switch pk := jwk.Key.(type) {
	case *rsa.PublicKey:
		if pk.N.BitLen() < minRSABits {
			return verifyKey{}, fmt.Errorf("RSA key shorter than %d bits", minRSABits)
		}
	case *ecdsa.PublicKey:
		if pk.Curve != elliptic.P256() {
			return verifyKey{}, fmt.Errorf("EC key is not on P-256")
		}
	case ed25519.PublicKey:
	default:
		return verifyKey{}, fmt.Errorf("key type %T is not used for signatures here", jwk.Key)
	}
	return k, nil
}

// keySet is an immutable snapshot of an issuer's keys.
type keySet struct {
	keys []verifyKey
}

// candidates are the keys a token may be verified with: the one named by
// kid, or, when the token has no kid (some IdPs with a single key omit
// it), every key fitting the algorithm.
func (s *keySet) candidates(t *parsedToken) (match []verifyKey, kidFound bool) {
	if s == nil {
		return nil, false
	}
	for _, k := range s.keys {
		if t.hasKid && k.kid != t.kid {
			continue
		}
		if t.hasKid {
			kidFound = true
		}
		if k.fits(t.alg) {
			match = append(match, k)
		}
	}
	return match, kidFound || (!t.hasKid && len(match) > 0)
}

// verifySignature checks t's signature against the candidate keys. The
// caller has already found them; this only reports which way the check
// failed.
//
// It verifies over the token's signing input as received (its header and
// payload segments, which parseToken decoded and checked) with the
// primitive and the checks go-jose's JWS verification uses for each
// algorithm (verifyJWS), instead of handing the token to go-jose to be
// parsed a second time: that second parse was most of what tipgate added
// to the signature check itself. TestVerifySignatureMatchesGoJose and
// FuzzVerifySignatureDifferential hold the two to the same decisions.
func verifySignature(t *parsedToken, keys []verifyKey) *Error {
	dot := strings.LastIndexByte(t.raw, '.')
	if dot < 0 {
		return newError(CodeTokenMalformed, "token is not a valid JWS")
	}
	input := t.raw[:dot]
	var last error
	for _, k := range keys {
		if err := verifyJWS(k.key, t.alg, input, t.sig); err != nil {
			last = err
			continue
		}
		return nil
	}
	return wrapError(CodeBadSignature, msgBadSignature, last)
}

var (
	errSignature      = errors.New("signature does not verify")
	errKeyAlgMismatch = errors.New("key does not fit the algorithm")
)

// verifyJWS verifies sig over the JWS signing input with key, as go-jose
// v4 does for alg: PKCS #1 v1.5 and PSS (salt length auto) over SHA-256
// for RS256 and PS256; for ES256 a P-256 key and exactly 64 bytes, r then
// s; Ed25519 over the input itself for EdDSA. Anything else is refused.
func verifyJWS(key any, alg jose.SignatureAlgorithm, input string, sig []byte) error {
	switch pk := key.(type) {
	case *rsa.PublicKey:
		h := sha256.Sum256([]byte(input))
		switch alg {
		case jose.RS256:
			return rsa.VerifyPKCS1v15(pk, crypto.SHA256, h[:], sig)
		case jose.PS256:
			return rsa.VerifyPSS(pk, crypto.SHA256, h[:], sig, nil)
		}
	case *ecdsa.PublicKey:
		if alg != jose.ES256 || pk.Curve != elliptic.P256() {
			break
		}
		if len(sig) != 64 {
			return fmt.Errorf("ES256 signature is %d bytes, want 64", len(sig))
		}
		h := sha256.Sum256([]byte(input))
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pk, h[:], r, s) {
			return errSignature
		}
		return nil
	case ed25519.PublicKey:
		if alg != jose.EdDSA || len(pk) != ed25519.PublicKeySize {
			break
		}
		if !ed25519.Verify(pk, []byte(input), sig) {
			return errSignature
		}
		return nil
	}
	return errKeyAlgMismatch
}

const msgBadSignature = "signature does not verify with the issuer's key"
