package idp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// requestInfo extracts what token storage needs from any request type the
// library (or the password grant) hands in.
func requestInfo(req op.TokenRequest) (clientID string, amr []string, authTime time.Time) {
	if r, ok := req.(op.IDTokenRequest); ok {
		return r.GetClientID(), r.GetAMR(), r.GetAuthTime()
	}
	return "", nil, time.Time{}
}

func (s *storage) newAccessTokenLocked(clientID, refreshID string, req op.TokenRequest) *accessToken {
	t := &accessToken{
		id: randomToken(), clientID: clientID, subject: req.GetSubject(), refreshID: refreshID,
		audience: req.GetAudience(), scopes: req.GetScopes(), expires: s.now().Add(accessTokenLifetime),
	}
	s.tokens[t.id] = t
	return t
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	clientID, _, _ := requestInfo(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	t := s.newAccessTokenLocked(clientID, "", req)
	return t.id, t.expires, nil
}

// CreateAccessAndRefreshTokens issues a new pair, rotating current when it
// is set (the refresh grant): the old refresh token and its access token stop
// working.
func (s *storage) CreateAccessAndRefreshTokens(_ context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	clientID, amr, authTime := requestInfo(req)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if current != "" {
		old, ok := s.refresh[current]
		if !ok || old.clientID != clientID || s.now().After(old.expires) {
			return "", "", time.Time{}, oidc.ErrInvalidGrant().WithDescription("refresh token invalid or expired")
		}
		delete(s.refresh, current)
		delete(s.tokens, old.accessID)
		amr, authTime = old.amr, old.authTime
	}
	value := randomToken()
	at := s.newAccessTokenLocked(clientID, value, req)
	s.refresh[value] = &refreshToken{
		id: randomToken(), clientID: clientID, subject: req.GetSubject(), accessID: at.id,
		audience: req.GetAudience(), scopes: req.GetScopes(), amr: amr,
		authTime: authTime, expires: s.now().Add(refreshTokenLifetime),
	}
	return at.id, value, at.expires, nil
}

func (s *storage) TokenRequestByRefreshToken(_ context.Context, value string) (op.RefreshTokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[value]
	if !ok || s.now().After(t.expires) {
		return nil, fmt.Errorf("refresh token: %w", errNotFound)
	}
	c := *t
	c.scopes, c.audience = slices.Clone(t.scopes), slices.Clone(t.audience)
	return &refreshRequest{t: c}, nil
}

// TerminateSession revokes every token of userID for clientID (RP-initiated
// logout); an empty clientID means all clients.
func (s *storage) TerminateSession(_ context.Context, userID, clientID string) error {
	if userID == "" {
		return nil // no id_token_hint: nobody to sign out
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, t := range s.tokens {
		if t.subject == userID && (clientID == "" || t.clientID == clientID) {
			delete(s.tokens, id)
		}
	}
	for v, t := range s.refresh {
		if t.subject == userID && (clientID == "" || t.clientID == clientID) {
			delete(s.refresh, v)
		}
	}
	return nil
}

// RevokeToken revokes an access token (by id) or a refresh token (by value)
// issued to clientID. Unknown tokens are not an error (RFC 7009 §2.2).
func (s *storage) RevokeToken(_ context.Context, tokenOrID, _ string, clientID string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.tokens, tokenOrID)
		return nil
	}
	if t, ok := s.refresh[tokenOrID]; ok {
		if t.clientID != clientID {
			return oidc.ErrInvalidClient().WithDescription("token was not issued to this client")
		}
		delete(s.refresh, tokenOrID)
		delete(s.tokens, t.accessID)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(_ context.Context, clientID, value string) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.refresh[value]
	if !ok || t.clientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return t.subject, value, nil
}

// SetUserinfoFromScopes fills the standard claims the scopes allow, plus
// groups for every openid request.
func (s *storage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, scopes []string) error {
	u, ok := s.bySub[userID]
	if !ok {
		return fmt.Errorf("user: %w", errNotFound)
	}
	info.Subject = u.sub
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, true
		case oidc.ScopeProfile:
			info.Name = u.GivenName + " " + u.FamilyName
			info.GivenName, info.FamilyName, info.PreferredUsername = u.GivenName, u.FamilyName, u.Email
		}
	}
	groups := u.Groups
	if groups == nil {
		groups = []string{}
	}
	info.AppendClaims("groups", groups)
	return nil
}

func (s *storage) liveToken(tokenID, subject string) (accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || t.subject != subject || s.now().After(t.expires) {
		return accessToken{}, errors.New("access token invalid or expired")
	}
	return *t, nil
}

func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.liveToken(tokenID, subject)
	if err != nil {
		return err
	}
	return s.SetUserinfoFromScopes(ctx, info, t.subject, t.clientID, t.scopes)
}

// SetIntrospectionFromToken answers only for tokens whose audience includes
// the asking client.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.liveToken(tokenID, subject)
	if err != nil {
		return err
	}
	if !slices.Contains(t.audience, clientID) {
		return errors.New("token not issued for this client")
	}
	info := new(oidc.UserInfo)
	if err := s.SetUserinfoFromScopes(ctx, info, t.subject, t.clientID, t.scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Scope, resp.ClientID, resp.Expiration = t.scopes, t.clientID, oidc.FromTime(t.expires)
	return nil
}

// GetPrivateClaimsFromScopes: access tokens are opaque, so no JWT claims.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}
