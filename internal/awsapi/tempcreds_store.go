package awsapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
)

// ChainCredentials tries each store in order: the first that knows the key
// id answers. ErrUnknownKey from one store moves on to the next; any other
// error (ErrExpiredToken included) is final.
type ChainCredentials []CredentialStore

var _ CredentialStore = ChainCredentials(nil)

// Lookup implements CredentialStore.
func (c ChainCredentials) Lookup(ctx context.Context, akid, token string) (Credential, error) {
	for _, s := range c {
		cred, err := s.Lookup(ctx, akid, token)
		if errors.Is(err, ErrUnknownKey) {
			continue
		}
		return cred, err
	}
	return Credential{}, ErrUnknownKey
}

// AuthFailure is why a SigV4 request was refused. Sibling bindings (STS,
// SSO-OIDC) map Kind to their own error vocabulary.
type AuthFailure struct {
	Kind    AuthKind
	Message string
}

func (f *AuthFailure) Error() string { return string(f.Kind) + ": " + f.Message }

// AuthKind classifies SigV4 refusals.
type AuthKind string

const (
	AuthMissing    AuthKind = "missing"    // no Authorization header
	AuthIncomplete AuthKind = "incomplete" // malformed Authorization or X-Amz-Date
	AuthSignature  AuthKind = "signature"  // wrong signature, scope, skew or replay
	AuthUnknownKey AuthKind = "unknown-key"
	AuthExpired    AuthKind = "expired" // temporary credentials past expiry
)

// SigV4 verifies SigV4-signed requests for one signing name with the same
// verifier the Data API uses (the SDK's signer, constant-time comparison,
// 15-minute skew, replay refusal).
type SigV4 struct{ v *verifier }

// NewSigV4 returns a verifier for service (e.g. "sts", "sso-oauth");
// replay, when set, is the replay cache replicas share.
func NewSigV4(service string, creds CredentialStore, now func() time.Time, replay store.Replay) *SigV4 {
	if now == nil {
		now = time.Now
	}
	return &SigV4{v: newVerifier(service, creds, now, replay)}
}

// Verify checks r (whose body has been read into body) and returns the
// signer's principal and access key id.
func (s *SigV4) Verify(ctx context.Context, r *http.Request, body []byte) (identity.Principal, string, *AuthFailure) {
	p, aerr := s.v.verify(ctx, r, body)
	if aerr != nil {
		kind := AuthSignature
		switch aerr.Type {
		case "MissingAuthenticationTokenException":
			kind = AuthMissing
		case "IncompleteSignatureException":
			kind = AuthIncomplete
		case "UnrecognizedClientException":
			kind = AuthUnknownKey
		case "ExpiredTokenException":
			kind = AuthExpired
		}
		return identity.Principal{}, "", &AuthFailure{Kind: kind, Message: aerr.Message}
	}
	a, _ := parseAuthorization(r.Header.Get("Authorization"))
	return p, a.akid, nil
}
