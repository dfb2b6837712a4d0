package scim

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Kind is a SCIM resource type tipgate stores.
type Kind string

const (
	KindUser  Kind = "User"
	KindGroup Kind = "Group"
)

// Resource is one provisioned user or group. Attrs holds the SCIM
// attributes as the client sent them (after validation), without id,
// externalId, meta and schemas, which have fields of their own; a user's
// "groups" is never stored (it is derived from the groups' members) and
// neither is "password".
type Resource struct {
	Kind       Kind           `json:"kind"`
	ID         string         `json:"id"`
	ExternalID string         `json:"externalId,omitempty"`
	Attrs      map[string]any `json:"attrs"`
	Created    time.Time      `json:"created"`
	Modified   time.Time      `json:"modified"`
	// Version grows by one with every change; the ETag is W/"<Version>".
	Version int64 `json:"version"`
	// Client is the provisioning client that made the last change.
	Client string `json:"client,omitempty"`
}

// Name is the resource's unique name: a user's userName, a group's
// displayName.
func (r Resource) Name() string {
	key := "userName"
	if r.Kind == KindGroup {
		key = "displayName"
	}
	s, _ := attr(r.Attrs, key).(string)
	return s
}

// Active reports a user's active flag. RFC 7643 leaves a missing flag to
// the service provider: absent means active, as Okta and Entra ID create
// users without it only when they mean an active one.
func (r Resource) Active() bool {
	b, ok := attr(r.Attrs, "active").(bool)
	return !ok || b
}

// Emails are a user's email values.
func (r Resource) Emails() []string {
	var out []string
	list, _ := attr(r.Attrs, "emails").([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if v, ok := attr(m, "value").(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// MemberIDs are the ids in a group's members.
func (r Resource) MemberIDs() []string {
	var out []string
	list, _ := attr(r.Attrs, "members").([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if v, ok := attr(m, "value").(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// attr reads an attribute by name, case-insensitively as RFC 7643 §2.1
// requires of attribute names.
func attr(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Client is a provisioning client: who may call /scim/v2 with a bearer
// token. TokenHash is the SHA-256 of the token (hex); the token itself is
// shown once, when made, and never stored.
type Client struct {
	Name      string    `json:"name"`
	TokenHash string    `json:"tokenHash"`
	Created   time.Time `json:"created"`
	Rotated   time.Time `json:"rotated"`
	// LastUsed is when the client last provisioned a change (zero: never).
	LastUsed time.Time `json:"lastUsed,omitzero"`
}

// MatchBy names the attribute a token's user is matched on.
type MatchBy int

const (
	// MatchUserNameOrEmail matches userName or any emails.value,
	// case-insensitively.
	MatchUserNameOrEmail MatchBy = iota
	// MatchExternalID matches externalId exactly.
	MatchExternalID
)

// Store holds provisioned resources and provisioning clients. Every
// implementation passes storetest.RunTests. Implementations enforce
// uniqueness (userName case-insensitively, group displayName
// case-insensitively, externalId per kind) and referential integrity
// (group members are existing users; deleting a user removes it from
// every group) atomically with the change.
type Store interface {
	// Create stores r (with ID, Created, Modified and Version 1 set by the
	// caller). ErrConflict if a unique attribute is taken or the id exists,
	// ErrInvalidMember if a member is not a user.
	Create(ctx context.Context, r Resource) error
	// Get returns a resource, ErrNotFound if there is none.
	Get(ctx context.Context, kind Kind, id string) (Resource, error)
	// List returns every resource of a kind, oldest first (ties by id).
	List(ctx context.Context, kind Kind) ([]Resource, error)
	// Update reads the resource, calls change on a copy and stores the
	// result with Version+1 and Modified set, all atomically: no other
	// change to the resource happens in between. An error from change is
	// returned as is and nothing is stored.
	Update(ctx context.Context, kind Kind, id string, change func(*Resource) error) (Resource, error)
	// Delete removes a resource after check approves its current state
	// (If-Match); a deleted user leaves every group.
	Delete(ctx context.Context, kind Kind, id string, check func(Resource) error) error
	// FindUsers returns the users whose attribute matches value.
	FindUsers(ctx context.Context, by MatchBy, value string) ([]Resource, error)
	// GroupsOf returns the groups that have the user as a member.
	GroupsOf(ctx context.Context, userID string) ([]Resource, error)

	// PutClient creates or replaces a client by name.
	PutClient(ctx context.Context, c Client) error
	// Clients lists clients by name.
	Clients(ctx context.Context) ([]Client, error)
	// ClientByTokenHash finds the client whose token hashes to hash,
	// ErrNotFound if none.
	ClientByTokenHash(ctx context.Context, hash string) (Client, error)
	// DeleteClient removes a client, ErrNotFound if there is none.
	DeleteClient(ctx context.Context, name string) error
	// TouchClient records a provisioning change by the client at t.
	TouchClient(ctx context.Context, name string, t time.Time) error
}

// Sentinel errors every Store returns (wrapped) so callers can match them
// with errors.Is.
var (
	ErrNotFound      = errors.New("scim: not found")
	ErrConflict      = errors.New("scim: a unique attribute is already in use")
	ErrInvalidMember = errors.New("scim: a group member is not a provisioned user")
)
