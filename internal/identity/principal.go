package identity

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultNamespace is the identity namespace of IAM Identity Center users in
// Redshift, used when none is configured.
const DefaultNamespace = "AWSIDC"

// Principal is a verified subject. Fields are set only by this package's
// constructors; code elsewhere passes it by value and never builds one from
// request fields.
type Principal struct {
	// User is the warehouse user name, "<namespace>:<email>" for federated
	// users, or a plain database user name.
	User      string
	Email     string
	Namespace string
	// Groups are the IdP group names, without namespace.
	Groups    []string
	Issuer    string
	SessionID string
	// Superuser is true only for the local operator of a data directory.
	Superuser bool
	// Expiry is when the token this principal came from expires; zero for
	// local principals.
	Expiry time.Time
	// AuthTime is when the person last authenticated at the IdP.
	AuthTime time.Time
	// AutoCreateRoles are the "<namespace>:<group>" roles this session may
	// create, as allowed by the issuer's auto_create_roles settings.
	AutoCreateRoles []string
	// Role is the ARN of the IAM role an AWS session of this principal was
	// assumed through, empty otherwise; the Data API scopes statements to
	// user and role together, as Redshift does with trusted identity
	// propagation.
	Role string
	// DirectoryID is the provisioned (SCIM) user this principal was
	// matched to, for issuers whose groups come from provisioning; it is
	// what every later use of the principal is checked against.
	DirectoryID string
	// TokenGroups are the token's own groups when the issuer's groups are
	// the union of token and provisioned ones (groups_source = "both").
	TokenGroups []string
}

// LocalSuperuser is the operator running tipgate on the data directory.
func LocalSuperuser() Principal {
	return Principal{User: "tipgate", Superuser: true, Issuer: "local"}
}

// Simulated is the principal a security admin views the warehouse as
// (tipgate sql --as): a user name and groups given on the command line of a
// process that already owns the data directory.
func Simulated(user, namespace string, groups []string) (Principal, error) {
	if namespace == "" {
		namespace = DefaultNamespace
	}
	if strings.TrimSpace(user) == "" {
		return Principal{}, fmt.Errorf("identity: empty user name")
	}
	if strings.ContainsAny(user, "\n\r\x00") {
		return Principal{}, fmt.Errorf("identity: user name contains a control character")
	}
	email := user
	if ns, rest, ok := strings.Cut(user, ":"); ok {
		if ns != namespace {
			return Principal{}, fmt.Errorf("identity: user %q is not in namespace %q", user, namespace)
		}
		email = rest
	} else {
		user = namespace + ":" + user
	}
	var gs []string
	for _, g := range groups {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		if strings.ContainsAny(g, "\n\r\x00") {
			return Principal{}, fmt.Errorf("identity: group %q contains a control character", g)
		}
		gs = append(gs, g)
	}
	slices.Sort(gs)
	gs = slices.Compact(gs)
	return Principal{User: user, Email: email, Namespace: namespace, Groups: gs, Issuer: "local-simulation"}, nil
}

// SessionRoles are the role names the principal's groups map to, whether or
// not such roles exist.
func (p Principal) SessionRoles() []string {
	out := make([]string, 0, len(p.Groups))
	for _, g := range p.Groups {
		out = append(out, p.Namespace+":"+g)
	}
	return out
}
