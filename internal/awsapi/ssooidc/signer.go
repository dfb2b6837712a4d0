package ssooidc

import (
	"github.com/tipgate/tipgate/internal/secretfile"

	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	jose "github.com/go-jose/go-jose/v4"
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
	k, err := loadOrCreateECKey(path)
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

func loadOrCreateECKey(path string) (*ecdsa.PrivateKey, error) {
	k, err := readECKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	nk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(nk)
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	werr := errors.Join(tmp.Chmod(0o600), pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}), tmp.Sync(), tmp.Close())
	if werr != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	return readECKey(path)
}

func readECKey(path string) (*ecdsa.PrivateKey, error) {
	der, err := secretfile.ReadPEM(path, "PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("ssooidc: signing key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("ssooidc: %s: %w", path, err)
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("ssooidc: %s is not a P-256 key", path)
	}
	return ek, nil
}
