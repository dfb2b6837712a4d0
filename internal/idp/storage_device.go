package idp

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// deviceEntry is a pending device authorization (RFC 8628).
type deviceEntry struct {
	userCode string
	state    op.DeviceAuthorizationState
	issued   bool // tokens were handed out; the device code is spent
}

func (s *storage) StoreDeviceAuthorization(_ context.Context, clientID, deviceCode, userCode string, expires time.Time, scopes []string) error {
	if _, ok := s.clients[clientID]; !ok {
		return fmt.Errorf("client: %w", errNotFound)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if _, ok := s.userCodes[userCode]; ok {
		return op.ErrDuplicateUserCode
	}
	s.devices[deviceCode] = &deviceEntry{
		userCode: userCode,
		state:    op.DeviceAuthorizationState{ClientID: clientID, Scopes: slices.Clone(scopes), Expires: expires},
	}
	s.userCodes[userCode] = deviceCode
	return nil
}

// GetDeviceAuthorizatonState returns a copy of the state; once it reports
// Done, the device code is spent and further polls fail.
func (s *storage) GetDeviceAuthorizatonState(ctx context.Context, clientID, deviceCode string) (*op.DeviceAuthorizationState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[deviceCode]
	if !ok || d.state.ClientID != clientID || d.issued {
		return nil, fmt.Errorf("device code: %w", errNotFound)
	}
	st := d.state
	st.Scopes = slices.Clone(d.state.Scopes)
	if st.Done {
		d.issued = true
	}
	return &st, nil
}

// pendingDevice looks up an open device authorization by its user code.
func (s *storage) pendingDevice(userCode string) (clientID string, scopes []string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[s.userCodes[userCode]]
	if !ok || d.state.Done || d.state.Denied || s.now().After(d.state.Expires) {
		return "", nil, false
	}
	return d.state.ClientID, slices.Clone(d.state.Scopes), true
}

// completeDevice approves the device authorization for u.
func (s *storage) completeDevice(userCode string, u *user) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[s.userCodes[userCode]]
	if !ok || d.state.Done || d.state.Denied || s.now().After(d.state.Expires) {
		return fmt.Errorf("user code: %w", errNotFound)
	}
	d.state.Subject, d.state.Done, d.state.AuthTime, d.state.AMR = u.sub, true, s.now(), []string{"pwd"}
	delete(s.userCodes, userCode)
	return nil
}
