package ssooidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// Signer signs idToken claims as a compact JWS.
type Signer interface {
	Sign(claims map[string]any) (string, error)
}

// KeyFile is FileSigner's key file name in the data directory.
const KeyFile = "sso-oidc-signing-key.pem"

// FileSigner signs with an ES256 key kept in a file (mode 0600, created on
// first use), so every replica on a data directory signs with one key.
type FileSigner struct {
	key *ecdsa.PrivateKey
	kid string
	s   jose.Signer
}

// NewFileSigner loads or creates the key at path.
func NewFileSigner(path string) (*FileSigner, error) {
	return NewKeySigner(context.Background(), memstore.FileKeys(filepath.Dir(path)), filepath.Base(path))
}

// NewKeySigner loads the key under name in keys, or creates it there when
// no replica has yet, so every replica signs with one key.
func NewKeySigner(ctx context.Context, keys store.Keys, name string) (*FileSigner, error) {
	k, err := loadOrCreateECKey(ctx, keys, name)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	sum := sha256.Sum256(der)
	kid := base64.RawURLEncoding.EncodeToString(sum[:12])
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signer: %w", err)
	}
	return &FileSigner{key: k, kid: kid, s: s}, nil
}

// Sign implements Signer.
func (f *FileSigner) Sign(claims map[string]any) (string, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := f.s.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// JWKS is the public key set idTokens verify against.
func (f *FileSigner) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: f.kid, Algorithm: string(jose.ES256), Use: "sig"}}}
}

func loadOrCreateECKey(ctx context.Context, keys store.Keys, name string) (*ecdsa.PrivateKey, error) {
	b, err := store.KeyMaterial(ctx, keys, name, func() ([]byte, error) {
		nk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(nk)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	})
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("ssooidc: signing key %s is not a PEM PRIVATE KEY", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("ssooidc: %s: %w", name, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("ssooidc: %s is not a P-256 key", name)
	}
	return ek, nil
}
