package idp

import (
	"log/slog"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// scopeGroups may be requested explicitly; the groups claim is issued with
// every ID token and userinfo response regardless, as Keycloak's demo realm does.
const scopeGroups = "groups"

// authRequest is a pending or completed authorization request; it
// implements op.AuthRequest. Fields are guarded by storage.mu.
type authRequest struct {
	id            string
	created       time.Time
	clientID      string
	redirectURI   string
	state, nonce  string
	scopes        []string
	responseType  oidc.ResponseType
	responseMode  oidc.ResponseMode
	codeChallenge *oidc.CodeChallenge

	subject  string
	done     bool
	authTime time.Time
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.codeChallenge }
func (a *authRequest) GetNonce() string                      { return a.nonce }
func (a *authRequest) GetRedirectURI() string                { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType    { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode    { return a.responseMode }
func (a *authRequest) GetScopes() []string                   { return a.scopes }
func (a *authRequest) GetState() string                      { return a.state }
func (a *authRequest) GetSubject() string                    { return a.subject }
func (a *authRequest) Done() bool                            { return a.done }
func (a *authRequest) GetAMR() []string {
	if a.done {
		return []string{"pwd"}
	}
	return nil
}

// LogValue keeps the library's error logs free of the state, nonce and
// PKCE challenge.
func (a *authRequest) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", a.clientID), slog.Any("scopes", a.scopes), slog.String("response_type", string(a.responseType)))
}

// accessToken is the server-side record behind an opaque access token.
type accessToken struct {
	id, clientID, subject, refreshID string
	audience, scopes                 []string
	expires                          time.Time
}

// refreshToken is a stored refresh token; the map key is the token itself.
type refreshToken struct {
	id, clientID, subject, accessID string
	audience, scopes, amr           []string
	authTime, expires               time.Time
}

// refreshRequest implements op.RefreshTokenRequest over a copy of a stored
// refresh token.
type refreshRequest struct{ t refreshToken }

var _ op.RefreshTokenRequest = (*refreshRequest)(nil)

func (r *refreshRequest) GetAMR() []string                 { return r.t.amr }
func (r *refreshRequest) GetAudience() []string            { return r.t.audience }
func (r *refreshRequest) GetAuthTime() time.Time           { return r.t.authTime }
func (r *refreshRequest) GetClientID() string              { return r.t.clientID }
func (r *refreshRequest) GetScopes() []string              { return r.t.scopes }
func (r *refreshRequest) GetSubject() string               { return r.t.subject }
func (r *refreshRequest) SetCurrentScopes(scopes []string) { r.t.scopes = scopes }

// passwordRequest is a resource-owner password grant, authenticated by the
// wrapper in front of the token endpoint; it implements op.IDTokenRequest.
type passwordRequest struct {
	clientID, subject string
	scopes            []string
	authTime          time.Time
}

var _ op.IDTokenRequest = (*passwordRequest)(nil)

func (r *passwordRequest) GetAMR() []string       { return []string{"pwd"} }
func (r *passwordRequest) GetAudience() []string  { return []string{r.clientID} }
func (r *passwordRequest) GetAuthTime() time.Time { return r.authTime }
func (r *passwordRequest) GetClientID() string    { return r.clientID }
func (r *passwordRequest) GetScopes() []string    { return r.scopes }
func (r *passwordRequest) GetSubject() string     { return r.subject }

// opClient adapts a configured Client to op.Client.
type opClient struct {
	c        Client
	loginURL func(authRequestID string) string
}

var _ op.Client = (*opClient)(nil)

func (c *opClient) GetID() string                    { return c.c.ID }
func (c *opClient) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string { return c.c.PostLogoutRedirectURIs }
func (c *opClient) LoginURL(id string) string        { return c.loginURL(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c *opClient) IDTokenLifetime() time.Duration { return idTokenLifetime }
func (c *opClient) DevMode() bool                  { return false }
func (c *opClient) ClockSkew() time.Duration       { return 0 }
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) IsScopeAllowed(scope string) bool { return scope == scopeGroups }

// IDTokenUserinfoClaimsAssertion is true so ID tokens carry the profile and
// email claims even when an access token is issued alongside.
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (c *opClient) ApplicationType() op.ApplicationType {
	if c.c.Public {
		return op.ApplicationTypeNative // loopback redirects on any port (RFC 8252)
	}
	return op.ApplicationTypeWeb
}

func (c *opClient) AuthMethod() oidc.AuthMethod {
	if c.c.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *opClient) GrantTypes() []oidc.GrantType {
	var gs []oidc.GrantType
	for _, g := range c.c.grants() {
		if g != GrantPassword {
			gs = append(gs, oidc.GrantType(g))
		}
	}
	return gs
}

func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return slices.Clone[[]string]
}

func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return slices.Clone[[]string]
}
