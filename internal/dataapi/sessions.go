package dataapi

import (
	"fmt"
	"time"
)

// MaxSessions is the default bound on open sessions of all principals
// together (the Data API's 500 per workgroup); Options.MaxSessionsPerOwner
// keeps one principal from taking them all.
const MaxSessions = 500

// maxSessionLife is the Data API's limit on a session's age.
const maxSessionLife = 24 * time.Hour

// session keeps a principal's sequence of statements together: statements
// run one at a time, and the session stays open for SessionKeepAliveSeconds
// after the last one ends.
//
// tipgate's principals only read, so a session holds no temp tables or
// settings; it carries the Data API's sequencing, keep-alive and
// ownership semantics so clients written for them work unchanged.
type session struct {
	id        string
	owner     string
	created   time.Time
	lastUsed  time.Time
	keepAlive time.Duration
	busy      string // id of the running statement, if any
}

func (s *session) expired(now time.Time) bool {
	return s.busy == "" && (now.Sub(s.lastUsed) > s.keepAlive || now.Sub(s.created) > maxSessionLife)
}

// bindSession opens or joins the session the input names; the caller holds s.mu.
func (s *Service) bindSessionLocked(own string, in *ExecuteInput, now time.Time) (*session, error) {
	if in.SessionKeepAliveSeconds != nil && (*in.SessionKeepAliveSeconds < 0 || *in.SessionKeepAliveSeconds > 86400) {
		return nil, validation("SessionKeepAliveSeconds must be between 0 and 86400")
	}
	if in.SessionID != "" {
		sess, ok := s.sessions[in.SessionID]
		if !ok || sess.owner != own || sess.expired(now) {
			return nil, validation("session %s is not open for you", in.SessionID)
		}
		if sess.busy != "" {
			return nil, validation("session %s is busy running statement %s; statements in a session run one at a time", sess.id, sess.busy)
		}
		if in.SessionKeepAliveSeconds != nil {
			sess.keepAlive = time.Duration(*in.SessionKeepAliveSeconds) * time.Second
		}
		return sess, nil
	}
	if in.SessionKeepAliveSeconds == nil || *in.SessionKeepAliveSeconds == 0 {
		return nil, nil
	}
	open, mine := 0, 0
	for _, sess := range s.sessions {
		if sess.expired(now) {
			continue
		}
		open++
		if sess.owner == own {
			mine++
		}
	}
	if mine >= s.opts.MaxSessionsPerOwner {
		return nil, &Error{Kind: ActiveSessionsExceeded, Message: fmt.Sprintf("Active sessions exceeded the allowed quota (%d per principal).", s.opts.MaxSessionsPerOwner)}
	}
	if open >= s.opts.MaxSessions {
		return nil, &Error{Kind: ActiveSessionsExceeded, Message: "Active sessions exceeded the allowed quota."}
	}
	sess := &session{id: newUUID(), owner: own, created: now, lastUsed: now, keepAlive: time.Duration(*in.SessionKeepAliveSeconds) * time.Second}
	s.sessions[sess.id] = sess
	in.SessionID = sess.id
	return sess, nil
}

// releaseSession marks the session idle after its statement ended.
func (s *Service) releaseSession(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[id]; ok {
		sess.busy = ""
		sess.lastUsed = s.opts.Clock()
	}
}
