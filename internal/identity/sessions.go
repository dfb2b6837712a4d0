package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// SessionOptions configure Sessions.
type SessionOptions struct {
	// DataDir holds keys/ and revocations/.
	DataDir string
	Config  config.Sessions
	// Algorithm signs new session tokens: ES256 (default) or EdDSA.
	Algorithm jose.SignatureAlgorithm
	Now       func() time.Time
	Logger    *slog.Logger
	// Revocations defaults to FileRevocations in <DataDir>/revocations.
	Revocations RevocationStore
	// Keys holds the session signing keys; default: files under DataDir
	// (keys/session-*.pem).
	Keys store.Keys
	// Provisioning rechecks every session of an issuer whose groups come
	// from SCIM against the directory on every verification.
	Provisioning *Provisioning
}

// Sessions issues and verifies tipgate session tokens. Several Sessions
// (in one process or several) may share a data directory: they share
// signing keys and revocations through it. Safe for concurrent use.
type Sessions struct {
	cfg     config.Sessions
	alg     jose.SignatureAlgorithm
	keys    store.Keys
	now     func() time.Time
	log     *slog.Logger
	revoked RevocationStore
	prov    *Provisioning

	ring     atomic.Pointer[keyring]
	reloadMu sync.Mutex // serialises key reloads and creation

	verified verifiedSessions
}

// Session is an issued session token. Token is a bearer secret: Session's
// String and LogValue leave it out so it cannot reach a log by accident.
type Session struct {
	Token    string
	ID       string
	IssuedAt time.Time
	Expiry   time.Time
}

func (s Session) String() string {
	return fmt.Sprintf("session %s (expires %s)", s.ID, s.Expiry.UTC().Format(time.RFC3339))
}

// LogValue implements slog.LogValuer without the token.
func (s Session) LogValue() slog.Value {
	return slog.GroupValue(slog.String("sid", s.ID), slog.Time("expiry", s.Expiry))
}

// sessionClaims is the payload of a session token.
type sessionClaims struct {
	Issuer          string   `json:"iss"`
	Audience        string   `json:"aud"`
	Subject         string   `json:"sub"`
	Email           string   `json:"email,omitempty"`
	Groups          []string `json:"groups"`
	Namespace       string   `json:"namespace"`
	SessionID       string   `json:"sid"`
	AuthTime        int64    `json:"auth_time,omitempty"`
	IssuedAt        int64    `json:"iat"`
	Expiry          int64    `json:"exp"`
	ExternalIssuer  string   `json:"idp_iss"`
	AutoCreateRoles []string `json:"auto_create_roles,omitempty"`
	DirectoryID     string   `json:"scim_uid,omitempty"`
	TokenGroups     []string `json:"token_groups,omitempty"`
}

// sessionSkew tolerates clock differences between processes sharing a
// data directory for iat; exp is exact because only tipgate's own clocks
// are involved.
const sessionSkew = 5 * time.Second

// NewSessions opens (creating if needed) the key directory and makes sure
// a signing key exists for the current rotation period.
func NewSessions(opts SessionOptions) (*Sessions, error) {
	if opts.DataDir == "" {
		return nil, errors.New("identity: sessions need a data directory")
	}
	cfg := opts.Config
	if cfg.Issuer == "" {
		return nil, errors.New("identity: sessions need an issuer URL ([sessions] issuer)")
	}
	def := config.DefaultSessions()
	if cfg.Audience == "" {
		cfg.Audience = def.Audience
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = def.Lifetime
	}
	if cfg.KeyRotation <= 0 {
		cfg.KeyRotation = def.KeyRotation
	}
	if cfg.KeyOverlap < cfg.Lifetime {
		cfg.KeyOverlap = cfg.Lifetime
	}
	s := &Sessions{
		cfg: cfg, alg: opts.Algorithm, keys: opts.Keys,
		now: opts.Now, log: opts.Logger, revoked: opts.Revocations, prov: opts.Provisioning,
	}
	if s.alg == "" {
		s.alg = jose.ES256
	}
	if s.alg != jose.ES256 && s.alg != jose.EdDSA {
		return nil, fmt.Errorf("identity: session algorithm %s not supported (ES256 or EdDSA)", s.alg)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.keys == nil {
		if err := ensureKeyDir(filepath.Join(opts.DataDir, "keys")); err != nil {
			return nil, err
		}
		s.keys = memstore.FileKeys(opts.DataDir)
	}
	if s.revoked == nil {
		fr, err := NewFileRevocations(filepath.Join(opts.DataDir, "revocations"), s.now)
		if err != nil {
			return nil, err
		}
		s.revoked = fr
	}
	if _, err := s.signingKey(); err != nil {
		return nil, err
	}
	return s, nil
}

// Issuer is tipgate's issuer URL, the "iss" of every session token.
func (s *Sessions) Issuer() string { return s.cfg.Issuer }

// Audience is the "aud" of every session token.
func (s *Sessions) Audience() string { return s.cfg.Audience }

func (s *Sessions) period(t time.Time) time.Time {
	return t.Truncate(s.cfg.KeyRotation).UTC()
}

// signingKey returns the current period's key, making it on the first use
// in a period (by whichever process gets there first).
func (s *Sessions) signingKey() (*sessionKey, error) {
	p := s.period(s.now())
	if k := s.ring.Load().forPeriod(p); k != nil {
		return k, nil
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if k := s.ring.Load().forPeriod(p); k != nil {
		return k, nil
	}
	if err := s.reloadLocked(); err != nil {
		return nil, err
	}
	if k := s.ring.Load().forPeriod(p); k != nil {
		return k, nil
	}
	if err := createKey(context.Background(), s.keys, p, s.alg); err != nil {
		return nil, err
	}
	if err := s.reloadLocked(); err != nil {
		return nil, err
	}
	k := s.ring.Load().forPeriod(p)
	if k == nil {
		return nil, errors.New("identity: session key missing after creation")
	}
	s.log.Info("identity: session signing key ready", "kid", k.kid, "period", p)
	return k, nil
}

func (s *Sessions) reloadLocked() error {
	r, err := loadKeys(context.Background(), s.keys, s.now(), s.cfg.KeyRotation, s.cfg.KeyOverlap)
	if err != nil {
		return err
	}
	s.ring.Store(r)
	return nil
}

// reloadForKid rereads the key directory when a token names a key this
// process has not seen (another process rotated first), at most once a
// second so bogus kids cost no more than a stat storm.
func (s *Sessions) reloadForKid() {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if r := s.ring.Load(); r != nil && s.now().Sub(r.loaded) < time.Second {
		return
	}
	if err := s.reloadLocked(); err != nil {
		s.log.Warn("identity: reloading session keys failed", "error", err.Error())
	}
}

// newSessionID returns 128 random bits, base64url.
func newSessionID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return b64url(b[:]), nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Issue makes a session token for p, a principal from a verified external
// token. The session ends after the configured lifetime, but never after
// the external token unless allow_longer_than_external is set.
func (s *Sessions) Issue(ctx context.Context, p Principal) (Session, error) {
	if p.Superuser || p.User == "" || p.Namespace == "" || p.Issuer == "" {
		return Session{}, errors.New("identity: sessions are issued only for verified federated principals")
	}
	now := s.now()
	exp := now.Add(s.cfg.Lifetime)
	if !s.cfg.AllowLongerThanExternal && !p.Expiry.IsZero() && p.Expiry.Before(exp) {
		exp = p.Expiry
	}
	if !exp.After(now) {
		return Session{}, newError(CodeTokenExpired, "the external token has expired")
	}
	k, err := s.signingKey()
	if err != nil {
		return Session{}, err
	}
	sid, err := newSessionID()
	if err != nil {
		return Session{}, fmt.Errorf("identity: session id: %w", err)
	}
	c := sessionClaims{
		Issuer: s.cfg.Issuer, Audience: s.cfg.Audience, Subject: p.User, Email: p.Email,
		Groups: p.Groups, Namespace: p.Namespace, SessionID: sid,
		IssuedAt: now.Unix(), Expiry: exp.Unix(), ExternalIssuer: p.Issuer,
		AutoCreateRoles: p.AutoCreateRoles, DirectoryID: p.DirectoryID, TokenGroups: p.TokenGroups,
	}
	if c.Groups == nil {
		c.Groups = []string{}
	}
	if !p.AuthTime.IsZero() {
		c.AuthTime = p.AuthTime.Unix()
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return Session{}, fmt.Errorf("identity: session claims: %w", err)
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return Session{}, fmt.Errorf("identity: signing session: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return Session{}, fmt.Errorf("identity: signing session: %w", err)
	}
	return Session{Token: tok, ID: sid, IssuedAt: time.Unix(now.Unix(), 0), Expiry: time.Unix(exp.Unix(), 0)}, nil
}

// Verify checks a session token with the same strictness as external
// tokens, then its revocation, and returns its Principal.
func (s *Sessions) Verify(ctx context.Context, raw string) (Principal, error) {
	p, err := s.verify(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	return p, nil
}

// usableKeys are the keys that may still verify at now: retired keys are
// out even before their file is deleted.
func (s *Sessions) usableKeys(now time.Time) *keySet {
	r := s.ring.Load()
	set := &keySet{}
	if r == nil {
		return set
	}
	for _, k := range r.keys {
		if now.Before(k.period.Add(s.cfg.KeyRotation + s.cfg.KeyOverlap)) {
			set.keys = append(set.keys, k.pub)
		}
	}
	return set
}

func (s *Sessions) verify(ctx context.Context, raw string) (Principal, *Error) {
	key := sha256.Sum256([]byte(raw))
	if v, ok := s.verified.get(key); ok {
		// Signature and claims were checked when the token was first
		// seen; what may have changed since is checked again.
		if now := s.now(); now.Before(v.p.Expiry) && s.keyUsable(v.kid, now) {
			return s.current(ctx, v.p)
		}
		s.verified.drop(key)
	}
	t, perr := parseToken(raw, []jose.SignatureAlgorithm{jose.ES256, jose.EdDSA})
	if perr != nil {
		return Principal{}, perr
	}
	if !t.hasKid {
		return Principal{}, newError(CodeUnknownKey, "session token has no key id")
	}
	iss, _, perr := t.claimString("iss")
	if perr != nil {
		return Principal{}, perr
	}
	if iss != s.cfg.Issuer {
		return Principal{}, newError(CodeWrongIssuer, "token was not issued by this tipgate")
	}
	now := s.now()
	cands, found := s.usableKeys(now).candidates(t)
	if !found {
		s.reloadForKid()
		cands, found = s.usableKeys(now).candidates(t)
		if !found {
			return Principal{}, newError(CodeUnknownKey, "session key id is unknown or retired")
		}
	}
	if len(cands) == 0 {
		return Principal{}, newError(CodeAlgNotAllowed, "token algorithm does not match the session key")
	}
	if t.alg == jose.ES256 && !canonicalES256(t.sig) {
		// tipgate signs only low-s: the high-s twin of a valid token, or
		// any other form, is refused as what it is, not a tipgate signature.
		return Principal{}, newError(CodeBadSignature, msgBadSignature)
	}
	if err := verifySignature(t, cands); err != nil {
		return Principal{}, err
	}
	auds, perr := t.audiences()
	if perr != nil {
		return Principal{}, perr
	}
	if len(auds) != 1 || auds[0] != s.cfg.Audience {
		return Principal{}, newError(CodeWrongAudience, "session token audience is not this service")
	}
	exp, _, perr := t.checkTimes(now, 0, sessionSkew)
	if perr != nil {
		return Principal{}, perr
	}
	var c sessionClaims
	if err := json.Unmarshal(t.payload, &c); err != nil {
		return Principal{}, wrapError(CodeInvalidClaim, "session claims have the wrong types", err)
	}
	// Claims are read again from the exact-key map so that no
	// case-insensitive struct matching decides a security field.
	sub, perr := t.requireString("sub")
	if perr != nil {
		return Principal{}, perr
	}
	ns, perr := t.requireString("namespace")
	if perr != nil {
		return Principal{}, perr
	}
	sid, perr := t.requireString("sid")
	if perr != nil {
		return Principal{}, perr
	}
	ext, perr := t.requireString("idp_iss")
	if perr != nil {
		return Principal{}, perr
	}
	groups, perr := t.groups("groups", "")
	if perr != nil {
		return Principal{}, perr
	}
	var acr []string
	if raw, ok := t.claims["auto_create_roles"]; ok {
		if err := json.Unmarshal(raw, &acr); err != nil {
			return Principal{}, newError(CodeInvalidClaim, "claim \"auto_create_roles\" is not an array of strings")
		}
	}
	email, _, _ := t.claimString("email")
	if !validSID(sid) {
		return Principal{}, newError(CodeInvalidClaim, "claim \"sid\" is not a session id")
	}
	var authTime time.Time
	if at, ok, _ := t.claimTime("auth_time"); ok {
		authTime = at
	}
	did, _, perr := t.claimString("scim_uid")
	if perr != nil {
		return Principal{}, perr
	}
	tokenGroups, perr := t.groups("token_groups", "")
	if perr != nil {
		return Principal{}, perr
	}
	p := Principal{
		User: sub, Email: email, Namespace: ns, Groups: groups, Issuer: ext, SessionID: sid,
		Expiry: exp, AuthTime: authTime, AutoCreateRoles: acr, DirectoryID: did, TokenGroups: tokenGroups,
	}
	s.verified.put(key, verifiedSession{p: p, kid: t.kid})
	return s.current(ctx, p)
}

// current applies what can change during a verified token's lifetime:
// revocation, and the directory's view of a provisioned user. It runs on
// every use, cached or not.
func (s *Sessions) current(ctx context.Context, p Principal) (Principal, *Error) {
	revoked, err := s.revoked.Revoked(ctx, p.SessionID)
	if err != nil {
		return Principal{}, wrapError(CodeInternal, "revocation status unavailable", err)
	}
	if revoked {
		return Principal{}, newError(CodeSessionRevoked, "session has been revoked")
	}
	did := p.DirectoryID
	if s.prov == nil {
		if did != "" {
			return Principal{}, newError(CodeUserNotProvisioned, "the session is of a provisioned user but provisioning is not configured")
		}
		return p, nil
	}
	// Deactivation, deletion and membership changes take effect on the
	// session's next use, not at its expiry.
	np, err := s.prov.Recheck(ctx, p)
	if err != nil {
		var ie *Error
		if errors.As(err, &ie) {
			return Principal{}, ie
		}
		return Principal{}, wrapError(CodeInternal, "provisioning check failed", err)
	}
	return np, nil
}

// Revoke refuses the session sid from now on, in this and every other
// process sharing the data directory. exp is the session's expiry, after
// which the record may be dropped.
func (s *Sessions) Revoke(ctx context.Context, sid string, exp time.Time) error {
	if err := s.revoked.Revoke(ctx, sid, exp); err != nil {
		return err
	}
	s.log.Info("identity: session revoked", "sid", sid)
	return nil
}

// JWKS is the public key set for tipgate's issuer: every key that may
// still verify a live session token, including the next period's once it
// exists.
func (s *Sessions) JWKS() jose.JSONWebKeySet {
	if _, err := s.signingKey(); err != nil {
		s.log.Warn("identity: session signing key unavailable", "error", err.Error())
	}
	var out jose.JSONWebKeySet
	for _, k := range s.usableKeys(s.now()).keys {
		out.Keys = append(out.Keys, jose.JSONWebKey{Key: k.key, KeyID: k.kid, Algorithm: k.alg, Use: "sig"})
	}
	return out
}
