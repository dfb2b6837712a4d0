package cliauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Token exchange (RFC 8693) names used at the tipgate token endpoint.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
)

// Exchange trades an ID token for a tipgate session at server's
// /oauth2/token.
func Exchange(ctx context.Context, hc *http.Client, server string, idToken Secret, now time.Time) (Session, error) {
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	err := postForm(ctx, hc, server+"/oauth2/token", url.Values{
		"grant_type":         {GrantTokenExchange},
		"subject_token":      {idToken.Reveal()},
		"subject_token_type": {TokenTypeIDToken},
	}, &out)
	if err != nil {
		return Session{}, fmt.Errorf("token exchange at %s: %w", server, err)
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return Session{}, errors.New("token exchange: the response lacks access_token or expires_in")
	}
	return Session{Server: server, Token: Secret(out.AccessToken), Expiry: now.Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

// Revoke ends a session at its server (RFC 7009). The server answers 200
// for tokens that are already invalid.
func Revoke(ctx context.Context, hc *http.Client, sess Session) error {
	if err := postForm(ctx, hc, sess.Server+"/oauth2/revoke", url.Values{"token": {sess.Token.Reveal()}}, nil); err != nil {
		return fmt.Errorf("revoke at %s: %w", sess.Server, err)
	}
	return nil
}
