package idp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/tipgate/tipgate/internal/store"
)

// User is a person who can sign in. Email is the login name and is unique
// (case-insensitively). PasswordHash is bcrypt or an argon2id PHC string.
type User struct {
	Email, GivenName, FamilyName string
	Groups                       []string
	PasswordHash                 string
}

// Grant names accepted in Client.Grants.
const (
	GrantAuthorizationCode = string(oidc.GrantTypeCode)         // "authorization_code"
	GrantRefreshToken      = string(oidc.GrantTypeRefreshToken) // "refresh_token"
	GrantDeviceCode        = string(oidc.GrantTypeDeviceCode)   // "urn:ietf:params:oauth:grant-type:device_code"
	GrantPassword          = "password"                         // RFC 6749 §4.3; also needs Config.EnablePasswordGrant
)

// Client is a relying party. A public client has no Secret and must use
// PKCE; a confidential client authenticates with its Secret (HTTP Basic or
// form post). Grants defaults to authorization_code and refresh_token.
type Client struct {
	ID, Secret             string
	Public                 bool
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Grants                 []string
}

// Config configures a Provider.
type Config struct {
	// Issuer is the absolute URL of the provider, e.g. http://127.0.0.1:8081/idp.
	// http is accepted, since this is a development provider.
	Issuer  string
	Users   []User
	Clients []Client
	// EnablePasswordGrant turns on the resource-owner password grant for
	// clients that list "password" in Grants. Off by default.
	EnablePasswordGrant bool
	// KeyPath, when set, holds the PEM RSA signing key: loaded if the file
	// exists (it must not be readable by group or others), otherwise
	// generated and written with mode 0600. Empty: a fresh key per start.
	KeyPath string
	// Keys, when set, holds the signing key under the name KeyPath
	// instead of a file (replicas share it through the store).
	Keys store.Keys
	// Layout is where the endpoints are (LayoutDefault, or LayoutOkta for
	// apps written against Okta).
	Layout Layout
	Logger *slog.Logger
	// OnSignInFailure, when set, hears of every refused password (login
	// page, device approval, password grant) so the server can audit it.
	// user is the account's email when one exists, "" for an unknown one
	// (what was typed is not passed on: it may be a mistyped password).
	OnSignInFailure func(r *http.Request, f SignInFailure)
}

// SignInFailure is one refused password.
type SignInFailure struct {
	// Flow is "login", "device" or "password_grant".
	Flow     string
	ClientID string
	User     string
}

func (c Client) grants() []string {
	if len(c.Grants) == 0 {
		return []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	return c.Grants
}

func (c Client) allows(grant string) bool { return slices.Contains(c.grants(), grant) }

// validate reports every problem in cfg at once.
func (cfg Config) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if u, err := url.Parse(cfg.Issuer); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		add("issuer %q: must be an absolute http(s) URL without query or fragment", cfg.Issuer)
	} else if strings.HasSuffix(u.Path, "/") {
		add("issuer %q: must not end with a slash", cfg.Issuer)
	} else if err := cfg.Layout.validate(u.Path); err != nil {
		add("issuer %q: %v", cfg.Issuer, err)
	}
	if len(cfg.Users) == 0 {
		add("no users")
	}
	errs = append(errs, validateUsers(cfg.Users)...)
	ids := map[string]bool{}
	for i, c := range cfg.Clients {
		where := fmt.Sprintf("clients[%d] (%s)", i, c.ID)
		switch {
		case c.ID == "":
			add("%s: id is required", where)
		case ids[c.ID]:
			add("%s: duplicate id", where)
		}
		ids[c.ID] = true
		if c.Public == (c.Secret != "") {
			add("%s: exactly one of public = true or a secret is required", where)
		}
		for _, g := range c.grants() {
			switch g {
			case GrantAuthorizationCode, GrantRefreshToken, GrantDeviceCode, GrantPassword:
			default:
				add("%s: unknown grant %q", where, g)
			}
		}
		if c.allows(GrantAuthorizationCode) && len(c.RedirectURIs) == 0 {
			add("%s: authorization_code needs at least one redirect URI", where)
		}
		for _, u := range append(slices.Clone(c.RedirectURIs), c.PostLogoutRedirectURIs...) {
			if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Fragment != "" {
				add("%s: redirect URI %q must be absolute and have no fragment", where, u)
			}
		}
	}
	if len(cfg.Clients) == 0 {
		add("no clients")
	}
	return errors.Join(errs...)
}
