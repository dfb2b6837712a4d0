package ssooidc

import (
	"encoding/json"
	"net/http"

	"github.com/tipgate/tipgate/internal/reqid"
)

// oauthError is one error response: X-Amzn-ErrorType names the SDK's
// exception shape; the body is the OAuth pair {"error","error_description"},
// or {"message"} for a refused signature (no OAuth code).
type oauthError struct {
	Status      int
	Type        string // exception shape, e.g. InvalidGrantException
	Code        string // OAuth error code, e.g. invalid_grant
	Description string // never contains a token
}

func (e *oauthError) Error() string { return e.Type + ": " + e.Description }

var oauthTypes = map[string]struct {
	status int
	typ    string
}{
	"invalid_request":        {http.StatusBadRequest, "InvalidRequestException"},
	"invalid_client":         {http.StatusUnauthorized, "InvalidClientException"},
	"invalid_grant":          {http.StatusBadRequest, "InvalidGrantException"},
	"unauthorized_client":    {http.StatusBadRequest, "UnauthorizedClientException"},
	"unsupported_grant_type": {http.StatusBadRequest, "UnsupportedGrantTypeException"},
	"invalid_scope":          {http.StatusBadRequest, "InvalidScopeException"},
	"access_denied":          {http.StatusBadRequest, "AccessDeniedException"},
	"expired_token":          {http.StatusBadRequest, "ExpiredTokenException"},
	"server_error":           {http.StatusInternalServerError, "InternalServerException"},
}

func oauth(code, description string) *oauthError {
	t := oauthTypes[code]
	return &oauthError{Status: t.status, Type: t.typ, Code: code, Description: description}
}

// authError is a SigV4 refusal, in the shape AWS's REST services use.
func authError(status int, typ, msg string) *oauthError {
	return &oauthError{Status: status, Type: typ, Description: msg}
}

// writeError is the binding's one error encoder.
func writeError(w http.ResponseWriter, e *oauthError, requestID string) {
	var body any = map[string]string{"error": e.Code, "error_description": e.Description}
	if e.Code == "" {
		body = map[string]string{"message": e.Description}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.Header().Set(reqid.AmznHeader, requestID)
	w.WriteHeader(e.Status)
	w.Write(b)
}
