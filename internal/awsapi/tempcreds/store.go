package tempcreds

import (
	"context"
	"errors"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
)

// Store resolves temporary access keys by opening their session tokens:
// no lookup table, so any replica with the server key answers.
type Store struct {
	Sealer *Sealer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

var _ awsapi.CredentialStore = (*Store)(nil)

// Lookup implements awsapi.CredentialStore: awsapi.ErrUnknownKey for a key
// id or token it did not issue (or that was altered), awsapi.ErrExpiredToken
// past the expiry.
func (st *Store) Lookup(_ context.Context, akid, token string) (awsapi.Credential, error) {
	now := time.Now
	if st.Now != nil {
		now = st.Now
	}
	s, err := st.Sealer.Open(akid, token, now())
	switch {
	case errors.Is(err, ErrExpired):
		return awsapi.Credential{}, awsapi.ErrExpiredToken
	case err != nil:
		return awsapi.Credential{}, awsapi.ErrUnknownKey
	}
	return awsapi.Credential{SecretAccessKey: s.Secret, SessionToken: token, Principal: s.Principal()}, nil
}
