package tokenapi

import (
	"net/http"
	"net/url"
)

// OAuth URNs used by the grants.
const (
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantJWTBearer     = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	TokenTypeIDToken   = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT       = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeAccess    = "urn:ietf:params:oauth:token-type:access_token"
)

// grant is one grant type's hooks in the token pipeline. A grant only
// extracts the external token and checks its own parameters; verifying
// that token and issuing the session are the pipeline's, so no grant can
// leave them out.
type grant struct {
	// subject returns the external token to verify.
	subject func(v url.Values, a *API) (string, *oauthError)
	// issuedTokenType is set in the response (RFC 8693 requires it).
	issuedTokenType bool
}

func (a *API) grants() map[string]grant {
	return map[string]grant{
		GrantTokenExchange: {subject: tokenExchange, issuedTokenType: true},
		GrantJWTBearer:     {subject: jwtBearer},
	}
}

// tokenExchange is RFC 8693 §2.1, restricted to what tipgate does: an
// external ID token in, a tipgate session JWT out, no delegation.
func tokenExchange(v url.Values, a *API) (string, *oauthError) {
	tok, err := one(v, "subject_token")
	if err != nil {
		return "", errInvalidRequest("subject_token is required")
	}
	switch v.Get("subject_token_type") {
	case TokenTypeIDToken, TokenTypeJWT:
	case "":
		return "", errInvalidRequest("subject_token_type is required")
	default:
		return "", errInvalidRequest("subject_token_type must be " + TokenTypeIDToken + " or " + TokenTypeJWT)
	}
	switch v.Get("requested_token_type") {
	case "", TokenTypeJWT, TokenTypeAccess:
	default:
		return "", errInvalidRequest("requested_token_type must be " + TokenTypeJWT)
	}
	if v.Has("actor_token") || v.Has("actor_token_type") {
		return "", errInvalidRequest("delegation (actor_token) is not supported")
	}
	if aud := v.Get("audience"); aud != "" && aud != a.sessions.Audience() {
		return "", &oauthError{Status: http.StatusBadRequest, Code: "invalid_target",
			Description: "audience is not this service"}
	}
	if res := v.Get("resource"); res != "" && res != a.sessions.Issuer() {
		return "", &oauthError{Status: http.StatusBadRequest, Code: "invalid_target",
			Description: "resource is not this service"}
	}
	return tok, nil
}

// jwtBearer is RFC 7523 §2.1: the assertion is the external ID token.
func jwtBearer(v url.Values, a *API) (string, *oauthError) {
	tok, err := one(v, "assertion")
	if err != nil {
		return "", errInvalidRequest("assertion is required")
	}
	return tok, nil
}
