package tempcreds

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
)

// Identity is a propagated user: what an identity-enhanced session and a
// context assertion carry. It is only ever built from a verified token.
type Identity struct {
	User            string   `json:"u"`
	Email           string   `json:"e,omitempty"`
	Namespace       string   `json:"ns"`
	Groups          []string `json:"g,omitempty"`
	Issuer          string   `json:"iss"`
	Subject         string   `json:"sub,omitempty"`
	AutoCreateRoles []string `json:"acr,omitempty"`
	// DirectoryID and TokenGroups: see identity.Principal; with them a
	// provisioned user's credentials are rechecked on every use.
	DirectoryID string   `json:"did,omitempty"`
	TokenGroups []string `json:"tg,omitempty"`
}

// IdentityOf copies the fields of a verified principal; subject is the
// token's sub.
func IdentityOf(p identity.Principal, subject string) Identity {
	return Identity{User: p.User, Email: p.Email, Namespace: p.Namespace, Groups: slices.Clone(p.Groups),
		Issuer: p.Issuer, Subject: subject, AutoCreateRoles: slices.Clone(p.AutoCreateRoles),
		DirectoryID: p.DirectoryID, TokenGroups: slices.Clone(p.TokenGroups)}
}

// Principal is the identity as a principal (no session).
func (id Identity) Principal() identity.Principal {
	return identity.Principal{User: id.User, Email: id.Email, Namespace: id.Namespace, Groups: slices.Clone(id.Groups),
		Issuer: id.Issuer, AutoCreateRoles: slices.Clone(id.AutoCreateRoles), DirectoryID: id.DirectoryID,
		TokenGroups: slices.Clone(id.TokenGroups)}
}

// WebIdentity records the token an AssumeRoleWithWebIdentity session was
// created from.
type WebIdentity struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience string `json:"aud"`
}

// Session is the content of a session token.
type Session struct {
	AccessKeyID string `json:"k"`
	Secret      string `json:"s"`
	RoleARN     string `json:"r"`
	SessionName string `json:"n"`
	IssuedAt    int64  `json:"iat"`
	Expiry      int64  `json:"exp"`
	// WebIdentity is set on sessions from AssumeRoleWithWebIdentity.
	WebIdentity *WebIdentity `json:"wi,omitempty"`
	// Identity is set on identity-enhanced sessions (AssumeRole with a
	// context assertion); Application is the assertion's application ARN.
	Identity    *Identity `json:"id,omitempty"`
	Application string    `json:"app,omitempty"`
}

// RoleSessionNamespace is the Principal namespace of role sessions that are
// not identity-enhanced: the database user is "IAMR:<role name>".
const RoleSessionNamespace = "IAMR"

// RoleSessionIssuer is the Principal issuer of such role sessions.
const RoleSessionIssuer = "aws-sts"

// Principal is who the session acts as: the propagated user for an
// identity-enhanced session, else the role ("IAMR:<role name>", no groups).
// SessionID is the assumed-role ARN.
func (s Session) Principal() identity.Principal {
	exp := time.Unix(s.Expiry, 0).UTC()
	sid := AssumedRoleARN(s.RoleARN, s.SessionName)
	if id := s.Identity; id != nil {
		return identity.Principal{User: id.User, Email: id.Email, Namespace: id.Namespace, Groups: slices.Clone(id.Groups),
			Issuer: id.Issuer, SessionID: sid, Expiry: exp, AuthTime: time.Unix(s.IssuedAt, 0).UTC(),
			AutoCreateRoles: slices.Clone(id.AutoCreateRoles), Role: s.RoleARN, DirectoryID: id.DirectoryID,
			TokenGroups: slices.Clone(id.TokenGroups)}
	}
	return identity.Principal{User: RoleSessionNamespace + ":" + RoleName(s.RoleARN), Namespace: RoleSessionNamespace,
		Issuer: RoleSessionIssuer, SessionID: sid, Expiry: exp, AuthTime: time.Unix(s.IssuedAt, 0).UTC(), Role: s.RoleARN}
}

// ExpiresAt is the session's expiry.
func (s Session) ExpiresAt() time.Time { return time.Unix(s.Expiry, 0).UTC() }

// Credentials are issued temporary credentials, as STS returns them.
// SecretAccessKey and SessionToken are secrets: String leaves them out.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	Expiration      time.Time
}

func (c Credentials) String() string {
	return fmt.Sprintf("credentials %s (expire %s)", c.AccessKeyID, c.Expiration.Format(time.RFC3339))
}

var akidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewAccessKeyID returns "ASIA" and 16 random characters of [A-Z2-7].
func NewAccessKeyID() (string, error) {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("tempcreds: access key id: %w", err)
	}
	return "ASIA" + akidEncoding.EncodeToString(b[:]), nil
}

// IsTemporaryKeyID reports whether id has the shape NewAccessKeyID makes.
func IsTemporaryKeyID(id string) bool {
	if len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
		return false
	}
	_, err := akidEncoding.DecodeString(id[4:])
	return err == nil
}

// Issue fills in a fresh key id and secret, seals s into a session token
// and returns the credentials. s.IssuedAt and s.Expiry must be set.
func (x *Sealer) Issue(s Session) (Credentials, Session, error) {
	if s.Expiry <= s.IssuedAt || s.RoleARN == "" || s.SessionName == "" {
		return Credentials{}, s, fmt.Errorf("tempcreds: a session needs a role, a session name and an expiry after its issue time")
	}
	var err error
	if s.AccessKeyID, err = NewAccessKeyID(); err != nil {
		return Credentials{}, s, err
	}
	var secret [30]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return Credentials{}, s, fmt.Errorf("tempcreds: secret: %w", err)
	}
	s.Secret = base64.StdEncoding.EncodeToString(secret[:])
	tok, err := x.seal(purposeSession, s.AccessKeyID, s)
	if err != nil {
		return Credentials{}, s, err
	}
	return Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.Secret, SessionToken: tok, Expiration: s.ExpiresAt()}, s, nil
}

// Open returns the session a token seals for akid: ErrInvalid unless the
// token is intact, from this server key and bound to akid; ErrExpired if
// it is past its expiry at now.
func (x *Sealer) Open(akid, token string, now time.Time) (Session, error) {
	if !IsTemporaryKeyID(akid) || token == "" {
		return Session{}, ErrInvalid
	}
	var s Session
	if err := x.open(purposeSession, akid, token, &s); err != nil {
		return Session{}, err
	}
	if s.AccessKeyID != akid || s.Secret == "" {
		return Session{}, ErrInvalid
	}
	if !now.Before(s.ExpiresAt()) {
		return Session{}, ErrExpired
	}
	return s, nil
}
