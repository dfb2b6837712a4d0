package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
)

// call is one authenticated API request.
type call struct {
	ws   *webSession
	self identity.Principal // who signed in
	// as is whose data the request shows: self, or the person a security
	// admin views as. actor is the admin's user name in the latter case.
	as    identity.Principal
	actor string
}

type apiFunc func(w http.ResponseWriter, r *http.Request, c *call)

// authed admits requests of a live session; state-changing ones must
// also carry the session's CSRF token.
func (h *Handler) authed(next apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, p, err := h.sessionOf(r)
		switch {
		case errors.Is(err, errExpired):
			writeError(w, http.StatusUnauthorized, "session_expired", "your session has expired; sign in again")
			return
		case errors.Is(err, errNotAssigned):
			writeError(w, http.StatusForbidden, "not_assigned", "you are not assigned to the dashboard")
			return
		case err != nil:
			writeError(w, http.StatusUnauthorized, "signed_out", "sign in to use the dashboard")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !h.csrfOK(r, ws) {
			writeError(w, http.StatusForbidden, "csrf", "the request has no valid X-CSRF-Token header")
			return
		}
		next(w, r, h.callOf(r, ws, p))
	})
}

// callOf is the call of a live session: whom it shows (the person, or
// whom a security admin views as) and who acts.
func (h *Handler) callOf(r *http.Request, ws *webSession, p identity.Principal) *call {
	c := &call{ws: ws, self: p, as: p}
	if va := h.store.viewAs(ws); va != nil {
		// Viewing as someone is a security admin's right, checked on
		// every request: revoking sys:secadmin ends it at once.
		if h.subject(r.Context(), p).CanAdminSecurity() {
			c.as, c.actor = *va, p.User
		} else {
			h.store.setViewAs(ws, nil)
		}
	}
	return c
}

// admin admits only security admins (sys:secadmin or superuser) as they
// are themselves, whoever they currently view as.
func (h *Handler) admin(next apiFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, c *call) {
		if !h.subject(r.Context(), c.self).CanAdminSecurity() {
			writeError(w, http.StatusForbidden, "forbidden", "only security administrators (sys:secadmin) may use this")
			return
		}
		next(w, r, c)
	}
}

// subject is p as the engine decides it; if the engine cannot answer, a
// subject with no rights (fail closed).
func (h *Handler) subject(ctx context.Context, p identity.Principal) policy.Subject {
	d, err := h.svc.Decision(ctx, p)
	if err != nil {
		return policy.Subject{User: p.User}
	}
	return d.Subject
}

// person is how /me describes someone.
type person struct {
	User   string   `json:"user"`
	Email  string   `json:"email"`
	Groups []string `json:"groups"`
	Roles  []string `json:"roles"`
}

// describePerson describes p, whom the engine decided to be sub.
func describePerson(p identity.Principal, sub policy.Subject) person {
	out := person{User: p.User, Email: p.Email, Groups: p.Groups, Roles: sub.Roles}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	if out.Roles == nil {
		out.Roles = []string{}
	}
	return out
}

type meOutput struct {
	person
	SecAdmin  bool      `json:"secadmin"`
	CSRFToken string    `json:"csrfToken"`
	ExpiresAt time.Time `json:"expiresAt"`
	ViewAs    *person   `json:"viewAs"`
}

func (h *Handler) me(ctx context.Context, c *call) meOutput {
	self := h.subject(ctx, c.self)
	out := meOutput{person: describePerson(c.self, self), SecAdmin: self.CanAdminSecurity(), CSRFToken: c.ws.csrf,
		ExpiresAt: c.ws.expiry.UTC()}
	if c.actor != "" {
		va := describePerson(c.as, h.subject(ctx, c.as))
		out.ViewAs = &va
	}
	return out
}

func (h *Handler) apiMe(w http.ResponseWriter, r *http.Request, c *call) {
	writeJSON(w, http.StatusOK, h.me(r.Context(), c))
}
