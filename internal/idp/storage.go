package idp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Lifetimes of what the provider hands out.
const (
	authRequestLifetime  = 10 * time.Minute
	codeLifetime         = time.Minute
	accessTokenLifetime  = 15 * time.Minute
	refreshTokenLifetime = 8 * time.Hour
	idTokenLifetime      = time.Hour
)

// errNotFound is returned for unknown or expired ids, codes and tokens. It
// never names the value looked up.
var errNotFound = errors.New("not found or expired")

// user is a configured User with its stable subject identifier.
type user struct {
	User
	sub string
}

// storage is the in-memory op.Storage (plus op.DeviceAuthorizationStorage).
type storage struct {
	key       *signingKey
	users     map[string]*user // by lower-cased email
	bySub     map[string]*user
	clients   map[string]*opClient
	dummyHash string // verified against when the user does not exist
	now       func() time.Time

	mu           sync.Mutex
	authRequests map[string]*authRequest
	codes        map[string]codeEntry
	tokens       map[string]*accessToken
	refresh      map[string]*refreshToken
	devices      map[string]*deviceEntry // by device code
	userCodes    map[string]string       // user code → device code
}

type codeEntry struct {
	requestID string
	expires   time.Time
}

var (
	_ op.Storage                    = (*storage)(nil)
	_ op.DeviceAuthorizationStorage = (*storage)(nil)
)

func newStorage(cfg Config, key *signingKey, loginURL func(string) string) (*storage, error) {
	dummy, err := HashPassword(randomToken())
	if err != nil {
		return nil, err
	}
	s := &storage{
		key: key, users: map[string]*user{}, bySub: map[string]*user{}, clients: map[string]*opClient{},
		dummyHash: dummy, now: time.Now,
		authRequests: map[string]*authRequest{}, codes: map[string]codeEntry{},
		tokens: map[string]*accessToken{}, refresh: map[string]*refreshToken{},
		devices: map[string]*deviceEntry{}, userCodes: map[string]string{},
	}
	for _, u := range cfg.Users {
		email := strings.ToLower(u.Email)
		sum := sha256.Sum256([]byte(email))
		usr := &user{User: u, sub: hex.EncodeToString(sum[:16])}
		s.users[email], s.bySub[usr.sub] = usr, usr
	}
	for _, c := range cfg.Clients {
		s.clients[c.ID] = &opClient{c: c, loginURL: loginURL}
	}
	return s, nil
}

// randomToken returns 256 bits from crypto/rand, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authenticate checks an email and password, spending the same work whether
// or not the user exists.
func (s *storage) authenticate(email, password string) (*user, bool) {
	u, ok := s.users[strings.ToLower(strings.TrimSpace(email))]
	hash := s.dummyHash
	if ok {
		hash = u.PasswordHash
	}
	if !verifyPassword(hash, password) || !ok {
		return nil, false
	}
	return u, true
}

// known is the configured email for what was typed, "" for none.
func (s *storage) known(email string) string {
	if u, ok := s.users[strings.ToLower(strings.TrimSpace(email))]; ok {
		return u.Email
	}
	return ""
}

// CreateAuthRequest stores a validated request. PKCE with S256 is required
// of every client: plain and missing challenges are refused here, before a
// login page is shown.
func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	switch {
	case req.CodeChallenge == "":
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge is required (PKCE, S256)")
	case req.CodeChallengeMethod != oidc.CodeChallengeMethodS256:
		return nil, oidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256")
	case len(req.Prompt) == 1 && req.Prompt[0] == oidc.PromptNone:
		return nil, oidc.ErrLoginRequired() // no single sign-on session to reuse
	}
	a := &authRequest{
		id: randomToken(), created: s.now(), clientID: req.ClientID, redirectURI: req.RedirectURI,
		state: req.State, nonce: req.Nonce, scopes: req.Scopes, responseType: req.ResponseType,
		responseMode:  req.ResponseMode,
		codeChallenge: &oidc.CodeChallenge{Challenge: req.CodeChallenge, Method: req.CodeChallengeMethod},
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	s.authRequests[a.id] = a
	c := *a
	return &c, nil
}

// pruneLocked drops expired entries so memory stays bounded.
func (s *storage) pruneLocked() {
	now := s.now()
	for id, a := range s.authRequests {
		if now.Sub(a.created) > authRequestLifetime {
			delete(s.authRequests, id)
		}
	}
	for c, e := range s.codes {
		if now.After(e.expires) {
			delete(s.codes, c)
		}
	}
	for id, t := range s.tokens {
		if now.After(t.expires) {
			delete(s.tokens, id)
		}
	}
	for v, t := range s.refresh {
		if now.After(t.expires) {
			delete(s.refresh, v)
		}
	}
	for dc, d := range s.devices {
		if now.After(d.state.Expires.Add(time.Minute)) {
			delete(s.userCodes, d.userCode)
			delete(s.devices, dc)
		}
	}
}

// AuthRequestByID returns a snapshot of a live auth request.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || s.now().Sub(a.created) > authRequestLifetime {
		return nil, fmt.Errorf("auth request: %w", errNotFound)
	}
	c := *a
	return &c, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	e, ok := s.codes[code]
	s.mu.Unlock()
	if !ok || s.now().After(e.expires) {
		return nil, fmt.Errorf("authorization code: %w", errNotFound)
	}
	return s.AuthRequestByID(ctx, e.requestID)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.authRequests[id]; !ok {
		return fmt.Errorf("auth request: %w", errNotFound)
	}
	s.codes[code] = codeEntry{requestID: id, expires: s.now().Add(codeLifetime)}
	return nil
}

// DeleteAuthRequest is called once tokens are issued; it also invalidates
// the request's code, so a code works once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.authRequests, id)
	for code, e := range s.codes {
		if e.requestID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

// pendingLogin returns the client of an auth request awaiting login.
func (s *storage) pendingLogin(id string) (clientID string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || a.done || s.now().Sub(a.created) > authRequestLifetime {
		return "", false
	}
	return a.clientID, true
}

// completeLogin marks the auth request as authenticated by u.
func (s *storage) completeLogin(id string, u *user) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.authRequests[id]
	if !ok || a.done {
		return fmt.Errorf("auth request: %w", errNotFound)
	}
	a.subject, a.done, a.authTime = u.sub, true, s.now()
	return nil
}

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	c, ok := s.clients[id]
	if !ok {
		// invalid_client (401), not a server error: the caller named a
		// client this provider does not have.
		return nil, oidc.ErrInvalidClient().WithParent(fmt.Errorf("client: %w", errNotFound)).WithDescription("unknown client_id %q", truncateID(id))
	}
	return c, nil
}

// AuthorizeClientIDSecret compares secrets in constant time.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	c, ok := s.clients[id]
	if !ok || c.c.Public || !secretEqual(c.c.Secret, secret) {
		return errors.New("invalid client credentials")
	}
	return nil
}

func secretEqual(want, got string) bool {
	w, g := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(w[:], g[:]) == 1 && want != ""
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return s.key, nil }
func (s *storage) KeySet(context.Context) ([]op.Key, error)          { return []op.Key{publicKey{s.key}}, nil }
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// GetKeyByIDAndClientID: no client authenticates with private_key_jwt.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("private_key_jwt is not supported")
}

// ValidateJWTProfileScopes: the JWT profile grant is not offered.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile grant is not supported")
}

func (s *storage) Health(context.Context) error { return nil }

// truncateID keeps an id the caller sent short enough to quote back.
func truncateID(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
