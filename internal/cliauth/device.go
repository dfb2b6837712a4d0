package cliauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// GrantDeviceCode is RFC 8628's grant type.
const GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

const (
	defaultInterval = 5 * time.Second // RFC 8628 §3.2
	slowDownStep    = 5 * time.Second // RFC 8628 §3.5
)

type deviceJSON struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// DeviceLogin runs the device authorization grant (RFC 8628): it asks for
// a device code, tells the person where to approve it, and polls the token
// endpoint every interval (longer after slow_down) until the request is
// approved, denied or expires, or ctx ends.
func (c *Client) DeviceLogin(ctx context.Context) (Tokens, error) {
	p := c.Provider
	if p.DeviceAuthorizationEndpoint == "" {
		return Tokens{}, fmt.Errorf("the issuer %s does not offer the device authorization grant: use --flow browser", p.Issuer)
	}
	var d deviceJSON
	err := postForm(ctx, c.http(), p.DeviceAuthorizationEndpoint, url.Values{"client_id": {c.ClientID}, "scope": {c.scope()}}, &d)
	if err != nil {
		return Tokens{}, fmt.Errorf("device authorization: %w", err)
	}
	if d.DeviceCode == "" || d.UserCode == "" || d.VerificationURI == "" {
		return Tokens{}, errors.New("device authorization: the response lacks device_code, user_code or verification_uri")
	}
	clk := c.clk()
	expiresIn := time.Duration(d.ExpiresIn) * time.Second
	if expiresIn <= 0 {
		expiresIn = 10 * time.Minute
	}
	deadline := clk.now().Add(expiresIn)
	interval := time.Duration(d.Interval) * time.Second
	if interval <= 0 {
		interval = defaultInterval
	}
	w := c.prompt()
	fmt.Fprintf(w, "To sign in, open %s and enter the code %s\n", d.VerificationURI, d.UserCode)
	if d.VerificationURIComplete != "" {
		fmt.Fprintf(w, "  (or open %s)\n", d.VerificationURIComplete)
	}
	fmt.Fprintf(w, "Waiting for approval (the code expires in %s)...\n", expiresIn.Round(time.Second))

	form := url.Values{"grant_type": {GrantDeviceCode}, "device_code": {d.DeviceCode}, "client_id": {c.ClientID}}
	for {
		if !clk.now().Add(interval).Before(deadline) {
			return Tokens{}, ErrExpired
		}
		if err := clk.sleep(ctx, interval); err != nil {
			return Tokens{}, err
		}
		var tj tokenJSON
		err := postForm(ctx, c.http(), p.TokenEndpoint, form, &tj)
		var oe *OAuthError
		switch {
		case err == nil:
			if tj.IDToken == "" {
				return Tokens{}, errors.New("the token response has no ID token: is 'openid' among the scopes?")
			}
			return Tokens{IDToken: Secret(tj.IDToken), AccessToken: Secret(tj.AccessToken), ExpiresIn: tj.ExpiresIn}, nil
		case ctx.Err() != nil:
			return Tokens{}, ctx.Err()
		case !errors.As(err, &oe):
			return Tokens{}, fmt.Errorf("device token: %w", err)
		case oe.Code == "authorization_pending":
		case oe.Code == "slow_down":
			interval += slowDownStep
		case oe.Code == "access_denied":
			return Tokens{}, ErrDenied
		case oe.Code == "expired_token":
			return Tokens{}, ErrExpired
		default:
			return Tokens{}, fmt.Errorf("device token: %w", err)
		}
	}
}
