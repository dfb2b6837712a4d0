package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
)

// CookieName is the dashboard's one cookie: an opaque random id of a
// server-side session. It carries no claims, so there is nothing in it to
// tamper with; an unknown or ended id is simply refused.
const CookieName = "tipgate_session"

// loginCookie binds a started sign-in to the browser that started it, so
// an attacker cannot complete their own sign-in in a victim's browser.
const loginCookie = "tipgate_login"

// webSession is one signed-in browser. Tokens never leave the server.
type webSession struct {
	session identity.Session // the tipgate session (revocable, expiring)
	idToken string           // for the provider's logout (id_token_hint)
	csrf    string
	expiry  time.Time
	// viewAs is who a security admin currently views the dashboard as.
	viewAs *identity.Principal
}

// loginState is a sign-in in progress, keyed by its OAuth state.
type loginState struct {
	verifier string // PKCE code verifier
	nonce    string
	ret      string // where to go after sign-in (already sanitised)
	browser  [32]byte
	created  time.Time
}

// store holds sessions and pending sign-ins in memory, keyed by the hash
// of their random ids. A restart signs everyone out, which fails closed.
type store struct {
	mu       sync.Mutex
	sessions map[[32]byte]*webSession
	logins   map[string]*loginState
	maxLogin int
}

func newStore() *store {
	return &store{sessions: map[[32]byte]*webSession{}, logins: map[string]*loginState{}, maxLogin: 10000}
}

func randomID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashID(id string) [32]byte { return sha256.Sum256([]byte(id)) }

func (s *store) put(id string, ws *webSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[hashID(id)] = ws
}

// get returns the session for a cookie value, or nil when there is none
// (never was, or ended).
func (s *store) get(id string) *webSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[hashID(id)]
}

// end forgets a session and returns it (nil if unknown): its cookie, if
// presented again, is refused.
func (s *store) end(id string) *webSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := hashID(id)
	ws := s.sessions[k]
	delete(s.sessions, k)
	return ws
}

func (s *store) setViewAs(ws *webSession, p *identity.Principal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws.viewAs = p
}

func (s *store) viewAs(ws *webSession) *identity.Principal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ws.viewAs
}

// addLogin records a pending sign-in; it refuses when too many are
// pending, so unauthenticated visitors cannot grow memory without bound.
func (s *store) addLogin(state string, ls *loginState, now time.Time, timeout time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.logins) >= s.maxLogin {
		s.sweepLocked(now, timeout)
		if len(s.logins) >= s.maxLogin {
			return false
		}
	}
	s.logins[state] = ls
	return true
}

// takeLogin removes and returns a pending sign-in: a state is usable once.
func (s *store) takeLogin(state string) *loginState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ls := s.logins[state]
	delete(s.logins, state)
	return ls
}

// sweep forgets pending sign-ins older than timeout, and sessions a day
// after they expired: until then a returning browser is told its session
// expired rather than that it is signed out.
func (s *store) sweep(now time.Time, timeout time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now, timeout)
}

func (s *store) sweepLocked(now time.Time, timeout time.Duration) {
	for k, ls := range s.logins {
		if now.Sub(ls.created) > timeout {
			delete(s.logins, k)
		}
	}
	for k, ws := range s.sessions {
		if now.Sub(ws.expiry) > 24*time.Hour {
			delete(s.sessions, k)
		}
	}
}
