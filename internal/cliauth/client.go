package cliauth

import (
	"io"
	"net/http"
	"strings"
)

// DefaultScopes are requested when Client.Scopes is empty: groups carries
// the person's IdP groups, which tipgate maps to roles.
var DefaultScopes = []string{"openid", "email", "profile", "groups"}

// Client signs a person in at one provider as one public client.
type Client struct {
	Provider *Provider
	ClientID string
	Scopes   []string
	// HTTP defaults to NewHTTPClient().
	HTTP *http.Client
	// Prompt receives the instructions for the person (the verification
	// URI and user code, or the URL to open). Defaults to io.Discard.
	Prompt io.Writer
	// OpenURL, when set, is called with the authorization URL of the
	// browser flow (e.g. to start a browser) after it is printed.
	OpenURL func(string) error

	clock clock
}

func (c *Client) http() *http.Client {
	if c.HTTP == nil {
		return NewHTTPClient()
	}
	return c.HTTP
}

func (c *Client) prompt() io.Writer {
	if c.Prompt == nil {
		return io.Discard
	}
	return c.Prompt
}

func (c *Client) scope() string {
	if len(c.Scopes) == 0 {
		return strings.Join(DefaultScopes, " ")
	}
	return strings.Join(c.Scopes, " ")
}

func (c *Client) clk() clock {
	if c.clock.now == nil {
		return realClock()
	}
	return c.clock
}
