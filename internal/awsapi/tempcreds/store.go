package tempcreds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/identity"
)

// Store resolves temporary access keys by opening their session tokens:
// no lookup table, so any replica with the server key answers.
type Store struct {
	Sealer *Sealer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Recheck, when set, refreshes the session's principal on every use
	// (identity.Provisioning.Recheck): credentials of a provisioned user
	// who was deactivated or deleted stop working at once, and membership
	// changes reach the next statement.
	Recheck func(context.Context, identity.Principal) (identity.Principal, error)
}

var _ awsapi.CredentialStore = (*Store)(nil)

// Lookup implements awsapi.CredentialStore: awsapi.ErrUnknownKey for a key
// id or token it did not issue (or that was altered), awsapi.ErrExpiredToken
// past the expiry.
func (st *Store) Lookup(ctx context.Context, akid, token string) (awsapi.Credential, error) {
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
	p := s.Principal()
	if st.Recheck != nil {
		if p, err = st.Recheck(ctx, p); err != nil {
			// Refused like a token that is no longer valid.
			return awsapi.Credential{}, fmt.Errorf("%w: %w", awsapi.ErrUnknownKey, err)
		}
	}
	return awsapi.Credential{SecretAccessKey: s.Secret, SessionToken: token, Principal: p}, nil
}
