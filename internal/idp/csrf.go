package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
)

const csrfCookie = "tipgate_idp_csrf"

// csrfGuard protects the login and device forms. Each browser gets a random
// cookie (HttpOnly, SameSite=Lax); each form carries
// HMAC(key, cookie || purpose), where purpose is the auth request id or
// "device". A cross-site POST has neither the cookie value nor the key.
type csrfGuard struct {
	key    []byte
	secure bool
	path   string
}

// token returns the form token for purpose, setting the cookie if needed.
func (g csrfGuard) token(w http.ResponseWriter, r *http.Request, purpose string) string {
	secret := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 43 {
		secret = c.Value
	} else {
		secret = randomToken()
		http.SetCookie(w, &http.Cookie{
			Name: csrfCookie, Value: secret, Path: g.path,
			HttpOnly: true, Secure: g.secure, SameSite: http.SameSiteLaxMode,
		})
	}
	return g.mac(secret, purpose)
}

// valid reports whether got is the token for this browser and purpose.
func (g csrfGuard) valid(r *http.Request, purpose, got string) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" || got == "" {
		return false
	}
	return hmac.Equal([]byte(g.mac(c.Value, purpose)), []byte(got))
}

func (g csrfGuard) mac(secret, purpose string) string {
	m := hmac.New(sha256.New, g.key)
	m.Write([]byte(secret))
	m.Write([]byte{0})
	m.Write([]byte(purpose))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
