package identity

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tipgate/tipgate/internal/config"
)

// Directory is the store of users and groups an identity provider
// provisions (SCIM). Implementations must read the current state on every
// call (or a copy at most a second old) and must fail closed: an error
// refuses the principal.
type Directory interface {
	// MatchUser finds the one provisioned user whose userName or an email
	// equals value (case-insensitively), or, with byExternalID, whose
	// externalId equals value. ErrNotProvisioned if there is none; an
	// error if there is more than one.
	MatchUser(ctx context.Context, byExternalID bool, value string) (DirectoryUser, error)
	// User returns a provisioned user by id, ErrNotProvisioned if it was
	// deleted.
	User(ctx context.Context, id string) (DirectoryUser, error)
}

// DirectoryUser is a provisioned user as identity needs it.
type DirectoryUser struct {
	ID     string
	Active bool
	// Groups are the display names of the groups the user is a member of.
	Groups []string
}

// ErrNotProvisioned: the directory has no such user.
var ErrNotProvisioned = errors.New("identity: no such provisioned user")

// Provisioning applies each issuer's groups_source: for "scim" and "both"
// a principal exists only while its provisioned user exists and is
// active, and its groups are that user's memberships (with the token's
// for "both"). Resolve runs when an external token is verified; Recheck
// whenever a principal issued from one is used again (session tokens,
// temporary credentials, context assertions), so deactivation, deletion
// and membership changes take effect on the next request.
type Provisioning struct {
	dir     Directory
	issuers map[string]config.Issuer
}

// NewProvisioning checks that a directory exists if any issuer needs it.
// dir may be nil when every issuer takes groups from tokens.
func NewProvisioning(dir Directory, issuers []config.Issuer) (*Provisioning, error) {
	pv := &Provisioning{dir: dir, issuers: map[string]config.Issuer{}}
	for _, is := range issuers {
		if is.GroupsSource == "" {
			is.GroupsSource = config.GroupsFromToken
		}
		if is.SCIMUserClaim == "" {
			is.SCIMUserClaim = "email"
		}
		if is.GroupsSource != config.GroupsFromToken && dir == nil {
			return nil, fmt.Errorf("identity: issuer %q takes groups from SCIM but no directory is configured", is.Issuer)
		}
		pv.issuers[is.Issuer] = is
	}
	return pv, nil
}

func (pv *Provisioning) provisioned(issuer string) (config.Issuer, bool) {
	if pv == nil {
		return config.Issuer{}, false
	}
	is, ok := pv.issuers[issuer]
	return is, ok && is.GroupsSource != config.GroupsFromToken
}

// resolve matches a principal verified from an external token (whose
// claim named by scim_user_claim is key) to its provisioned user.
func (pv *Provisioning) resolve(ctx context.Context, p Principal, key string) (Principal, *Error) {
	is, ok := pv.provisioned(p.Issuer)
	if !ok {
		return p, nil
	}
	du, err := pv.dir.MatchUser(ctx, is.SCIMUserClaim != "email", key)
	if err != nil {
		return Principal{}, directoryError(err)
	}
	return apply(is, p, p.Groups, du)
}

// Recheck refreshes a principal issued earlier from a verified token:
// refused if its provisioned user was deactivated or deleted, its groups
// replaced by the current memberships. Principals of issuers that take
// groups from tokens (and local, role and access-key principals) come
// back unchanged.
func (pv *Provisioning) Recheck(ctx context.Context, p Principal) (Principal, error) {
	is, ok := pv.provisioned(p.Issuer)
	if !ok {
		return p, nil
	}
	if p.DirectoryID == "" {
		return Principal{}, newError(CodeUserNotProvisioned, "the session predates provisioning of this issuer's users; sign in again")
	}
	du, err := pv.dir.User(ctx, p.DirectoryID)
	if err != nil {
		return Principal{}, directoryError(err)
	}
	np, perr := apply(is, p, p.TokenGroups, du)
	if perr != nil {
		return Principal{}, perr
	}
	return np, nil
}

func directoryError(err error) *Error {
	if errors.Is(err, ErrNotProvisioned) {
		return newError(CodeUserNotProvisioned, "the user is not provisioned (or was deleted) in tipgate's directory")
	}
	return wrapError(CodeInternal, "the directory of provisioned users is unavailable", err)
}

func apply(is config.Issuer, p Principal, tokenGroups []string, du DirectoryUser) (Principal, *Error) {
	if !du.Active {
		return Principal{}, newError(CodeUserInactive, "the user is deactivated in tipgate's directory")
	}
	p.DirectoryID = du.ID
	groups := slices.Clone(du.Groups)
	p.TokenGroups = nil
	if is.GroupsSource == config.GroupsFromBoth {
		p.TokenGroups = slices.Clone(tokenGroups)
		groups = append(groups, tokenGroups...)
	}
	for _, g := range groups {
		if hasControl(g) {
			return Principal{}, newError(CodeInvalidClaim, "a provisioned group name contains a control character")
		}
	}
	slices.Sort(groups)
	p.Groups = slices.Compact(groups)
	p.AutoCreateRoles = autoCreateRoles(is, p.Groups)
	return p, nil
}
