package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// provider is the OpenID provider as its discovery document describes it.
type provider struct {
	Issuer        string `json:"issuer"`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

// discovery reads the provider's discovery document once it is first
// needed and keeps it: the provider may start after tipgate, and a failed
// read is retried at the next sign-in rather than failing startup.
type discovery struct {
	issuer string
	client *http.Client
	mu     sync.Mutex
	p      *provider
	failed time.Time
}

func (d *discovery) get(ctx context.Context) (*provider, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.p != nil {
		return d.p, nil
	}
	// One attempt per second at most: a provider that is down is not
	// hammered by every visitor.
	if time.Since(d.failed) < time.Second {
		return nil, fmt.Errorf("web: the identity provider %s is unreachable; try again shortly", d.issuer)
	}
	p, err := d.fetch(ctx)
	if err != nil {
		d.failed = time.Now()
		return nil, err
	}
	d.p = p
	return p, nil
}

func (d *discovery) fetch(ctx context.Context) (*provider, error) {
	u := strings.TrimSuffix(d.issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("web: discovery: %w", err)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("web: discovery of %s: %w", d.issuer, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("web: discovery of %s: HTTP %d", d.issuer, resp.StatusCode)
	}
	var p provider
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&p); err != nil {
		return nil, fmt.Errorf("web: discovery of %s: %w", d.issuer, err)
	}
	// OpenID Connect Discovery §4.3: the document must name the issuer it
	// was fetched for, or tokens could be accepted from the wrong one.
	if p.Issuer != d.issuer {
		return nil, fmt.Errorf("web: discovery of %s names issuer %q", d.issuer, p.Issuer)
	}
	for name, e := range map[string]string{"authorization_endpoint": p.Authorization, "token_endpoint": p.Token} {
		pu, err := url.Parse(e)
		if err != nil || !pu.IsAbs() || (pu.Scheme != "https" && pu.Scheme != "http") {
			return nil, fmt.Errorf("web: discovery of %s: %s %q is not an absolute URL", d.issuer, name, e)
		}
	}
	return &p, nil
}

// oauthConfig is the authorization-code client for the provider.
func (h *Handler) oauthConfig(p *provider) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if h.secret == "" {
		style = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID:     h.cfg.ClientID,
		ClientSecret: h.secret,
		Endpoint:     oauth2.Endpoint{AuthURL: p.Authorization, TokenURL: p.Token, AuthStyle: style},
		RedirectURL:  h.publicURL + CallbackPath,
		Scopes:       h.cfg.Scopes,
	}
}

// endSessionURL is the provider's RP-initiated logout URL (OpenID Connect
// RP-Initiated Logout 1.0), or "" when the provider has none.
func (h *Handler) endSessionURL(p *provider, idToken string) string {
	if p == nil || p.EndSession == "" {
		return ""
	}
	u, err := url.Parse(p.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", h.cfg.ClientID)
	q.Set("post_logout_redirect_uri", h.publicURL+SignedOutPath)
	u.RawQuery = q.Encode()
	return u.String()
}

// contextWithClient makes the oauth2 package use client (the server's
// transport, which reaches an embedded provider in-process).
func contextWithClient(ctx context.Context, client *http.Client) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, client)
}
