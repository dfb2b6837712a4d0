package cliauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// CallbackPath is the loopback redirect URI's path; register
// http://127.0.0.1/callback with the provider (any port is accepted for
// loopback redirects, RFC 8252 §7.3).
const CallbackPath = "/callback"

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("cliauth: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// pkceS256 is RFC 7636's S256 challenge of verifier.
func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// callback is what arrived at the redirect URI.
type callback struct {
	code string
	err  error
}

// BrowserLogin runs the authorization code flow with PKCE (S256) through
// the person's browser, receiving the code on a loopback redirect URI
// http://127.0.0.1:<random port>/callback (RFC 8252). It prints the URL to
// open and waits until the provider redirects back or ctx ends. The state
// parameter is checked; redirects that do not carry it are answered with
// 400 and ignored.
func (c *Client) BrowserLogin(ctx context.Context) (Tokens, error) {
	p := c.Provider
	if p.AuthorizationEndpoint == "" {
		return Tokens{}, fmt.Errorf("the issuer %s has no authorization endpoint: use --flow device", p.Issuer)
	}
	if len(p.CodeChallengeMethods) > 0 && !slices.Contains(p.CodeChallengeMethods, "S256") {
		return Tokens{}, fmt.Errorf("the issuer %s does not support PKCE with S256", p.Issuer)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Tokens{}, fmt.Errorf("loopback listener: %w", err)
	}
	redirectURI := "http://" + ln.Addr().String() + CallbackPath
	state, nonce, verifier := randomString(32), randomString(32), randomString(32)

	results := make(chan callback, 1)
	srv := &http.Server{Handler: callbackHandler(state, results), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()

	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.ClientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {c.scope()},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {pkceS256(verifier)},
		"code_challenge_method": {"S256"},
	}
	sep := "?"
	if strings.Contains(p.AuthorizationEndpoint, "?") {
		sep = "&"
	}
	authURL := p.AuthorizationEndpoint + sep + q.Encode()
	fmt.Fprintf(c.prompt(), "To sign in, open this URL in your browser:\n  %s\nWaiting for the browser to return to %s ...\n", authURL, redirectURI)
	if c.OpenURL != nil {
		if err := c.OpenURL(authURL); err != nil {
			fmt.Fprintf(c.prompt(), "(could not open a browser: %v)\n", err)
		}
	}

	var cb callback
	select {
	case <-ctx.Done():
		return Tokens{}, ctx.Err()
	case cb = <-results:
	}
	if cb.err != nil {
		return Tokens{}, cb.err
	}
	var tj tokenJSON
	err = postForm(ctx, c.http(), p.TokenEndpoint, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {cb.code},
		"redirect_uri":  {redirectURI},
		"client_id":     {c.ClientID},
		"code_verifier": {verifier},
	}, &tj)
	if err != nil {
		return Tokens{}, fmt.Errorf("authorization code exchange: %w", err)
	}
	if tj.IDToken == "" {
		return Tokens{}, errors.New("the token response has no ID token: is 'openid' among the scopes?")
	}
	// The server verifies the signature; the nonce binds the token to this
	// request, so a token injected from elsewhere is refused here.
	if got := unverifiedClaim(tj.IDToken, "nonce"); subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return Tokens{}, errors.New("the ID token's nonce does not match this sign-in request")
	}
	return Tokens{IDToken: Secret(tj.IDToken), AccessToken: Secret(tj.AccessToken), ExpiresIn: tj.ExpiresIn}, nil
}

var donePage = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tipgate sign-in</title></head>
<body><h1>{{.Heading}}</h1><p>{{.Message}}</p></body></html>
`))

// callbackHandler answers the provider's redirect. The first request with
// the right state ends the flow (with a code or the provider's error);
// requests with another state are refused and do not.
func callbackHandler(state string, results chan<- callback) http.Handler {
	delivered := make(chan struct{}, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+CallbackPath, func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'")
		q := r.URL.Query()
		page := func(status int, heading, msg string) {
			w.WriteHeader(status)
			donePage.Execute(w, struct{ Heading, Message string }{heading, msg})
		}
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(http.StatusBadRequest, "Sign-in not accepted", "This response does not belong to the sign-in in progress. Start again from the command line.")
			return
		}
		select {
		case delivered <- struct{}{}:
		default:
			page(http.StatusBadRequest, "Already signed in", "This sign-in was already completed. You can close this page.")
			return
		}
		var cb callback
		if e := q.Get("error"); e != "" {
			cb.err = &OAuthError{Code: e, Description: q.Get("error_description")}
			if e == "access_denied" {
				cb.err = fmt.Errorf("%w: %w", ErrDenied, cb.err)
			}
			page(http.StatusOK, "Sign-in failed", "The identity provider reported: "+e+". Return to the command line.")
		} else if cb.code = q.Get("code"); cb.code == "" {
			cb.err = errors.New("the provider redirected back without a code")
			page(http.StatusBadRequest, "Sign-in failed", "No authorization code arrived. Return to the command line.")
		} else {
			page(http.StatusOK, "Signed in", "You are signed in to tipgate on the command line. You can close this page.")
		}
		results <- cb
	})
	return mux
}

// unverifiedClaim reads a string claim from a JWT's payload without
// checking the signature (the tipgate server does that).
func unverifiedClaim(jwt, name string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims map[string]any
	if json.Unmarshal(b, &claims) != nil {
		return ""
	}
	s, _ := claims[name].(string)
	return s
}
