package config

import (
	"fmt"
	"regexp"
	"strings"
)

// Defaults for [[identity.issuers]], matching what Amazon Redshift assumes
// for IAM Identity Center.
const (
	DefaultUserClaim   = "email"
	DefaultGroupsClaim = "groups"
	DefaultNamespace   = "AWSIDC"
)

// Identity is the [identity] section.
type Identity struct {
	Issuers []Issuer
}

// Issuer is one trusted token issuer ([[identity.issuers]]): an external
// OpenID Provider whose ID tokens tipgate accepts.
type Issuer struct {
	// Issuer is the exact "iss" value and discovery base URL.
	Issuer string
	// Audiences are the client ids a token's "aud" must contain one of.
	Audiences []string
	// UserClaim holds the user name (default "email").
	UserClaim string
	// GroupsClaim holds the group names (default "groups").
	GroupsClaim string
	// GroupPrefix is stripped from group names (Keycloak's "/").
	GroupPrefix string
	// Namespace prefixes users and roles ("AWSIDC:alice@example.com").
	Namespace string
	// AutoCreateRoles lets a session create roles for its groups, filtered
	// by the LIKE patterns below; EXCLUDE wins over INCLUDE.
	AutoCreateRoles   bool
	IncludeGroupsLike string
	ExcludeGroupsLike string
	// GroupsSource is where a principal's groups come from: "token" (the
	// groups claim), "scim" (the memberships provisioned over SCIM of the
	// user matched by SCIMUserClaim) or "both" (their union). With "scim"
	// and "both", a user not provisioned, inactive or deleted is refused.
	GroupsSource string
	// SCIMUserClaim is the token claim matched to a provisioned user:
	// "email" (default) against userName or an email, any other claim
	// (such as "sub") against externalId.
	SCIMUserClaim string
}

// Groups sources of [[identity.issuers]].
const (
	GroupsFromToken = "token"
	GroupsFromSCIM  = "scim"
	GroupsFromBoth  = "both"
)

type rawIdentity struct {
	Issuers []rawIssuer `toml:"issuers"`
}

type rawIssuer struct {
	Issuer            any `toml:"issuer"`
	Audiences         any `toml:"audiences"`
	UserClaim         any `toml:"user_claim"`
	GroupsClaim       any `toml:"groups_claim"`
	GroupPrefix       any `toml:"group_prefix"`
	Namespace         any `toml:"namespace"`
	AutoCreateRoles   any `toml:"auto_create_roles"`
	IncludeGroupsLike any `toml:"include_groups_like"`
	ExcludeGroupsLike any `toml:"exclude_groups_like"`
	GroupsSource      any `toml:"groups_source"`
	SCIMUserClaim     any `toml:"scim_user_claim"`
}

// namespaceRE follows Redshift identity provider namespaces: an
// identifier, so "<namespace>:<user>" splits unambiguously.
var namespaceRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,126}$`)

// claimRE keeps claim names to what JSON object keys from real IdPs look
// like, including URL-style custom claims (Auth0 "https://x/groups").
var claimRE = regexp.MustCompile(`^[!-~]{1,256}$`)

func (r rawIdentity) validate(p *problems, key string) Identity {
	var out Identity
	seen := map[string]int{}
	for i, ri := range r.Issuers {
		k := fmt.Sprintf("%s.issuers[%d]", key, i)
		is := ri.validate(p, k)
		if is.Issuer != "" {
			if j, dup := seen[is.Issuer]; dup {
				p.add(k+".issuer", "same issuer as %s.issuers[%d]", key, j)
			}
			seen[is.Issuer] = i
		}
		out.Issuers = append(out.Issuers, is)
	}
	return out
}

func (r rawIssuer) validate(p *problems, key string) Issuer {
	is := Issuer{
		Issuer:            str(p, key+".issuer", r.Issuer, ""),
		Audiences:         strList(p, key+".audiences", r.Audiences),
		UserClaim:         str(p, key+".user_claim", r.UserClaim, DefaultUserClaim),
		GroupsClaim:       str(p, key+".groups_claim", r.GroupsClaim, DefaultGroupsClaim),
		GroupPrefix:       str(p, key+".group_prefix", r.GroupPrefix, ""),
		Namespace:         str(p, key+".namespace", r.Namespace, DefaultNamespace),
		AutoCreateRoles:   boolean(p, key+".auto_create_roles", r.AutoCreateRoles, false),
		IncludeGroupsLike: str(p, key+".include_groups_like", r.IncludeGroupsLike, ""),
		ExcludeGroupsLike: str(p, key+".exclude_groups_like", r.ExcludeGroupsLike, ""),
		GroupsSource:      str(p, key+".groups_source", r.GroupsSource, GroupsFromToken),
		SCIMUserClaim:     str(p, key+".scim_user_claim", r.SCIMUserClaim, "email"),
	}
	switch is.GroupsSource {
	case GroupsFromToken, GroupsFromSCIM, GroupsFromBoth:
	default:
		p.add(key+".groups_source", "must be \"token\", \"scim\" or \"both\"")
	}
	if !claimRE.MatchString(is.SCIMUserClaim) {
		p.add(key+".scim_user_claim", "must be a non-empty claim name without spaces")
	}
	if r.SCIMUserClaim != nil && is.GroupsSource == GroupsFromToken {
		p.add(key+".scim_user_claim", "has no effect unless groups_source is \"scim\" or \"both\"")
	}
	if r.Issuer == nil {
		p.add(key+".issuer", "is required")
	} else if _, ok := r.Issuer.(string); ok {
		issuerURL(p, key+".issuer", is.Issuer)
	}
	switch {
	case r.Audiences == nil:
		p.add(key+".audiences", "is required (the client ids tokens are issued to)")
	case isEmptyArray(r.Audiences):
		p.add(key+".audiences", "must list at least one client id")
	}
	dup := map[string]bool{}
	for i, a := range is.Audiences {
		if strings.TrimSpace(a) == "" {
			p.add(fmt.Sprintf("%s.audiences[%d]", key, i), "must not be empty")
		}
		if dup[a] {
			p.add(fmt.Sprintf("%s.audiences[%d]", key, i), "duplicate audience")
		}
		dup[a] = true
	}
	if !claimRE.MatchString(is.UserClaim) {
		p.add(key+".user_claim", "must be a non-empty claim name without spaces")
	}
	if !claimRE.MatchString(is.GroupsClaim) {
		p.add(key+".groups_claim", "must be a non-empty claim name without spaces")
	}
	if !namespaceRE.MatchString(is.Namespace) {
		p.add(key+".namespace", "must be an identifier (letters, digits, _ and $, not starting with a digit)")
	}
	for _, f := range []struct{ name, pat string }{
		{"include_groups_like", is.IncludeGroupsLike},
		{"exclude_groups_like", is.ExcludeGroupsLike},
	} {
		if f.pat == "" {
			continue
		}
		if !is.AutoCreateRoles {
			p.add(key+"."+f.name, "has no effect unless auto_create_roles = true")
		}
		if err := CheckLike(f.pat); err != nil {
			p.add(key+"."+f.name, "%v", err)
		}
	}
	return is
}

func isEmptyArray(v any) bool {
	s, ok := v.([]any)
	return ok && len(s) == 0
}

// CheckLike validates a Redshift LIKE pattern: '%' and '_' are wildcards
// and '\' escapes the next character, so a trailing '\' is an error.
func CheckLike(pat string) error {
	esc := false
	for _, r := range pat {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		}
	}
	if esc {
		return fmt.Errorf("LIKE pattern ends with an escape character")
	}
	return nil
}
