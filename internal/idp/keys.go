package idp

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/tipgate/tipgate/internal/store"
)

const rsaBits = 2048

// signingKey is the provider's RS256 key; it implements op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = publicKey{}
)

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is the JWKS entry for a signingKey; it implements op.Key.
type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }

// loadOrCreateKey returns the key under name in keys, creating it (the
// first replica to need it wins) when there is none. No keys gives an
// in-memory key.
func loadOrCreateKey(ctx context.Context, keys store.Keys, name string) (*signingKey, error) {
	if keys == nil {
		return newKey()
	}
	data, err := store.KeyMaterial(ctx, keys, name, func() ([]byte, error) {
		k, err := newKey()
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	})
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return parseKey(data, name)
}

// parseKey reads a PEM RSA private key (PKCS#1 or PKCS#8). Errors never
// include key material.
func parseKey(data []byte, path string) (*signingKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("signing key %s: no PEM block", path)
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("signing key %s: unsupported PEM type %q", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key %s: cannot parse private key", path)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok || rk.N.BitLen() < rsaBits {
		return nil, fmt.Errorf("signing key %s: need an RSA key of at least %d bits", path, rsaBits)
	}
	return withKeyID(rk)
}

func newKey() (*signingKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	return withKeyID(k)
}

// withKeyID names the key by its RFC 7638 thumbprint, so a persisted key
// keeps its kid across restarts.
func withKeyID(k *rsa.PrivateKey) (*signingKey, error) {
	tp, err := (&jose.JSONWebKey{Key: &k.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return &signingKey{id: base64.RawURLEncoding.EncodeToString(tp), key: k}, nil
}
