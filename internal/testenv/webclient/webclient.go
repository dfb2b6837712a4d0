// Package webclient is a cookie-keeping HTTP client that behaves like a
// browser without JavaScript, for tests of the dashboard's sign-in: it
// shows every redirect, and fills in and submits an identity provider's
// real login form (the embedded IdP's or Keycloak's). Import it only from
// tests.
package webclient

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
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

// Form is one <form> of a page.
type Form struct {
	Action, Method string
	// Fields are the named inputs with their values (hidden ones included).
	Fields url.Values
	// Inputs are every input's attributes, in page order.
	Inputs []map[string]string
	// Labelled are the ids some <label for> names.
	Labelled map[string]bool
}

// HasPassword reports whether the form asks for a password.
func (f Form) HasPassword() bool {
	for _, in := range f.Inputs {
		if strings.EqualFold(in["type"], "password") {
			return true
		}
	}
	return false
}

// ParseForms reads a page's forms with encoding/xml in HTML mode.
func ParseForms(body string) ([]Form, error) {
	var forms []Form
	labelled := map[string]bool{}
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict, d.AutoClose, d.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attrs := map[string]string{}
		for _, a := range se.Attr {
			attrs[strings.ToLower(a.Name.Local)] = a.Value
		}
		switch strings.ToLower(se.Name.Local) {
		case "form":
			forms = append(forms, Form{Action: attrs["action"], Method: attrs["method"], Fields: url.Values{}, Labelled: labelled})
		case "input":
			if len(forms) == 0 {
				continue
			}
			f := &forms[len(forms)-1]
			f.Inputs = append(f.Inputs, attrs)
			if attrs["name"] != "" {
				f.Fields.Set(attrs["name"], attrs["value"])
			}
		case "label":
			labelled[attrs["for"]] = true
		}
	}
	return forms, nil
}

// FirstForm is the page's first form; the test fails if there is none.
func FirstForm(t testing.TB, body string) Form {
	t.Helper()
	forms, err := ParseForms(body)
	if err != nil {
		t.Fatalf("parse HTML: %v\n%s", err, body)
	}
	if len(forms) == 0 || forms[0].Action == "" {
		t.Fatalf("no form in page:\n%s", body)
	}
	return forms[0]
}

// Submit fills form with fill and posts it as a browser would, relative
// to the page it came from; it does not follow the answer's redirect.
func (b *Browser) Submit(page *http.Response, form Form, fill map[string]string) (*http.Response, string) {
	b.t.Helper()
	fields := url.Values{}
	for k, v := range form.Fields {
		fields[k] = v
	}
	for k, v := range fill {
		fields.Set(k, v)
	}
	target, err := page.Request.URL.Parse(form.Action)
	if err != nil {
		b.t.Fatalf("form action %q: %v", form.Action, err)
	}
	return b.Do(http.MethodPost, target.String(), strings.NewReader(fields.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// SubmitLogin fills the page's login form (the first form with a password
// field) with fields, keeping its hidden inputs, posts it and follows the
// redirects that come back.
func (b *Browser) SubmitLogin(page *http.Response, body string, fields map[string]string) (*http.Response, string) {
	b.t.Helper()
	forms, err := ParseForms(body)
	if err != nil {
		b.t.Fatalf("%s: parse HTML: %v", page.Request.URL, err)
	}
	i := slices.IndexFunc(forms, Form.HasPassword)
	if i < 0 {
		b.t.Fatalf("%s is not a login page", page.Request.URL)
	}
	resp, rbody := b.Submit(page, forms[i], fields)
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
