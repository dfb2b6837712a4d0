package tempcreds

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// Refusals of a sealed value. Neither says which check failed beyond
// "invalid" versus "expired", so a caller learns nothing about the key.
var (
	ErrInvalid = errors.New("tempcreds: invalid sealed value")
	ErrExpired = errors.New("tempcreds: expired")
)

// purpose separates the kinds of sealed values: each has its own subkey.
type purpose string

const (
	purposeSession purpose = "sts session token"
	purposeContext purpose = "identity center context assertion"
	purposeAccess  purpose = "sso-oidc access token"
	purposeRefresh purpose = "sso-oidc refresh token"
)

const (
	version   = 1
	headerLen = 1 + 4 // version, key id
	// MaxSealedLen bounds a sealed value before it is decoded.
	MaxSealedLen = 16 << 10
)

// Sealer seals and opens values under subkeys of one server key.
type Sealer struct {
	id    [4]byte
	aeads map[purpose]cipher.AEAD
}

// NewSealer derives the subkeys of a KeySize-byte server key.
func NewSealer(master []byte) (*Sealer, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("tempcreds: server key must be %d bytes", KeySize)
	}
	s := &Sealer{id: keyID(master), aeads: map[purpose]cipher.AEAD{}}
	for _, p := range []purpose{purposeSession, purposeContext, purposeAccess, purposeRefresh} {
		sub, err := hkdf.Key(sha256.New, master, nil, "tipgate tempcreds v1 "+string(p), chacha20poly1305.KeySize)
		if err != nil {
			return nil, fmt.Errorf("tempcreds: derive key: %w", err)
		}
		a, err := chacha20poly1305.NewX(sub)
		if err != nil {
			return nil, fmt.Errorf("tempcreds: cipher: %w", err)
		}
		s.aeads[p] = a
	}
	return s, nil
}

// OpenDir returns a Sealer over <dataDir>/KeyFile, created on first use.
func OpenDir(dataDir string) (*Sealer, error) {
	return OpenKeys(context.Background(), memstore.FileKeys(dataDir))
}

// OpenKeys returns a Sealer over the server key KeyFile in keys, created by
// the first replica to need it: every replica then seals with one key.
func OpenKeys(ctx context.Context, keys store.Keys) (*Sealer, error) {
	k, err := loadKey(ctx, keys, KeyFile)
	if err != nil {
		return nil, err
	}
	return NewSealer(k)
}

// seal encrypts v's JSON under p's subkey with binding as associated data:
// base64(version | key id | nonce | ciphertext).
func (s *Sealer) seal(p purpose, binding string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("tempcreds: seal: %w", err)
	}
	a := s.aeads[p]
	out := make([]byte, headerLen+a.NonceSize(), headerLen+a.NonceSize()+len(plain)+a.Overhead())
	out[0] = version
	copy(out[1:headerLen], s.id[:])
	if _, err := rand.Read(out[headerLen:]); err != nil {
		return "", fmt.Errorf("tempcreds: nonce: %w", err)
	}
	out = a.Seal(out, out[headerLen:], plain, s.ad(p, out[:headerLen], binding))
	return base64.StdEncoding.EncodeToString(out), nil
}

// open reverses seal into v. Any change to any byte, another key, another
// purpose or another binding gives ErrInvalid.
func (s *Sealer) open(p purpose, binding, sealed string, v any) error {
	if len(sealed) > MaxSealedLen {
		return ErrInvalid
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(sealed)
	if err != nil {
		return ErrInvalid
	}
	a := s.aeads[p]
	if len(raw) < headerLen+a.NonceSize()+a.Overhead() || raw[0] != version || !bytes.Equal(raw[1:headerLen], s.id[:]) {
		return ErrInvalid
	}
	nonce := raw[headerLen : headerLen+a.NonceSize()]
	plain, err := a.Open(nil, nonce, raw[headerLen+a.NonceSize():], s.ad(p, raw[:headerLen], binding))
	if err != nil {
		return ErrInvalid
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return ErrInvalid
	}
	return nil
}

func (s *Sealer) ad(p purpose, header []byte, binding string) []byte {
	ad := make([]byte, 0, len(p)+len(header)+len(binding)+2)
	ad = append(ad, p...)
	ad = append(ad, 0)
	ad = append(ad, header...)
	ad = append(ad, 0)
	return append(ad, binding...)
}
