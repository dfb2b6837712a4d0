package idp

import (
	"net/http"
	"slices"
	"strings"

	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// tokenEndpoint puts the resource-owner password grant (RFC 6749 §4.3) in
// front of the library's token endpoint, which does not implement it. Every
// other grant, and the password grant when it is disabled, goes to the
// library unchanged (which answers unsupported_grant_type for "password").
func (p *Provider) tokenEndpoint(lib http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.cfg.EnablePasswordGrant || r.FormValue("grant_type") != GrantPassword {
			lib.ServeHTTP(w, r)
			return
		}
		resp, err := p.passwordGrant(r)
		if err != nil {
			op.RequestError(w, r, err, nil) // the library's OAuth error encoder
			return
		}
		httphelper.MarshalJSON(w, resp)
	})
}

// passwordGrant authenticates the client as the library would (HTTP Basic
// or client_secret in the form; none for public clients), checks that the
// client may use the grant, verifies the user against the users file and
// issues tokens through the library's own token creation.
func (p *Provider) passwordGrant(r *http.Request) (*oidc.AccessTokenResponse, error) {
	ctx := r.Context()
	clientID, authenticated, err := op.ClientIDFromRequest(r, p.op)
	if err != nil {
		// The library reports a wrong Basic secret as unauthorized_client;
		// RFC 6749 §5.2 calls it invalid_client.
		return nil, oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	client, err := p.store.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	c := client.(*opClient)
	if !c.c.Public && !authenticated {
		secret := r.PostFormValue("client_secret")
		if secret == "" || p.store.AuthorizeClientIDSecret(ctx, clientID, secret) != nil {
			return nil, oidc.ErrInvalidClient().WithDescription("client authentication failed")
		}
	}
	if !c.c.allows(GrantPassword) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("client may not use the password grant")
	}
	scopes, err := op.ValidateAuthReqScopes(c, strings.Fields(r.PostFormValue("scope")))
	if err != nil {
		return nil, err
	}
	u, ok := p.store.authenticate(r.PostFormValue("username"), r.PostFormValue("password"))
	if !ok {
		p.log.Info("password grant failed", "client_id", clientID)
		p.signInFailed(r, "password_grant", clientID, r.PostFormValue("username"))
		return nil, oidc.ErrInvalidGrant().WithDescription("invalid username or password")
	}
	req := &passwordRequest{clientID: clientID, subject: u.sub, scopes: scopes, authTime: p.store.now()}
	storage := p.op.Storage()
	var accessID, refresh string
	if c.c.allows(GrantRefreshToken) && slices.Contains(scopes, oidc.ScopeOfflineAccess) {
		accessID, refresh, _, err = storage.CreateAccessAndRefreshTokens(ctx, req, "")
	} else {
		accessID, _, err = storage.CreateAccessToken(ctx, req)
	}
	if err != nil {
		return nil, oidc.DefaultToServerError(err, "cannot create tokens")
	}
	access, err := op.CreateBearerToken(accessID, u.sub, p.op.Crypto())
	if err != nil {
		return nil, oidc.DefaultToServerError(err, "cannot create tokens")
	}
	resp := &oidc.AccessTokenResponse{
		AccessToken: access, RefreshToken: refresh, TokenType: oidc.BearerToken,
		ExpiresIn: uint64(accessTokenLifetime.Seconds()), Scope: scopes,
	}
	if slices.Contains(scopes, oidc.ScopeOpenID) {
		resp.IDToken, err = op.CreateIDToken(ctx, p.cfg.Issuer, req, c.IDTokenLifetime(), access, "", storage, c)
		if err != nil {
			return nil, oidc.DefaultToServerError(err, "cannot create tokens")
		}
	}
	p.log.Info("password grant succeeded", "client_id", clientID, "sub", u.sub, "email", u.Email)
	return resp, nil
}
