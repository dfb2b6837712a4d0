package cliauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponse bounds every response body read.
const maxResponse = 1 << 20

// OAuthError is an error response from a token, device authorization or
// revocation endpoint (RFC 6749 §5.2). It carries the endpoint's code and
// description, never the request.
type OAuthError struct {
	Status      int
	Code        string
	Description string
}

func (e *OAuthError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("%s (%s)", e.Code, e.Description)
	}
	return e.Code
}

// Sentinel outcomes of the sign-in flows.
var (
	ErrExpired = errors.New("the sign-in request expired before it was approved")
	ErrDenied  = errors.New("the sign-in request was denied")
)

// NewHTTPClient is the client the flows use by default: it never follows
// redirects, so a token-bearing request goes only where it was sent.
func NewHTTPClient() *http.Client {
	return &http.Client{
		Timeout:       2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CheckURL validates a server or issuer URL and returns it without a
// trailing slash. Plain http is accepted only for loopback hosts: tokens
// would otherwise cross the network in clear.
func CheckURL(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s %q: must be an absolute http(s) URL without user info, query or fragment", what, raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%s %q: plain http is only allowed for loopback addresses; use https", what, raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Provider is the part of an OpenID Provider's discovery document the
// flows need.
type Provider struct {
	Issuer                      string   `json:"issuer"`
	AuthorizationEndpoint       string   `json:"authorization_endpoint"`
	TokenEndpoint               string   `json:"token_endpoint"`
	DeviceAuthorizationEndpoint string   `json:"device_authorization_endpoint"`
	CodeChallengeMethods        []string `json:"code_challenge_methods_supported"`
}

// Discover fetches issuer's OpenID configuration and checks that it names
// the same issuer (OpenID Connect Discovery §4.3).
func Discover(ctx context.Context, hc *http.Client, issuer string) (*Provider, error) {
	issuer = strings.TrimSuffix(issuer, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", issuer, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery at %s: %s", issuer, resp.Status)
	}
	var p Provider
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(&p); err != nil {
		return nil, fmt.Errorf("discovery at %s: not a JSON discovery document", issuer)
	}
	if strings.TrimSuffix(p.Issuer, "/") != issuer {
		return nil, fmt.Errorf("discovery at %s: the document names issuer %q", issuer, p.Issuer)
	}
	if p.TokenEndpoint == "" {
		return nil, fmt.Errorf("discovery at %s: no token endpoint", issuer)
	}
	return &p, nil
}

// Tokens is what the provider's token endpoint returned.
type Tokens struct {
	IDToken     Secret
	AccessToken Secret
	ExpiresIn   int64
}

type tokenJSON struct {
	IDToken     string `json:"id_token"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// postForm posts form to endpoint and decodes a 200 JSON body into out
// (nil: the body is ignored). Other statuses become *OAuthError. No error
// quotes the request or a success body: both may hold secrets.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: reading the response: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Code        string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) != nil || e.Code == "" {
			return &OAuthError{Status: resp.StatusCode, Code: "http_" + fmt.Sprint(resp.StatusCode), Description: endpoint + ": " + resp.Status}
		}
		return &OAuthError{Status: resp.StatusCode, Code: e.Code, Description: e.Description}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: the response is not the expected JSON", endpoint)
	}
	return nil
}

// clock is replaced in tests.
type clock struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func realClock() clock {
	return clock{now: time.Now, sleep: func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}}
}
