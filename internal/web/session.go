package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
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
	key     [32]byte         // hash of the cookie id: where it is stored
	seal    cipher.AEAD      // seals it under a key derived from the cookie id
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

// sessionWire and loginWire are how sessions and sign-ins are stored.
type sessionWire struct {
	Session identity.Session    `json:"s"`
	IDToken string              `json:"i"`
	CSRF    string              `json:"c"`
	Expiry  time.Time           `json:"e"`
	ViewAs  *identity.Principal `json:"v,omitempty"`
}

type loginWire struct {
	Verifier string    `json:"v"`
	Nonce    string    `json:"n"`
	Ret      string    `json:"r"`
	Browser  []byte    `json:"b"`
	Created  time.Time `json:"c"`
}

// sessionStore keeps sessions and pending sign-ins in store.WebSessions
// (memory for one server, the shared store for replicas, so a browser's
// next request may land on any replica). Entries are keyed by the hash of
// their random ids and sealed (AES-GCM) under a key derived from the id
// itself: the store holds tokens only a request bearing the cookie or the
// OAuth state can open. A store error signs the browser out (fails closed).
type sessionStore struct {
	ws       store.WebSessions
	log      *slog.Logger
	maxLogin int
}

func newStore(ws store.WebSessions, log *slog.Logger) *sessionStore {
	if ws == nil {
		ws = memstore.New("", 0).WebSessions()
	}
	return &sessionStore{ws: ws, log: log, maxLogin: 10000}
}

func randomID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashID(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// sealFor is the AEAD for an entry with random id.
func sealFor(id, purpose string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, []byte(id), nil, "tipgate web "+purpose+" v1", 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func sealJSON(a cipher.AEAD, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(plain)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return a.Seal(nonce, nonce, plain, nil), nil
}

func openJSON(a cipher.AEAD, b []byte, v any) error {
	if len(b) < a.NonceSize() {
		return errors.New("web: sealed entry too short")
	}
	plain, err := a.Open(nil, b[:a.NonceSize()], b[a.NonceSize():], nil)
	if err != nil {
		return err
	}
	return json.Unmarshal(plain, v)
}

func (s *sessionStore) save(ws *webSession) error {
	body, err := sealJSON(ws.seal, sessionWire{Session: ws.session, IDToken: ws.idToken, CSRF: ws.csrf, Expiry: ws.expiry, ViewAs: ws.viewAs})
	if err != nil {
		return fmt.Errorf("web: seal session: %w", err)
	}
	return s.ws.Put(context.Background(), ws.key, body, ws.expiry)
}

func (s *sessionStore) put(id string, ws *webSession) {
	a, err := sealFor(id, "session")
	if err == nil {
		ws.key, ws.seal = hashID(id), a
		err = s.save(ws)
	}
	if err != nil {
		s.log.Error("web: session not stored", "err", err)
	}
}

// get returns the session for a cookie value, or nil when there is none
// (never was, or ended).
func (s *sessionStore) get(id string) *webSession {
	b, err := s.ws.Get(context.Background(), hashID(id))
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("web: session not read", "err", err)
		}
		return nil
	}
	return s.decode(id, b)
}

func (s *sessionStore) decode(id string, b []byte) *webSession {
	a, err := sealFor(id, "session")
	if err != nil {
		return nil
	}
	var w sessionWire
	if err := openJSON(a, b, &w); err != nil {
		s.log.Warn("web: stored session does not open", "err", err)
		return nil
	}
	return &webSession{key: hashID(id), seal: a, session: w.Session, idToken: w.IDToken, csrf: w.CSRF, expiry: w.Expiry, viewAs: w.ViewAs}
}

// end forgets a session and returns it (nil if unknown): its cookie, if
// presented again, is refused.
func (s *sessionStore) end(id string) *webSession {
	b, err := s.ws.Delete(context.Background(), hashID(id))
	if err != nil {
		return nil
	}
	return s.decode(id, b)
}

func (s *sessionStore) setViewAs(ws *webSession, p *identity.Principal) {
	ws.viewAs = p
	if err := s.save(ws); err != nil {
		s.log.Error("web: view-as not stored", "err", err)
	}
}

func (s *sessionStore) viewAs(ws *webSession) *identity.Principal { return ws.viewAs }

func loginKey(state string) string {
	h := sha256.Sum256([]byte("login\x00" + state))
	return hex.EncodeToString(h[:])
}

// addLogin records a pending sign-in; it refuses when too many are
// pending, so unauthenticated visitors cannot grow the store without bound.
func (s *sessionStore) addLogin(state string, ls *loginState, now time.Time, timeout time.Duration) bool {
	a, err := sealFor(state, "login")
	if err != nil {
		return false
	}
	body, err := sealJSON(a, loginWire{Verifier: ls.verifier, Nonce: ls.nonce, Ret: ls.ret, Browser: ls.browser[:], Created: ls.created})
	if err != nil {
		return false
	}
	err = s.ws.PutLogin(context.Background(), loginKey(state), body, ls.created, s.maxLogin)
	if errors.Is(err, store.ErrQuota) {
		s.sweep(now, timeout)
		err = s.ws.PutLogin(context.Background(), loginKey(state), body, ls.created, s.maxLogin)
	}
	if err != nil && !errors.Is(err, store.ErrQuota) {
		s.log.Error("web: sign-in not stored", "err", err)
	}
	return err == nil
}

// takeLogin removes and returns a pending sign-in: a state is usable once.
func (s *sessionStore) takeLogin(state string) *loginState {
	b, err := s.ws.TakeLogin(context.Background(), loginKey(state))
	if err != nil {
		return nil
	}
	a, err := sealFor(state, "login")
	if err != nil {
		return nil
	}
	var w loginWire
	if err := openJSON(a, b, &w); err != nil || len(w.Browser) != 32 {
		return nil
	}
	return &loginState{verifier: w.Verifier, nonce: w.Nonce, ret: w.Ret, browser: [32]byte(w.Browser), created: w.Created}
}

// sweep forgets pending sign-ins older than timeout, and sessions a day
// after they expired: until then a returning browser is told its session
// expired rather than that it is signed out.
func (s *sessionStore) sweep(now time.Time, timeout time.Duration) {
	if err := s.ws.Sweep(context.Background(), now.Add(-timeout), now.Add(-24*time.Hour)); err != nil {
		s.log.Warn("web: sweep failed", "err", err)
	}
}
