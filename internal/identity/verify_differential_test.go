package identity

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// goJoseVerifies is the reference verifySignature is held to: go-jose's
// own parse and verify of the same compact token with the same key.
func goJoseVerifies(raw string, alg jose.SignatureAlgorithm, key any) bool {
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return false
	}
	_, err = jws.Verify(key)
	return err == nil
}

// signJWS signs header.payload with k's private key and returns the
// compact token; header is used as given, whatever its "alg" says.
func signJWS(t testing.TB, k testKey, alg jose.SignatureAlgorithm, header, payload []byte) (string, []byte) {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	h := sha256.Sum256([]byte(input))
	var sig []byte
	var err error
	switch pk := k.priv.(type) {
	case *rsa.PrivateKey:
		if alg == jose.PS256 {
			sig, err = rsa.SignPSS(rand.Reader, pk, crypto.SHA256, h[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, pk, crypto.SHA256, h[:])
		}
	case *ecdsa.PrivateKey:
		var r, s *big.Int
		if r, s, err = ecdsa.Sign(rand.Reader, pk, h[:]); err == nil {
			sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(pk, []byte(input))
	}
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + enc.EncodeToString(sig), sig
}

type diffKeys struct {
	signers []testKey // rsa (RS256), ps (PS256), ec (ES256), ed (EdDSA)
	keys    []any     // every public key a token is checked against
}

func newDiffKeys(t testing.TB) diffKeys {
	rsaKey := newKey(t, "rsa-1", jose.RS256)
	ec := newKey(t, "ec-1", jose.ES256)
	ed := newKey(t, "ed-1", jose.EdDSA)
	otherEC := newKey(t, "ec-2", jose.ES256)
	_, otherRSA := rsaKeys(t)
	return diffKeys{
		signers: []testKey{rsaKey, {kid: "ps-1", alg: jose.PS256, priv: rsaKey.priv}, ec, ed},
		keys:    []any{rsaKey.priv.Public(), ec.priv.Public(), ed.priv.Public(), otherEC.priv.Public(), &otherRSA.PublicKey},
	}
}

// compare checks verifySignature against go-jose for raw with every key,
// when parseToken accepts raw (parseToken is stricter than go-jose's
// parse on purpose: duplicate members, strict base64, forbidden headers).
// It returns how many keys accepted, or -1 when parseToken refused.
func (d diffKeys) compare(t *testing.T, raw string) int {
	t.Helper()
	pt, perr := parseToken(raw, externalAlgs())
	if perr != nil {
		return -1
	}
	accepted := 0
	for i, key := range d.keys {
		ours := verifySignature(pt, []verifyKey{{key: key}}) == nil
		theirs := goJoseVerifies(raw, pt.alg, key)
		if ours != theirs {
			t.Fatalf("key %d (%T), alg %s: tipgate accepts %v, go-jose %v\ntoken %s", i, key, pt.alg, ours, theirs, raw)
		}
		if ours {
			accepted++
		}
	}
	return accepted
}

// TestVerifySignatureMatchesGoJose: for tokens of every accepted algorithm,
// well-formed and tampered with, tipgate's signature check accepts exactly
// when go-jose's parse + verify does, key by key.
func TestVerifySignatureMatchesGoJose(t *testing.T) {
	d := newDiffKeys(t)
	claims := []byte(`{"iss":"https://idp.example","sub":"u1","aud":"tipgate","exp":4102444800}`)
	for _, k := range d.signers {
		hdr := []byte(`{"alg":"` + string(k.alg) + `","kid":"` + k.kid + `","typ":"JWT"}`)
		good, sig := signJWS(t, k, k.alg, hdr, claims)
		flipped := append([]byte(nil), sig...)
		flipped[len(flipped)/2] ^= 1
		otherHdr, _ := signJWS(t, k, k.alg, []byte(`{"alg":"`+string(k.alg)+`","kid":"other"}`), claims)
		otherClaims, _ := signJWS(t, k, k.alg, hdr, []byte(`{"iss":"https://idp.example","sub":"admin","aud":"tipgate","exp":4102444800}`))
		nonceStr, _ := signJWS(t, k, k.alg, []byte(`{"alg":"`+string(k.alg)+`","nonce":"n-1"}`), claims)
		nonceNum, _ := signJWS(t, k, k.alg, []byte(`{"alg":"`+string(k.alg)+`","nonce":5}`), claims)
		extra, _ := signJWS(t, k, k.alg, []byte(`{"alg":"`+string(k.alg)+`","x-vendor":{"a":[1,2]}}`), claims)
		cases := []diffCase{
			{"valid", good, 1},
			{"a bit of the signature flipped", withSig(good, flipped), 0},
			{"signature one byte short", withSig(good, sig[:len(sig)-1]), 0},
			{"signature one byte long", withSig(good, append(append([]byte(nil), sig...), 0)), 0},
			{"signature doubled", withSig(good, append(append([]byte(nil), sig...), sig...)), 0},
			{"no signature", withSig(good, nil), 0},
			{"payload of another token", strings.Split(good, ".")[0] + "." + strings.Split(otherClaims, ".")[1] + "." + strings.Split(good, ".")[2], 0},
			{"the same payload re-signed", strings.Split(good, ".")[0] + "." + strings.Split(otherHdr, ".")[1] + "." + strings.Split(good, ".")[2], 1},
			{"header of another token", strings.Split(otherHdr, ".")[0] + "." + strings.Split(good, ".")[1] + "." + strings.Split(good, ".")[2], 0},
			{"nonce a string", nonceStr, 1},
			{"nonce not a string", nonceNum, -1},
			{"unknown header member", extra, 1},
		}
		if k.alg == jose.ES256 {
			// The other valid signature of the same message, (r, n-s):
			// Go's ECDSA, and so go-jose, accepts it.
			r := new(big.Int).SetBytes(sig[:32])
			s := new(big.Int).Sub(k.priv.(*ecdsa.PrivateKey).Params().N, new(big.Int).SetBytes(sig[32:]))
			high := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
			der, _ := ecdsa.SignASN1(rand.Reader, k.priv.(*ecdsa.PrivateKey), sha256Sum(strings.Join(strings.Split(good, ".")[:2], ".")))
			zero := append(make([]byte, 32), sig[32:]...)
			cases = append(cases,
				diffCase{"high s", withSig(good, high), 1},
				diffCase{"ASN.1 signature", withSig(good, der), 0},
				diffCase{"r zero", withSig(good, zero), 0})
		}
		// The same signature under another algorithm of the same key type.
		for _, other := range []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256, jose.EdDSA} {
			if other == k.alg {
				continue
			}
			relabeled := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"`+string(other)+`","kid":"`+k.kid+`","typ":"JWT"}`)) +
				good[strings.IndexByte(good, '.'):]
			cases = append(cases, diffCase{"relabeled " + string(other), relabeled, 0})
		}
		for _, c := range cases {
			t.Run(string(k.alg)+"/"+c.name, func(t *testing.T) {
				if got := d.compare(t, c.tok); got != c.want {
					t.Fatalf("%d keys accept, want %d", got, c.want)
				}
			})
		}
	}
}

type diffCase struct {
	name string
	tok  string
	want int // keys that accept; -1: parseToken refuses
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// FuzzVerifySignatureDifferential signs arbitrary headers and payloads
// with each test key (so signatures are valid for whatever the header
// says), optionally corrupts one bit of the signature, and requires
// tipgate's signature check to agree with go-jose's for every key.
func FuzzVerifySignatureDifferential(f *testing.F) {
	d := newDiffKeys(f)
	for i, k := range d.signers {
		hdr, _ := json.Marshal(map[string]string{"alg": string(k.alg), "kid": k.kid, "typ": "JWT"})
		f.Add(hdr, []byte(`{"iss":"x","sub":"y"}`), uint8(i), uint16(0))
		f.Add(hdr, []byte(`{"iss":"x","sub":"y"}`), uint8(i), uint16(7))
	}
	f.Add([]byte(`{"alg":"ES256","nonce":1}`), []byte(`{}`), uint8(2), uint16(0))
	f.Add([]byte(`{"alg":"RS256","crit":["exp"],"exp":1}`), []byte(`{}`), uint8(0), uint16(0))
	f.Add([]byte(`{"alg":"EdDSA","b64":false}`), []byte(`{}`), uint8(3), uint16(0))
	f.Fuzz(func(t *testing.T, header, payload []byte, signer uint8, flip uint16) {
		if len(header)+len(payload) > 4096 {
			return
		}
		k := d.signers[int(signer)%len(d.signers)]
		tok, sig := signJWS(t, k, k.alg, header, payload)
		if flip != 0 {
			bit := int(flip) % (len(sig) * 8)
			sig[bit/8] ^= 1 << (bit % 8)
			tok = withSig(tok, sig)
		}
		d.compare(t, tok)
	})
}
