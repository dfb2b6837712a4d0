package scim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
)

// Directory is the identity side of the store: identity.Directory over a
// Store, read on every call so a change is seen by the next request.
type Directory struct{ Store Store }

var _ identity.Directory = Directory{}

// MatchUser implements identity.Directory. More than one match (an email
// that is one user's userName and another's email) is refused rather than
// guessed.
func (d Directory) MatchUser(ctx context.Context, byExternalID bool, value string) (identity.DirectoryUser, error) {
	by := MatchUserNameOrEmail
	if byExternalID {
		by = MatchExternalID
	}
	us, err := d.Store.FindUsers(ctx, by, value)
	if err != nil {
		return identity.DirectoryUser{}, err
	}
	switch len(us) {
	case 0:
		return identity.DirectoryUser{}, identity.ErrNotProvisioned
	case 1:
		return d.user(ctx, us[0])
	}
	return identity.DirectoryUser{}, fmt.Errorf("scim: %d provisioned users match the token's user", len(us))
}

// User implements identity.Directory.
func (d Directory) User(ctx context.Context, id string) (identity.DirectoryUser, error) {
	u, err := d.Store.Get(ctx, KindUser, id)
	if errors.Is(err, ErrNotFound) {
		return identity.DirectoryUser{}, identity.ErrNotProvisioned
	}
	if err != nil {
		return identity.DirectoryUser{}, err
	}
	return d.user(ctx, u)
}

func (d Directory) user(ctx context.Context, u Resource) (identity.DirectoryUser, error) {
	gs, err := d.Store.GroupsOf(ctx, u.ID)
	if err != nil {
		return identity.DirectoryUser{}, err
	}
	out := identity.DirectoryUser{ID: u.ID, Active: u.Active()}
	for _, g := range gs {
		if n := g.Name(); n != "" {
			out.Groups = append(out.Groups, n)
		}
	}
	return out, nil
}

// NewToken makes a provisioning token: 256 random bits, base64url, with a
// prefix that secret scanners can recognise.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("scim: token: %w", err)
	}
	return "tgscim_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// IssueClientToken creates the client, or rotates its token if it
// exists (the old token stops working at once), and returns the new token:
// the only time it is ever seen.
func IssueClientToken(ctx context.Context, s Store, name string, now time.Time) (string, error) {
	if name == "" || len(name) > 64 {
		return "", errors.New("scim: a client name of 1 to 64 characters is required")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", fmt.Errorf("scim: client name %q: use letters, digits, '-', '_' and '.'", name)
		}
	}
	tok, err := NewToken()
	if err != nil {
		return "", err
	}
	c := Client{Name: name, TokenHash: HashToken(tok), Created: now.UTC(), Rotated: now.UTC()}
	cs, err := s.Clients(ctx)
	if err != nil {
		return "", err
	}
	for _, o := range cs {
		if o.Name == name {
			c.Created, c.LastUsed = o.Created, o.LastUsed
		}
	}
	if err := s.PutClient(ctx, c); err != nil {
		return "", err
	}
	return tok, nil
}
