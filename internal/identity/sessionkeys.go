package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/store"
)

// Session signing keys are key material in the store (store.Keys), one per
// rotation period, named keys/session-<unix seconds>.pem after the start of
// the period they sign for. The embedded store keeps them as files of that
// name under the data directory; the shared store in PostgreSQL. Every
// replica derives the same name for the same period, and creation is
// first-wins, so two replicas rotating at once agree on one key.

const keyFilePrefix = "keys/session-"

type sessionKey struct {
	kid    string
	alg    jose.SignatureAlgorithm
	period time.Time // start of the rotation period it signs for
	priv   crypto.Signer
	signer jose.Signer
	pub    verifyKey
}

// keyring is an immutable snapshot of the keys on disk, oldest first.
type keyring struct {
	keys   []*sessionKey
	loaded time.Time
}

func (r *keyring) forPeriod(start time.Time) *sessionKey {
	if r == nil {
		return nil
	}
	for _, k := range r.keys {
		if k.period.Equal(start) {
			return k
		}
	}
	return nil
}

func keyFileName(period time.Time) string {
	return keyFilePrefix + strconv.FormatInt(period.Unix(), 10) + ".pem"
}

// ensureKeyDir creates the key directory owner-only, and refuses one that
// others can read: a readable signing key lets anyone mint sessions.
func ensureKeyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("identity: creating key directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("identity: key directory: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("identity: key directory %s is accessible to other users (mode %v); it must be 0700", dir, fi.Mode().Perm())
	}
	return nil
}

// createKey makes the key for period unless another replica already has.
func createKey(ctx context.Context, keys store.Keys, period time.Time, alg jose.SignatureAlgorithm) error {
	var priv crypto.Signer
	var err error
	switch alg {
	case jose.ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return fmt.Errorf("identity: session algorithm %s not supported", alg)
	}
	if err != nil {
		return fmt.Errorf("identity: generating session key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return fmt.Errorf("identity: encoding session key: %w", err)
	}
	block := &pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{
		"Alg": string(alg), "Period": period.UTC().Format(time.RFC3339),
	}, Bytes: der}
	if _, err := keys.Create(ctx, keyFileName(period), pem.EncodeToMemory(block)); err != nil {
		return fmt.Errorf("identity: installing session key: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("identity: syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("identity: syncing %s: %w", dir, err)
	}
	return nil
}

// loadKeys reads every session key still needed at now, deleting those
// past their retirement (period end + overlap).
func loadKeys(ctx context.Context, keys store.Keys, now time.Time, rotation, overlap time.Duration) (*keyring, error) {
	names, err := keys.List(ctx, keyFilePrefix)
	if err != nil {
		return nil, fmt.Errorf("identity: listing session keys: %w", err)
	}
	r := &keyring{loaded: now}
	for _, name := range names {
		if !strings.HasSuffix(name, ".pem") {
			continue
		}
		sec, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(name, keyFilePrefix), ".pem"), 10, 64)
		if err != nil {
			continue
		}
		period := time.Unix(sec, 0).UTC()
		if now.After(period.Add(rotation + overlap + time.Minute)) {
			// Every token this key signed has expired.
			_ = keys.Delete(ctx, name)
			continue
		}
		b, err := keys.Get(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			continue // retired by another replica meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("identity: session key: %w", err)
		}
		k, err := readKey(b, name, period)
		if err != nil {
			return nil, err
		}
		r.keys = append(r.keys, k)
	}
	slices.SortFunc(r.keys, func(a, b *sessionKey) int { return a.period.Compare(b.period) })
	return r, nil
}

func readKey(b []byte, path string, period time.Time) (*sessionKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("identity: session key %s is not a PEM PRIVATE KEY", path)
	}
	der := blk.Bytes
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("identity: session key %s: %w", path, err)
	}
	var alg jose.SignatureAlgorithm
	var priv crypto.Signer
	switch pk := parsed.(type) {
	case *ecdsa.PrivateKey:
		if pk.Curve != elliptic.P256() {
			return nil, fmt.Errorf("identity: session key %s is not P-256", path)
		}
		alg, priv = jose.ES256, pk
	case ed25519.PrivateKey:
		alg, priv = jose.EdDSA, pk
	default:
		return nil, fmt.Errorf("identity: session key %s has unsupported type %T", path, parsed)
	}
	jwk := jose.JSONWebKey{Key: priv.Public(), Algorithm: string(alg), Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("identity: session key thumbprint: %w", err)
	}
	kid := b64url(tp)
	var signingKey any = priv
	if ec, ok := priv.(*ecdsa.PrivateKey); ok {
		// Only low-s signatures: see canonicalES256.
		signingKey = &lowSSigner{key: ec, kid: kid}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: signingKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return nil, fmt.Errorf("identity: session signer: %w", err)
	}
	return &sessionKey{
		kid: kid, alg: alg, period: period, priv: priv, signer: signer,
		pub: verifyKey{kid: kid, alg: string(alg), key: priv.Public()},
	}, nil
}
