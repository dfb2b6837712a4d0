package web

import (
	"html/template"
	"net/http"
	"net/url"
)

// The sign-in and signed-out pages are rendered by the server: they must
// work without the app's script and before any session exists.
var pages = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} — tipgate</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app/assets/app.css">
<script src="/app/assets/signin.js" defer></script>
</head>
<body class="auth-page"{{if .Auto}} data-auto="1"{{end}}>
<main class="auth-card">
<h1>{{.Title}}</h1>
{{if .Message}}<p class="auth-message" data-testid="signin-message" role="status">{{.Message}}</p>{{end}}
{{if .SignedOut}}<p data-testid="signed-out">You have signed out of tipgate and of your identity provider.</p>{{end}}
<p>{{.Lead}}</p>
<a class="button" data-testid="signin-button" href="{{.LoginURL}}">{{.Button}}</a>
</main>
</body>
</html>
`))

type pageData struct {
	Title, Message, Lead, Button, LoginURL string
	SignedOut                              bool
	// Auto: the page's script goes on to the identity provider at once
	// (carrying the link's #view); the button is the fallback without
	// script.
	Auto bool
}

func (h *Handler) renderPage(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := pages.Execute(w, d); err != nil {
		h.log.Error("dashboard page", "err", err)
	}
}

func loginURL(ret string) string { return LoginPath + "?return=" + url.QueryEscape(safeReturn(ret)) }

func (h *Handler) renderSignIn(w http.ResponseWriter, status int, ret, message string) {
	h.renderPage(w, status, pageData{Title: "Sign in to tipgate", Message: message, Button: "Sign in",
		Lead: "Sign in with your organisation's account to see the sales data you are allowed to see.", LoginURL: loginURL(ret)})
}

// renderSignInAuto is the plain sign-in, with nothing to read: it goes
// straight on to the identity provider, as SSO sign-ins do. It is a page
// and not a redirect because the view a link names is in its #hash, which
// only the browser knows.
func (h *Handler) renderSignInAuto(w http.ResponseWriter, ret string) {
	h.renderPage(w, http.StatusOK, pageData{Title: "Sign in to tipgate", Button: "Continue to sign-in", Auto: true,
		Lead: "Taking you to your organisation's sign-in…", LoginURL: loginURL(ret)})
}

func (h *Handler) serveSignIn(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	msg := ""
	switch q.Get("reason") {
	case "expired":
		msg = "Your session has expired. Please sign in again."
	case "signed_out":
		msg = "You are signed out."
	case "not_assigned":
		msg = notAssignedMessage
	case "error":
		msg = "Something went wrong with your session. Please sign in again."
	}
	if msg == "" {
		h.renderSignInAuto(w, q.Get("return"))
		return
	}
	h.renderSignIn(w, http.StatusOK, q.Get("return"), msg)
}

func (h *Handler) serveSignedOut(w http.ResponseWriter, r *http.Request) {
	h.renderPage(w, http.StatusOK, pageData{Title: "Signed out", SignedOut: true, Button: "Sign in again",
		Lead: "Close this window, or sign in again.", LoginURL: loginURL(AppPath)})
}
