package identity

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// withSig replaces the signature segment of tok.
func withSig(tok string, sig []byte) string {
	i := strings.LastIndexByte(tok, '.')
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

func sigOf(t testing.TB, tok string) []byte {
	t.Helper()
	sig, err := base64.RawURLEncoding.DecodeString(tok[strings.LastIndexByte(tok, '.')+1:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// highSTwin is tok with its ES256 signature (r, s) replaced by (r, n−s),
// which verifies just the same.
func highSTwin(t testing.TB, tok string) string {
	sig := sigOf(t, tok)
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s)
	twin := append([]byte{}, sig[:32]...)
	twin = append(twin, s.FillBytes(make([]byte, 32))...)
	return withSig(tok, twin)
}

// ed25519L is the order of Ed25519's base point.
var ed25519L, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)

// edTwin is tok with its Ed25519 signature's S replaced by S + L, the
// classic Ed25519 malleation.
func edTwin(t testing.TB, tok string) string {
	sig := sigOf(t, tok)
	le := sig[32:]
	be := make([]byte, 32)
	for i := range le {
		be[31-i] = le[i]
	}
	s := new(big.Int).Add(new(big.Int).SetBytes(be), ed25519L)
	be = s.FillBytes(make([]byte, 32))
	out := append([]byte{}, sig[:32]...)
	for i := range be {
		out = append(out, be[31-i])
	}
	return withSig(tok, out)
}

// TestSessionTokenCanonicalForm: each session token has exactly one valid
// encoding. tipgate signs ES256 with s ≤ n/2; the high-s twin of a valid
// token (which go-jose alone accepts) is refused with the very error of a
// bad signature, as is any signature that is not exactly 64 bytes, and any
// base64url that is not the canonical unpadded form.
func TestSessionTokenCanonicalForm(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	s := newTestSessions(t, t.TempDir(), clock, nil)
	sess, err := s.Issue(ctx, federated(clock, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tok := sess.Token
	if !canonicalES256(sigOf(t, tok)) {
		t.Fatal("issued token's signature is not low-s")
	}
	// The twin is a valid ES256 signature: without tipgate's rule it
	// verifies.
	twin := highSTwin(t, tok)
	jws, err := jose.ParseSignedCompact(twin, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(s.ring.Load().keys[0].priv.Public()); err != nil {
		t.Fatalf("the high-s twin should verify as plain ECDSA: %v", err)
	}
	sig := sigOf(t, tok)
	flipped := append([]byte{}, sig...)
	flipped[5] ^= 1
	_, badSig := s.Verify(ctx, withSig(tok, flipped))
	if CodeOf(badSig) != CodeBadSignature {
		t.Fatalf("control: a flipped signature bit gives %v", badSig)
	}
	segs := strings.Split(tok, ".")
	// 64 bytes are 86 base64url characters carrying 4 spare bits; setting
	// one leaves the decoded bytes unchanged for a lenient decoder.
	last := segs[2][85]
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	trailing := segs[0] + "." + segs[1] + "." + segs[2][:85] + string(alphabet[strings.IndexByte(alphabet, last)|1])
	zeroS := append(append([]byte{}, sig[:32]...), make([]byte, 32)...)
	for _, tc := range []struct {
		name string
		tok  string
		code Code
		same bool // the very error of a bad signature
	}{
		{"as issued", tok, "", false},
		{"high-s twin", twin, CodeBadSignature, true},
		{"signature one byte longer", withSig(tok, append(append([]byte{}, sig...), 0)), CodeBadSignature, true},
		{"signature with a leading zero byte", withSig(tok, append([]byte{0}, sig...)), CodeBadSignature, true},
		{"signature one byte shorter", withSig(tok, sig[:63]), CodeBadSignature, true},
		{"s zero", withSig(tok, zeroS), CodeBadSignature, true},
		{"signature with nonzero trailing bits", trailing, CodeTokenMalformed, false},
		{"signature padded", tok + "==", CodeTokenMalformed, false},
		{"header padded", segs[0] + "=." + segs[1] + "." + segs[2], CodeTokenMalformed, false},
		{"payload padded", segs[0] + "." + segs[1] + "=." + segs[2], CodeTokenMalformed, false},
		{"standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(tok), CodeTokenMalformed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.tok == tok && tc.code != "" {
				t.Skip("the variant equals the token")
			}
			_, err := s.Verify(ctx, tc.tok)
			if CodeOf(err) != tc.code || (err == nil) != (tc.code == "") {
				t.Fatalf("code %q (%v), want %q", CodeOf(err), err, tc.code)
			}
			if tc.same && err.Error() != badSig.Error() {
				t.Errorf("error %q differs from a bad signature's %q", err, badSig)
			}
		})
	}
}

// TestSessionSignaturesLowS: every ES256 session token is signed low-s
// (without normalisation half of them would not be), and still verifies.
func TestSessionSignaturesLowS(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	s := newTestSessions(t, t.TempDir(), clock, nil)
	for i := range 64 {
		sess, err := s.Issue(ctx, federated(clock, time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !canonicalES256(sigOf(t, sess.Token)) {
			t.Fatalf("token %d is signed high-s", i)
		}
		if _, err := s.Verify(ctx, sess.Token); err != nil {
			t.Fatalf("token %d: %v", i, err)
		}
	}
}

// TestEdDSASessionTwin: EdDSA session tokens need no rule of tipgate's
// own: Go's Ed25519 verifier already refuses S + L.
func TestEdDSASessionTwin(t *testing.T) {
	clock := newFakeClock()
	ctx := context.Background()
	s := newTestSessions(t, t.TempDir(), clock, func(o *SessionOptions) { o.Algorithm = jose.EdDSA })
	sess, err := s.Issue(ctx, federated(clock, time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(ctx, edTwin(t, sess.Token)); CodeOf(err) != CodeBadSignature {
		t.Fatalf("S+L twin: %v", err)
	}
}

// TestExternalTokensEitherS: external IdPs sign with whichever s their
// library produced; the ID-token verifier accepts both, so tipgate's rule
// for its own tokens breaks no IdP.
func TestExternalTokensEitherS(t *testing.T) {
	e := newCorpusEnv(t, VerifierOptions{})
	tok := mintJose(t, e.ec, e.claims())
	low := tok
	if !canonicalES256(sigOf(t, tok)) {
		low = highSTwin(t, tok)
	}
	for name, tok := range map[string]string{"low s": low, "high s": highSTwin(t, low)} {
		t.Run(name, func(t *testing.T) {
			if _, err := e.v.Verify(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		})
	}
}
