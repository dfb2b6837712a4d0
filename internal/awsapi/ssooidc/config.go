package ssooidc

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
)

// Config is the SSO-OIDC part of the configuration.
type Config struct {
	// Account is the 12-digit account id (for static-key callers' ARNs).
	Account string
	// Issuer is the iss of the idTokens tipgate signs.
	Issuer       string
	Applications []Application
}

// Application is a customer-managed Identity Center application.
type Application struct {
	// ARN is the clientId callers pass,
	// arn:aws:sso::ACCOUNT:application/ssoins-…/apl-….
	ARN  string
	Name string
	// Issuer and Audiences: the trusted token issuer and the aud values it
	// is trusted for. The issuer must also be a trusted issuer of the
	// identity Verifier.
	Issuer    string
	Audiences []string
	// SameIssuers are other URLs of the same token issuer (the embedded
	// IdP answers at /idp and, for apps written for Okta, at an origin of
	// its own): tokens they sign are trusted as Issuer's, for the same
	// Audiences.
	SameIssuers []string
	// UserClaim is the attribute mapping: the token claim whose value names
	// the Identity Center user (default "email").
	UserClaim string
	// Scopes granted when a request names none (default DefaultScopes).
	Scopes []string
	// AuthorizedCallers are the principal ARNs (role ARNs, or IAM user
	// ARNs of static keys) allowed sso-oauth:CreateTokenWithIAM.
	AuthorizedCallers []string
	// AssignmentRequired limits tokens to AssignedUsers (user names
	// without namespace, case-insensitive) and members of AssignedGroups.
	AssignmentRequired bool
	AssignedUsers      []string
	AssignedGroups     []string
	// TokenLifetime of access tokens, idTokens and context assertions
	// (default 1 h); RefreshLifetime of refresh tokens (default 8 h).
	TokenLifetime   time.Duration
	RefreshLifetime time.Duration
}

// DefaultScopes are an application's scopes when none are configured.
var DefaultScopes = []string{"openid", "aws", "sts:identity_context", "redshift:connect"}

var (
	reAppARN     = regexp.MustCompile(`^arn:aws:sso::[0-9]{12}:application/[a-zA-Z0-9-]+/apl-[a-zA-Z0-9]+$`)
	reAccount    = regexp.MustCompile(`^[0-9]{12}$`)
	reRoleOrUser = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:(role|user)/[\x21-\x7e]+$`)
)

// Validate fills defaults and reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !reAccount.MatchString(c.Account) {
		add("ssooidc: account %q must be 12 digits", c.Account)
	}
	if !strings.HasPrefix(c.Issuer, "https://") && !strings.HasPrefix(c.Issuer, "http://") {
		add("ssooidc: issuer %q must be a URL", c.Issuer)
	}
	seen := map[string]bool{}
	for i := range c.Applications {
		a := &c.Applications[i]
		if !reAppARN.MatchString(a.ARN) {
			add("ssooidc: applications[%d]: %q is not an application ARN (arn:aws:sso::ACCOUNT:application/ssoins-ID/apl-ID)", i, a.ARN)
		}
		if seen[a.ARN] {
			add("ssooidc: applications[%d]: %s is configured twice", i, a.ARN)
		}
		seen[a.ARN] = true
		if !strings.HasPrefix(a.Issuer, "https://") && !strings.HasPrefix(a.Issuer, "http://") {
			add("ssooidc: applications[%d]: trusted token issuer %q must be a URL", i, a.Issuer)
		}
		for _, o := range a.SameIssuers {
			if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
				add("ssooidc: applications[%d]: trusted token issuer %q must be a URL", i, o)
			}
		}
		if len(a.Audiences) == 0 || slices.Contains(a.Audiences, "") {
			add("ssooidc: applications[%d]: at least one non-empty audience is required", i)
		}
		if a.UserClaim == "" {
			a.UserClaim = "email"
		}
		if len(a.Scopes) == 0 {
			a.Scopes = slices.Clone(DefaultScopes)
		}
		if len(a.AuthorizedCallers) == 0 {
			add("ssooidc: applications[%d]: authorized_callers must name at least one role or user ARN", i)
		}
		for _, p := range a.AuthorizedCallers {
			if !reRoleOrUser.MatchString(p) {
				add("ssooidc: applications[%d]: authorized caller %q is not an IAM role or user ARN", i, p)
			}
		}
		if a.TokenLifetime == 0 {
			a.TokenLifetime = time.Hour
		}
		if a.RefreshLifetime == 0 {
			a.RefreshLifetime = 8 * time.Hour
		}
		if a.TokenLifetime < 5*time.Minute || a.TokenLifetime > 12*time.Hour || a.RefreshLifetime < a.TokenLifetime || a.RefreshLifetime > 90*24*time.Hour {
			add("ssooidc: applications[%d]: token lifetime must be 5m..12h and refresh lifetime between it and 90 days", i)
		}
	}
	return errors.Join(errs...)
}

func (c *Config) application(arn string) (*Application, bool) {
	for i := range c.Applications {
		if c.Applications[i].ARN == arn {
			return &c.Applications[i], true
		}
	}
	return nil, false
}

// assigned reports whether the application may issue tokens for id.
func (a *Application) assigned(id tempcreds.Identity) bool {
	if !a.AssignmentRequired {
		return true
	}
	name := strings.TrimPrefix(id.User, id.Namespace+":")
	for _, u := range a.AssignedUsers {
		if strings.EqualFold(u, name) || id.Email != "" && strings.EqualFold(u, id.Email) {
			return true
		}
	}
	for _, g := range a.AssignedGroups {
		if slices.Contains(id.Groups, g) {
			return true
		}
	}
	return false
}
