package identity

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"math/big"

	jose "github.com/go-jose/go-jose/v4"
)

// ECDSA signatures are malleable: when (r, s) verifies, so does (r, n−s).
// A session token would then have two valid encodings, and anything keyed
// by token text (a replay cache, a revocation or deny list, a log search)
// could be walked around with the twin. tipgate signs its own ES256 tokens
// with the low s only and accepts nothing else, so each session token has
// exactly one valid form. (Ed25519 needs no such rule: Go's verifier
// already refuses a non-canonical s.) External IdPs' tokens keep the
// usual rule: they sign with either s.

// p256HalfOrder is ⌊n/2⌋ for P-256: a canonical s is at most this.
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// canonicalES256 reports whether sig has tipgate's one form of an ES256
// signature: exactly 64 bytes, r‖s big-endian, with 0 < s ≤ n/2.
// Whether it verifies is for the signature check.
func canonicalES256(sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	s := new(big.Int).SetBytes(sig[32:])
	return s.Sign() > 0 && s.Cmp(p256HalfOrder) <= 0
}

// lowSSigner is a go-jose OpaqueSigner making ES256 signatures in the
// canonical form: go-jose's own ECDSA signer keeps whichever s the
// randomised signature came out with.
type lowSSigner struct {
	key *ecdsa.PrivateKey
	kid string
}

func (l *lowSSigner) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: &l.key.PublicKey, KeyID: l.kid, Algorithm: string(jose.ES256), Use: "sig"}
}

func (l *lowSSigner) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{jose.ES256} }

// SignPayload signs the JWS signing input (go-jose passes it unhashed).
func (l *lowSSigner) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	if alg != jose.ES256 {
		return nil, jose.ErrUnsupportedAlgorithm
	}
	h := sha256.Sum256(payload)
	r, s, err := ecdsa.Sign(rand.Reader, l.key, h[:])
	if err != nil {
		return nil, err
	}
	if s.Cmp(p256HalfOrder) > 0 {
		s.Sub(l.key.Curve.Params().N, s)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}
