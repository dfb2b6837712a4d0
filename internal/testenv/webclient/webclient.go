// Package webclient is a cookie-keeping HTTP client that behaves like a
// browser without JavaScript, for tests of the dashboard's sign-in: it
// shows every redirect, and fills in and submits an identity provider's
// real login form (the embedded IdP's or Keycloak's). Import it only from
// tests.
package webclient

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is one browser profile: its own cookie jar.
type Browser struct {
	t    testing.TB
	Base string
	c    *http.Client
	Jar  *cookiejar.Jar
}

// New returns a browser whose relative paths resolve against base.
func New(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{t: t, Base: base, Jar: jar, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Do sends one request (no redirect followed) and returns the response
// with its body read.
func (b *Browser) Do(method, path string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	b.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = b.Base + path
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

// Follow GETs u and follows redirects, returning the last response.
func (b *Browser) Follow(u string) (*http.Response, string) {
	b.t.Helper()
	for range 20 {
		resp, body := b.Do(http.MethodGet, u, nil, nil)
		loc := resp.Header.Get("Location")
		if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
			return resp, body
		}
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			b.t.Fatalf("redirect to %q: %v", loc, err)
		}
		u = next.String()
	}
	b.t.Fatal("too many redirects")
	return nil, ""
}

var (
	formTag = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	attr    = regexp.MustCompile(`(?is)\b(action|name|value|type)\s*=\s*"([^"]*)"`)
	input   = regexp.MustCompile(`(?is)<input\b[^>]*>`)
)

// SubmitLogin fills the page's login form (the first form with a password
// field) with fields, keeping its hidden inputs, posts it and follows the
// redirects that come back.
func (b *Browser) SubmitLogin(page *http.Response, body string, fields map[string]string) (*http.Response, string) {
	b.t.Helper()
	start := strings.Index(body, `type="password"`)
	if start < 0 {
		b.t.Fatalf("%s is not a login page", page.Request.URL)
	}
	tags := formTag.FindAllStringIndex(body[:start], -1)
	if len(tags) == 0 {
		b.t.Fatalf("%s has no form", page.Request.URL)
	}
	open := body[tags[len(tags)-1][0]:tags[len(tags)-1][1]]
	end := strings.Index(body[start:], "</form>")
	if end < 0 {
		end = len(body) - start
	}
	action := ""
	for _, m := range attr.FindAllStringSubmatch(open, -1) {
		if strings.EqualFold(m[1], "action") {
			action = html.UnescapeString(m[2])
		}
	}
	form := url.Values{}
	for _, in := range input.FindAllString(body[tags[len(tags)-1][0]:start+end], -1) {
		kv := map[string]string{}
		for _, m := range attr.FindAllStringSubmatch(in, -1) {
			kv[strings.ToLower(m[1])] = html.UnescapeString(m[2])
		}
		if strings.EqualFold(kv["type"], "hidden") && kv["name"] != "" {
			form.Set(kv["name"], kv["value"])
		}
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	target, err := page.Request.URL.Parse(action)
	if err != nil {
		b.t.Fatalf("form action %q: %v", action, err)
	}
	resp, rbody := b.Do(http.MethodPost, target.String(), strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		next, _ := resp.Request.URL.Parse(loc)
		return b.Follow(next.String())
	}
	return resp, rbody
}

// GetJSON GETs path and decodes the answer into v (when not nil).
func (b *Browser) GetJSON(path string, v any) int {
	b.t.Helper()
	resp, body := b.Do(http.MethodGet, path, nil, nil)
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			b.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
	return resp.StatusCode
}

// SendJSON sends in as JSON with the X-CSRF-Token header (when csrf is
// set) and decodes the answer into out (when not nil).
func (b *Browser) SendJSON(method, path, csrf string, in, out any) int {
	b.t.Helper()
	var body io.Reader
	if in != nil {
		data, _ := json.Marshal(in)
		body = strings.NewReader(string(data))
	}
	hdr := map[string]string{"Content-Type": "application/json"}
	if csrf != "" {
		hdr["X-CSRF-Token"] = csrf
	}
	resp, data := b.Do(method, path, body, hdr)
	if out != nil {
		if err := json.Unmarshal([]byte(data), out); err != nil {
			b.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

// Cookie returns the named cookie the browser would send to Base.
func (b *Browser) Cookie(name string) *http.Cookie {
	u, _ := url.Parse(b.Base + "/")
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SetCookie puts a cookie for Base into the jar (tests of tampering and
// replay).
func (b *Browser) SetCookie(c *http.Cookie) {
	u, _ := url.Parse(b.Base + "/")
	b.Jar.SetCookies(u, []*http.Cookie{c})
}
