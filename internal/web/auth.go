package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/tipgate/tipgate/internal/identity"
)

var (
	errSignedOut   = errors.New("signed out")
	errExpired     = errors.New("session expired")
	errNotAssigned = errors.New("not assigned to the dashboard")
)

// assigned applies [web] assignment: with "required", only assigned users
// and members of assigned groups may use the dashboard. It is checked on
// every request, with the principal's current groups, so a removal from
// an assigned group (SCIM) ends access at the next request.
func (h *Handler) assigned(p identity.Principal) bool {
	if h.cfg.Assignment != "required" {
		return true
	}
	name := strings.TrimPrefix(p.User, p.Namespace+":")
	for _, u := range h.cfg.AssignedUsers {
		if strings.EqualFold(u, name) || p.Email != "" && strings.EqualFold(u, p.Email) {
			return true
		}
	}
	for _, g := range h.cfg.AssignedGroups {
		if slices.Contains(p.Groups, g) {
			return true
		}
	}
	return false
}

const notAssignedMessage = "You are signed in, but you are not assigned to the tipgate dashboard. " +
	"Ask your administrator to assign you, or a group you are in, to it."

// sessionOf finds the request's session and the principal it proves. The
// tipgate session token is verified on every request, so revocation and
// expiry take effect at once.
func (h *Handler) sessionOf(r *http.Request) (*webSession, identity.Principal, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, identity.Principal{}, errSignedOut
	}
	ws := h.store.get(c.Value)
	if ws == nil {
		return nil, identity.Principal{}, errSignedOut
	}
	if !h.now().Before(ws.expiry) {
		h.store.end(c.Value)
		return nil, identity.Principal{}, errExpired
	}
	p, err := h.sessions.Verify(r.Context(), ws.session.Token)
	if err != nil {
		if identity.CodeOf(err) == identity.CodeTokenExpired {
			return nil, identity.Principal{}, errExpired
		}
		return nil, identity.Principal{}, errSignedOut
	}
	if !h.assigned(p) {
		return nil, identity.Principal{}, errNotAssigned
	}
	return ws, p, nil
}

func (h *Handler) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, MaxAge: maxAge, HttpOnly: true,
		Secure: h.secure, SameSite: http.SameSiteLaxMode})
}

// startLogin begins the authorization code flow with PKCE.
func (h *Handler) startLogin(w http.ResponseWriter, r *http.Request) {
	ret := safeReturn(r.URL.Query().Get("return"))
	p, err := h.disc.get(r.Context())
	if err != nil {
		h.log.Warn("dashboard sign-in: provider discovery failed", "err", err)
		h.renderSignIn(w, http.StatusBadGateway, ret, "The sign-in service is not reachable right now. Please try again in a moment.")
		return
	}
	state, err1 := randomID()
	nonce, err2 := randomID()
	bind, err3 := randomID()
	if err := errors.Join(err1, err2, err3); err != nil {
		h.renderSignIn(w, http.StatusInternalServerError, ret, "Sign-in could not start. Please try again.")
		return
	}
	ls := &loginState{verifier: oauth2.GenerateVerifier(), nonce: nonce, ret: ret, browser: sha256.Sum256([]byte(bind)), created: h.now()}
	if !h.store.addLogin(state, ls, h.now(), h.cfg.LoginTimeout) {
		h.renderSignIn(w, http.StatusServiceUnavailable, ret, "Too many sign-ins are in progress. Please try again in a minute.")
		return
	}
	h.setCookie(w, loginCookie, bind, "/auth/", int(h.cfg.LoginTimeout/time.Second))
	u := h.oauthConfig(p).AuthCodeURL(state, oauth2.S256ChallengeOption(ls.verifier), oauth2.SetAuthURLParam("nonce", nonce))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u, http.StatusFound)
}

// callback finishes the flow: the state must be one this browser started,
// the code is exchanged with the PKCE verifier, the ID token is verified
// (signature, issuer, audience, expiry, nonce) and a tipgate session is
// issued. The browser gets only the session cookie.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ls := h.store.takeLogin(q.Get("state"))
	h.setCookie(w, loginCookie, "", "/auth/", -1)
	fail := func(status int, msg, logMsg string, err error) {
		h.log.Warn("dashboard sign-in refused", "reason", logMsg, "err", err, "remote", r.RemoteAddr)
		ret := AppPath
		if ls != nil {
			ret = ls.ret
		}
		h.renderSignIn(w, status, ret, msg)
	}
	if ls == nil || h.now().Sub(ls.created) > h.cfg.LoginTimeout {
		fail(http.StatusBadRequest, "That sign-in link is no longer valid. Please sign in again.", "unknown or expired state", nil)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil {
		fail(http.StatusBadRequest, "Sign-in must be finished in the browser that started it. Please sign in again.", "no login cookie", nil)
		return
	}
	if got := sha256.Sum256([]byte(c.Value)); subtle.ConstantTimeCompare(got[:], ls.browser[:]) != 1 {
		fail(http.StatusBadRequest, "Sign-in must be finished in the browser that started it. Please sign in again.", "login cookie mismatch", nil)
		return
	}
	if e := q.Get("error"); e != "" {
		msg := "The identity provider did not sign you in. Please try again."
		if e == "access_denied" {
			msg = "Sign-in was cancelled or refused by the identity provider."
		}
		fail(http.StatusUnauthorized, msg, "provider error "+safeToken(e), nil)
		return
	}
	code := q.Get("code")
	if code == "" {
		fail(http.StatusBadRequest, "The sign-in response had no authorization code. Please sign in again.", "no code", nil)
		return
	}
	p, err := h.disc.get(r.Context())
	if err != nil {
		fail(http.StatusBadGateway, "The sign-in service is not reachable right now. Please try again in a moment.", "discovery", err)
		return
	}
	ctx := r.Context()
	if h.client != nil {
		ctx = contextWithClient(ctx, h.client)
	}
	tok, err := h.oauthConfig(p).Exchange(ctx, code, oauth2.VerifierOption(ls.verifier))
	if err != nil {
		fail(http.StatusBadGateway, "The identity provider did not accept the sign-in. Please sign in again.", "code exchange", redactOAuthError(err))
		return
	}
	idToken, _ := tok.Extra("id_token").(string)
	if idToken == "" {
		fail(http.StatusBadGateway, "The identity provider returned no ID token. Please sign in again.", "no id_token", nil)
		return
	}
	who, err := h.verifier.VerifySignIn(r.Context(), idToken, h.cfg.ClientID, ls.nonce)
	if err != nil {
		fail(http.StatusUnauthorized, "Your sign-in could not be verified. Please sign in again.", "id token refused: "+string(identity.CodeOf(err)), nil)
		return
	}
	if !h.assigned(who) {
		fail(http.StatusForbidden, notAssignedMessage, "user not assigned to the dashboard", nil)
		return
	}
	sess, err := h.sessions.Issue(r.Context(), who)
	if err != nil {
		fail(http.StatusUnauthorized, "Your sign-in could not be turned into a session. Please sign in again.", "session issue", err)
		return
	}
	id, err1 := randomID()
	csrf, err2 := randomID()
	if err := errors.Join(err1, err2); err != nil {
		fail(http.StatusInternalServerError, "Sign-in could not finish. Please try again.", "randomness", err)
		return
	}
	h.store.put(id, &webSession{session: sess, idToken: idToken, csrf: csrf, expiry: sess.Expiry})
	h.setCookie(w, CookieName, id, "/", int(time.Until(sess.Expiry)/time.Second))
	h.log.Info("dashboard sign-in", "user", who.User, "session", sess)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, ls.ret, http.StatusFound)
}

// logout ends the tipgate session (revoking its token) and answers where
// the page goes next: the provider's logout, which ends the provider's
// session and returns to /signed-out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	c, err := r.Cookie(CookieName)
	var ws *webSession
	if err == nil {
		ws = h.store.get(c.Value)
	}
	if ws == nil {
		// Nothing to end: still clear the cookie and finish at our page.
		h.setCookie(w, CookieName, "", "/", -1)
		writeJSON(w, http.StatusOK, map[string]string{"redirect": SignedOutPath})
		return
	}
	if !h.csrfOK(r, ws) {
		writeError(w, http.StatusForbidden, "csrf", "the request has no valid X-CSRF-Token header")
		return
	}
	h.store.end(c.Value)
	if err := h.sessions.Revoke(r.Context(), ws.session.ID, ws.session.Expiry); err != nil {
		h.log.Error("dashboard sign-out: revoking the session failed", "session", ws.session, "err", err)
	}
	h.setCookie(w, CookieName, "", "/", -1)
	redirect := SignedOutPath
	if p, err := h.disc.get(r.Context()); err == nil {
		if u := h.endSessionURL(p, ws.idToken); u != "" {
			redirect = u
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"redirect": redirect})
}

// csrfOK checks the synchronizer token of a state-changing request, and
// that a browser which says where the request came from says it came
// from this origin.
func (h *Handler) csrfOK(r *http.Request, ws *webSession) bool {
	if o := r.Header.Get("Origin"); o != "" && o != h.publicURL {
		return false
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return false
	}
	t := r.Header.Get("X-CSRF-Token")
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(ws.csrf)) == 1
}

// safeToken keeps a provider's error code loggable: short, no control
// characters.
func safeToken(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// redactOAuthError keeps the provider's error code but not the response
// body, which could echo request parameters.
func redactOAuthError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return errors.New("token endpoint refused: " + safeToken(re.ErrorCode) + " (HTTP " + re.Response.Status + ")")
	}
	return err
}
