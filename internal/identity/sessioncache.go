package identity

import (
	"slices"
	"sync"
	"time"
)

// maxVerifiedSessions bounds the cache of verified session tokens; past
// it the cache starts again empty, which costs one full verification per
// live token and nothing else.
const maxVerifiedSessions = 16384

// verifiedSessions remembers session tokens whose signature and claims
// have been checked, so that a token used for request after request is
// verified once for its lifetime: a signature check is most of a
// request's own cost. Keys are SHA-256 digests of the token, never the
// bearer secret itself. What can change during the lifetime — expiry, the
// key's retirement, revocation, the directory — is checked on every use
// (Sessions.verify, Sessions.current). Only successes are kept.
type verifiedSessions struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedSession
}

type verifiedSession struct {
	p   Principal // before the provisioning recheck
	kid string
}

func (c *verifiedSessions) get(k [32]byte) (verifiedSession, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		// Callers own what they are given; the cached slices stay ours.
		v.p.Groups = slices.Clone(v.p.Groups)
		v.p.AutoCreateRoles = slices.Clone(v.p.AutoCreateRoles)
		v.p.TokenGroups = slices.Clone(v.p.TokenGroups)
	}
	return v, ok
}

func (c *verifiedSessions) put(k [32]byte, v verifiedSession) {
	v.p.Groups = slices.Clone(v.p.Groups)
	v.p.AutoCreateRoles = slices.Clone(v.p.AutoCreateRoles)
	v.p.TokenGroups = slices.Clone(v.p.TokenGroups)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxVerifiedSessions {
		c.m = make(map[[32]byte]verifiedSession)
	}
	c.m[k] = v
	c.mu.Unlock()
}

func (c *verifiedSessions) drop(k [32]byte) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// keyUsable reports whether the session key kid may still verify at now.
func (s *Sessions) keyUsable(kid string, now time.Time) bool {
	r := s.ring.Load()
	if r == nil {
		return false
	}
	for _, k := range r.keys {
		if k.pub.kid == kid && now.Before(k.period.Add(s.cfg.KeyRotation+s.cfg.KeyOverlap)) {
			return true
		}
	}
	return false
}
