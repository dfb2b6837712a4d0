package ssooidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/identity"
)

// Grant types.
const (
	GrantJWTBearer     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantRefreshToken  = "refresh_token"
	GrantAuthCode      = "authorization_code"
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

	tokenTypeAccess = "urn:ietf:params:oauth:token-type:access_token"
	scopeContext    = "sts:identity_context"
)

// grant authenticates the user by the grant's own means; what it returns
// has not been issued yet (scopes and expiry are set by issue).
func (h *Handler) grant(ctx context.Context, app *Application, in request) (tempcreds.Grant, *oauthError) {
	switch in.GrantType {
	case GrantJWTBearer:
		return h.jwtBearer(ctx, app, in)
	case GrantRefreshToken:
		return h.refresh(ctx, app, in)
	case GrantAuthCode, GrantTokenExchange:
		return tempcreds.Grant{}, oauth("unsupported_grant_type", "tipgate supports only the jwt-bearer and refresh_token grants")
	}
	return tempcreds.Grant{}, oauth("unsupported_grant_type", "Unsupported grant type")
}

func (h *Handler) jwtBearer(ctx context.Context, app *Application, in request) (tempcreds.Grant, *oauthError) {
	if in.Assertion == "" {
		return tempcreds.Grant{}, oauth("invalid_request", "assertion is required for the jwt-bearer grant")
	}
	p, err := h.ver.Verify(ctx, in.Assertion)
	if err != nil {
		if identity.CodeOf(err) == identity.CodeInternal {
			return tempcreds.Grant{}, oauth("server_error", "the assertion could not be verified")
		}
		msg := "the assertion is invalid"
		var ie *identity.Error
		if errors.As(err, &ie) {
			msg += ": " + ie.Msg
		}
		return tempcreds.Grant{}, oauth("invalid_grant", msg)
	}
	if !app.trusts(p.Issuer) {
		return tempcreds.Grant{}, oauth("invalid_grant", "the assertion's issuer is not a trusted token issuer of this application")
	}
	claims, cerr := verifiedClaims(in.Assertion)
	if cerr != nil {
		return tempcreds.Grant{}, oauth("invalid_grant", "the assertion's claims could not be read")
	}
	if !slices.ContainsFunc(claims.audiences(), func(a string) bool { return slices.Contains(app.Audiences, a) }) {
		return tempcreds.Grant{}, oauth("invalid_grant", "the assertion's audience is not trusted by this application")
	}
	mapped, ok := claims.str(app.UserClaim)
	if !ok {
		return tempcreds.Grant{}, oauth("invalid_grant", "the assertion has no usable \""+app.UserClaim+"\" claim to map to a user")
	}
	email := p.Email
	if app.UserClaim == "email" {
		if claims.emailUnverified() {
			return tempcreds.Grant{}, oauth("invalid_grant", "the issuer marks the assertion's email as unverified")
		}
		email = mapped
	}
	sub, _ := claims.str("sub")
	id := tempcreds.IdentityOf(p, sub)
	id.User, id.Email = p.Namespace+":"+mapped, email
	return tempcreds.Grant{Identity: id, Application: app.ARN}, nil
}

func (h *Handler) refresh(ctx context.Context, app *Application, in request) (tempcreds.Grant, *oauthError) {
	if in.RefreshToken == "" {
		return tempcreds.Grant{}, oauth("invalid_request", "refreshToken is required for the refresh_token grant")
	}
	g, err := h.sealer.OpenRefreshToken(in.RefreshToken, h.now())
	switch {
	case errors.Is(err, tempcreds.ErrExpired):
		return tempcreds.Grant{}, oauth("expired_token", "the refresh token has expired")
	case err != nil:
		return tempcreds.Grant{}, oauth("invalid_grant", "the refresh token is invalid")
	}
	if g.Application != app.ARN {
		return tempcreds.Grant{}, oauth("invalid_grant", "the refresh token was issued to another application")
	}
	return g, nil
}

// issue settles scopes and lifetimes and seals and signs the tokens.
func (h *Handler) issue(ctx context.Context, app *Application, g tempcreds.Grant, requested []string) (*Response, *oauthError) {
	allowed := app.Scopes
	refreshing := g.Expiry != 0
	if refreshing {
		allowed = g.Scopes
	}
	scopes := slices.Clone(allowed)
	if len(requested) > 0 {
		for _, s := range requested {
			if !slices.Contains(allowed, s) {
				return nil, oauth("invalid_scope", "Invalid scope requested")
			}
		}
		scopes = slices.Compact(slices.Sorted(slices.Values(requested)))
	}
	now := h.now()
	refresh := g
	if !refreshing {
		refresh.IssuedAt, refresh.Expiry = now.Unix(), now.Add(app.RefreshLifetime).Unix()
		refresh.Scopes = slices.Clone(allowed)
	}
	refresh.ID = ""
	g.Scopes, g.ID = scopes, ""
	g.IssuedAt, g.Expiry = now.Unix(), min(now.Add(app.TokenLifetime).Unix(), refresh.Expiry)
	if g.Expiry <= g.IssuedAt {
		return nil, oauth("expired_token", "the refresh token has expired")
	}
	access, err := h.sealer.SealAccessToken(g)
	if err != nil {
		return nil, h.internal(ctx, err)
	}
	refreshTok, err := h.sealer.SealRefreshToken(refresh)
	if err != nil {
		return nil, h.internal(ctx, err)
	}
	claims := map[string]any{
		"iss": h.cfg.Issuer, "sub": userID(g.Identity), "aud": app.ARN, "iat": g.IssuedAt, "exp": g.Expiry,
		"jti": jti(access), "email": g.Identity.Email, "username": strings.TrimPrefix(g.Identity.User, g.Identity.Namespace+":"),
	}
	out := &Response{AccessToken: access, TokenType: "Bearer", ExpiresIn: g.Expiry - g.IssuedAt, RefreshToken: refreshTok,
		IssuedTokenType: tokenTypeAccess, Scope: scopes}
	if slices.Contains(scopes, scopeContext) {
		assertion, err := h.sealer.SealContext(g)
		if err != nil {
			return nil, oauth("invalid_grant", "the user's identity does not fit a context assertion (too many groups)")
		}
		claims[scopeContext] = assertion
		out.AWSAdditionalDetails = &AWSAdditionalDetails{IdentityContext: assertion}
	}
	if out.IDToken, err = h.signer.Sign(claims); err != nil {
		return nil, h.internal(ctx, err)
	}
	return out, nil
}

func (h *Handler) internal(ctx context.Context, err error) *oauthError {
	h.log.ErrorContext(ctx, "sso-oidc: issuing tokens failed", "err", err)
	return oauth("server_error", "tokens could not be issued")
}

// userID is a stable Identity Center-style user id for an identity.
func userID(id tempcreds.Identity) string {
	sum := sha256.Sum256([]byte(id.Issuer + "\x00" + id.User))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// jti names a token without revealing it.
func jti(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:16])
}

// claimSet is the payload of an assertion the Verifier has accepted.
type claimSet map[string]json.RawMessage

func verifiedClaims(raw string) (claimSet, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, err
	}
	var c claimSet
	return c, json.Unmarshal(payload, &c)
}

// str returns a non-empty string claim without control characters.
func (c claimSet) str(name string) (string, bool) {
	var s string
	if json.Unmarshal(c[name], &s) != nil || strings.TrimSpace(s) == "" ||
		strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", false
	}
	return s, true
}

func (c claimSet) audiences() []string {
	var one string
	if json.Unmarshal(c["aud"], &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(c["aud"], &many)
	return many
}

func (c claimSet) emailUnverified() bool {
	return strings.EqualFold(strings.Trim(string(c["email_verified"]), `" `), "false")
}

// trusts reports whether iss is the application's trusted token issuer.
func (a *Application) trusts(iss string) bool {
	same := func(u string) bool { return strings.TrimSuffix(iss, "/") == strings.TrimSuffix(u, "/") }
	return same(a.Issuer) || slices.ContainsFunc(a.SameIssuers, same)
}
