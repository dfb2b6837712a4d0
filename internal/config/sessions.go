package config

import "time"

// Defaults for [sessions].
const (
	DefaultSessionAudience = "tipgate-data-api"
	DefaultSessionLifetime = time.Hour
	DefaultKeyRotation     = 24 * time.Hour
	// MaxSessionLifetime bounds how long a stolen session token stays
	// useful; Identity Center's own limit is in the same range.
	MaxSessionLifetime = 24 * time.Hour
	minDuration        = time.Minute
)

// Sessions is the [sessions] section: tipgate's own session tokens.
type Sessions struct {
	// Issuer is tipgate's own issuer URL. Empty means the server derives
	// it from its listen address.
	Issuer string
	// Audience of issued session tokens.
	Audience string
	// Lifetime of a session token; capped at the external token's expiry
	// unless AllowLongerThanExternal.
	Lifetime                time.Duration
	AllowLongerThanExternal bool
	// KeyRotation is how often a new signing key is made; KeyOverlap is
	// how long a retired key keeps verifying (at least Lifetime, so every
	// token outlives nothing it depends on).
	KeyRotation time.Duration
	KeyOverlap  time.Duration
}

type rawSessions struct {
	Issuer                  any `toml:"issuer"`
	Audience                any `toml:"audience"`
	Lifetime                any `toml:"lifetime"`
	AllowLongerThanExternal any `toml:"allow_longer_than_external"`
	KeyRotation             any `toml:"key_rotation"`
	KeyOverlap              any `toml:"key_overlap"`
}

// DefaultSessions is the [sessions] section when the file has none.
func DefaultSessions() Sessions {
	return Sessions{
		Audience:    DefaultSessionAudience,
		Lifetime:    DefaultSessionLifetime,
		KeyRotation: DefaultKeyRotation,
		KeyOverlap:  DefaultSessionLifetime,
	}
}

func (r rawSessions) validate(p *problems, key string) Sessions {
	s := DefaultSessions()
	s.Issuer = str(p, key+".issuer", r.Issuer, "")
	if _, ok := r.Issuer.(string); ok {
		issuerURL(p, key+".issuer", s.Issuer)
	}
	s.Audience = str(p, key+".audience", r.Audience, DefaultSessionAudience)
	if s.Audience == "" {
		p.add(key+".audience", "must not be empty")
	}
	var overlapSet bool
	s.Lifetime, _ = duration(p, key+".lifetime", r.Lifetime, DefaultSessionLifetime)
	if s.Lifetime < minDuration || s.Lifetime > MaxSessionLifetime {
		p.add(key+".lifetime", "must be between %v and %v", minDuration, MaxSessionLifetime)
	}
	s.AllowLongerThanExternal = boolean(p, key+".allow_longer_than_external", r.AllowLongerThanExternal, false)
	s.KeyRotation, _ = duration(p, key+".key_rotation", r.KeyRotation, DefaultKeyRotation)
	if s.KeyRotation < minDuration {
		p.add(key+".key_rotation", "must be at least %v", minDuration)
	}
	s.KeyOverlap, overlapSet = duration(p, key+".key_overlap", r.KeyOverlap, s.Lifetime)
	if !overlapSet {
		s.KeyOverlap = s.Lifetime
	}
	if s.KeyOverlap < s.Lifetime {
		// A shorter overlap would retire keys while tokens they signed are
		// still within their lifetime.
		p.add(key+".key_overlap", "must be at least the session lifetime (%v)", s.Lifetime)
	}
	return s
}
