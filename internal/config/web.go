package config

import (
	"slices"
	"time"
)

// Defaults for [web].
const (
	DefaultWebCacheTTL     = time.Minute
	DefaultWebCacheEntries = 2000
	DefaultWebLoginTimeout = 10 * time.Minute
)

// DefaultWebScopes are requested when [web].scopes is not set. "groups" is
// not a standard scope: providers that need one to release the groups
// claim (the embedded IdP does) are configured with it explicitly.
var DefaultWebScopes = []string{"openid", "email", "profile"}

// Web is the [web] section: the dashboard and its backend-for-frontend.
type Web struct {
	Enabled bool
	// Issuer is the OpenID provider people sign in with. It must be a
	// trusted issuer ([[identity.issuers]] or the embedded IdP) whose
	// audiences include ClientID: the ID token is verified like any other.
	Issuer   string
	ClientID string
	// ClientSecretFile holds the client secret (owner-readable only);
	// empty for a public client (PKCE alone).
	ClientSecretFile string
	Scopes           []string
	// CacheTTL bounds how long a panel's result is reused within one
	// policy context; 0 disables the cache.
	CacheTTL     time.Duration
	CacheEntries int
	// LoginTimeout is how long a started sign-in may take.
	LoginTimeout time.Duration
	// Assignment, AssignedUsers, AssignedGroups: as for applications; an
	// unassigned user gets a page saying so instead of the dashboard.
	Assignment     string
	AssignedUsers  []string
	AssignedGroups []string
}

type rawWeb struct {
	Enabled          any `toml:"enabled"`
	Issuer           any `toml:"issuer"`
	ClientID         any `toml:"client_id"`
	ClientSecretFile any `toml:"client_secret_file"`
	Scopes           any `toml:"scopes"`
	CacheTTL         any `toml:"cache_ttl"`
	CacheEntries     any `toml:"cache_entries"`
	LoginTimeout     any `toml:"login_timeout"`
	Assignment       any `toml:"assignment"`
	AssignedUsers    any `toml:"assigned_users"`
	AssignedGroups   any `toml:"assigned_groups"`
}

func (r rawWeb) validate(p *problems, key string) Web {
	w := Web{Enabled: boolean(p, key+".enabled", r.Enabled, false)}
	w.Issuer = str(p, key+".issuer", r.Issuer, "")
	w.ClientID = str(p, key+".client_id", r.ClientID, "")
	w.ClientSecretFile = str(p, key+".client_secret_file", r.ClientSecretFile, "")
	w.Scopes = strList(p, key+".scopes", r.Scopes)
	w.Assignment, w.AssignedUsers, w.AssignedGroups = assignment(p, key, r.Assignment, r.AssignedUsers, r.AssignedGroups)
	if r.Scopes == nil {
		w.Scopes = slices.Clone(DefaultWebScopes)
	} else if !slices.Contains(w.Scopes, "openid") {
		p.add(key+".scopes", "must include \"openid\"")
	}
	w.CacheTTL, _ = duration(p, key+".cache_ttl", r.CacheTTL, DefaultWebCacheTTL)
	if w.CacheTTL < 0 {
		p.add(key+".cache_ttl", "must not be negative")
	}
	w.CacheEntries = int(integer(p, key+".cache_entries", r.CacheEntries, DefaultWebCacheEntries, 1, 1_000_000))
	w.LoginTimeout, _ = duration(p, key+".login_timeout", r.LoginTimeout, DefaultWebLoginTimeout)
	if w.LoginTimeout < time.Minute || w.LoginTimeout > time.Hour {
		p.add(key+".login_timeout", "must be between 1m and 1h")
	}
	if !w.Enabled {
		return w
	}
	if w.Issuer == "" {
		p.add(key+".issuer", "is required when the dashboard is enabled")
	} else {
		issuerURL(p, key+".issuer", w.Issuer)
	}
	if w.ClientID == "" {
		p.add(key+".client_id", "is required when the dashboard is enabled")
	}
	return w
}
