package tempcreds

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Grant is what SSO-OIDC issues for one user of one application: sealed
// as a context assertion (sts:identity_context), an access token or a
// refresh token, each under its own subkey.
type Grant struct {
	Identity    Identity `json:"id"`
	Application string   `json:"app"`
	Scopes      []string `json:"scp,omitempty"`
	IssuedAt    int64    `json:"iat"`
	Expiry      int64    `json:"exp"`
	ID          string   `json:"jti"`
}

// ExpiresAt is the grant's expiry.
func (g Grant) ExpiresAt() time.Time { return time.Unix(g.Expiry, 0).UTC() }

// MaxContextAssertionLen is the longest ContextAssertion STS accepts.
const MaxContextAssertionLen = 2048

// SealContext seals g as a context assertion. It fails if the result is
// longer than AWS allows (too many groups).
func (x *Sealer) SealContext(g Grant) (string, error) {
	s, err := x.sealGrant(purposeContext, g)
	if err == nil && len(s) > MaxContextAssertionLen {
		return "", fmt.Errorf("tempcreds: the context assertion would be %d characters, more than %d: the user has too many groups", len(s), MaxContextAssertionLen)
	}
	return s, err
}

// OpenContext opens a context assertion (ErrInvalid, ErrExpired).
func (x *Sealer) OpenContext(s string, now time.Time) (Grant, error) {
	return x.openGrant(purposeContext, s, now)
}

// SealAccessToken seals g as an SSO-OIDC access token.
func (x *Sealer) SealAccessToken(g Grant) (string, error) { return x.sealGrant(purposeAccess, g) }

// OpenAccessToken opens an access token (ErrInvalid, ErrExpired).
func (x *Sealer) OpenAccessToken(s string, now time.Time) (Grant, error) {
	return x.openGrant(purposeAccess, s, now)
}

// SealRefreshToken seals g as an SSO-OIDC refresh token.
func (x *Sealer) SealRefreshToken(g Grant) (string, error) { return x.sealGrant(purposeRefresh, g) }

// OpenRefreshToken opens a refresh token (ErrInvalid, ErrExpired).
func (x *Sealer) OpenRefreshToken(s string, now time.Time) (Grant, error) {
	return x.openGrant(purposeRefresh, s, now)
}

func (x *Sealer) sealGrant(p purpose, g Grant) (string, error) {
	if g.Application == "" || g.Identity.User == "" || g.Expiry <= g.IssuedAt {
		return "", fmt.Errorf("tempcreds: a grant needs an application, a user and an expiry after its issue time")
	}
	if g.ID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("tempcreds: grant id: %w", err)
		}
		g.ID = hex.EncodeToString(b[:])
	}
	return x.seal(p, "", g)
}

func (x *Sealer) openGrant(p purpose, s string, now time.Time) (Grant, error) {
	var g Grant
	if err := x.open(p, "", s, &g); err != nil {
		return Grant{}, err
	}
	if g.Application == "" || g.Identity.User == "" {
		return Grant{}, ErrInvalid
	}
	if !now.Before(g.ExpiresAt()) {
		return Grant{}, ErrExpired
	}
	return g, nil
}
