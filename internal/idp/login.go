package idp

import (
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

//go:embed login.html
var templateFS embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFS, "login.html"))

// page is what login.html renders: a sign-in form, or just a message.
type page struct {
	Title, Heading, Intro string
	Message, Error        string
	Action                string            // form action; empty: no form
	Hidden                map[string]string // hidden fields
	UserCode              *string           // device flow: a visible user-code field
	Email                 string
	Submit                string
}

// Messages shown to people. The credential error deliberately does not say
// whether the email exists.
const (
	msgBadCredentials = "The email or password is incorrect."
	msgExpired        = "This sign-in request has expired or was already used. Go back to the application and start again."
	msgBadUserCode    = "That code is not valid or has expired. Check the code shown on your device."
)

func (p *Provider) render(w http.ResponseWriter, status int, pg page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pageTemplate.Execute(w, pg); err != nil {
		p.log.Error("render page", "error", err)
	}
}

func (p *Provider) loginForm(w http.ResponseWriter, r *http.Request, id, clientID, email, errMsg string) page {
	return page{
		Title: "Sign in", Heading: "Sign in",
		Intro:  "Sign in to continue to " + clientID + ".",
		Error:  errMsg,
		Action: p.base + pathLogin,
		Hidden: map[string]string{"auth_request_id": id, "csrf_token": p.csrf.token(w, r, id)},
		Email:  email, Submit: "Sign in",
	}
}

func (p *Provider) loginPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	clientID, ok := p.store.pendingLogin(id)
	if !ok {
		p.render(w, http.StatusBadRequest, page{Title: "Sign in", Heading: "Sign in", Error: msgExpired})
		return
	}
	p.render(w, http.StatusOK, p.loginForm(w, r, id, clientID, "", ""))
}

func (p *Provider) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PostFormValue("auth_request_id")
	clientID, ok := p.store.pendingLogin(id)
	if !ok || !p.csrf.valid(r, id, r.PostFormValue("csrf_token")) {
		p.log.Warn("login refused: unknown auth request or bad CSRF token")
		p.render(w, http.StatusBadRequest, page{Title: "Sign in", Heading: "Sign in", Error: msgExpired})
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	u, ok := p.store.authenticate(email, r.PostFormValue("password"))
	if !ok {
		p.log.Info("login failed", "client_id", clientID)
		p.signInFailed(r, "login", clientID, email)
		p.render(w, http.StatusOK, p.loginForm(w, r, id, clientID, email, msgBadCredentials))
		return
	}
	if err := p.store.completeLogin(id, u); err != nil {
		p.render(w, http.StatusBadRequest, page{Title: "Sign in", Heading: "Sign in", Error: msgExpired})
		return
	}
	p.log.Info("login succeeded", "client_id", clientID, "sub", u.sub, "email", u.Email)
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusSeeOther)
}

func (p *Provider) deviceForm(w http.ResponseWriter, r *http.Request, userCode, email, errMsg string) page {
	return page{
		Title: "Connect a device", Heading: "Connect a device",
		Intro:    "Enter the code shown on your device, then sign in to allow it access.",
		Error:    errMsg,
		Action:   p.base + pathDevice,
		Hidden:   map[string]string{"csrf_token": p.csrf.token(w, r, "device")},
		UserCode: &userCode, Email: email, Submit: "Sign in and allow",
	}
}

func (p *Provider) devicePage(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, p.deviceForm(w, r, r.URL.Query().Get("user_code"), "", ""))
}

func (p *Provider) deviceSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	code := strings.ToUpper(strings.TrimSpace(r.PostFormValue("user_code")))
	email := strings.TrimSpace(r.PostFormValue("email"))
	if !p.csrf.valid(r, "device", r.PostFormValue("csrf_token")) {
		p.log.Warn("device approval refused: bad CSRF token")
		p.render(w, http.StatusBadRequest, p.deviceForm(w, r, code, email, msgExpired))
		return
	}
	clientID, _, ok := p.store.pendingDevice(code)
	u, authOK := p.store.authenticate(email, r.PostFormValue("password"))
	switch {
	case !ok:
		p.render(w, http.StatusOK, p.deviceForm(w, r, code, email, msgBadUserCode))
		return
	case !authOK:
		p.log.Info("device login failed", "client_id", clientID)
		p.signInFailed(r, "device", clientID, email)
		p.render(w, http.StatusOK, p.deviceForm(w, r, code, email, msgBadCredentials))
		return
	}
	if err := p.store.completeDevice(code, u); err != nil {
		p.render(w, http.StatusOK, p.deviceForm(w, r, code, email, msgBadUserCode))
		return
	}
	p.log.Info("device approved", "client_id", clientID, "sub", u.sub, "email", u.Email)
	p.render(w, http.StatusOK, page{Title: "Device connected", Heading: "Device connected",
		Message: "You are signed in on your device as " + u.Email + ". You can close this page."})
}

func (p *Provider) loggedOut(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, page{Title: "Signed out", Heading: "Signed out", Message: "You are signed out."})
}

// signInFailed tells the server's hook of a refused password.
func (p *Provider) signInFailed(r *http.Request, flow, clientID, typed string) {
	if p.cfg.OnSignInFailure != nil {
		p.cfg.OnSignInFailure(r, SignInFailure{Flow: flow, ClientID: clientID, User: p.store.known(typed)})
	}
}
