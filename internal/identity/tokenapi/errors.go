package tokenapi

import (
	"errors"
	"net/http"

	"github.com/tipgate/tipgate/internal/identity"
)

// oauthError is an RFC 6749 §5.2 error response. Description is shown to
// the client and logged, so it never contains request values.
type oauthError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	// cause is the identity code or other internal reason, for the log.
	cause string
}

func errInvalidRequest(desc string) *oauthError {
	return &oauthError{Status: http.StatusBadRequest, Code: "invalid_request", Description: desc}
}

// fromIdentity maps a refused token to OAuth: the client's grant is bad,
// except when tipgate or the IdP is at fault.
func fromIdentity(err error) *oauthError {
	var ie *identity.Error
	if !errors.As(err, &ie) {
		return &oauthError{Status: http.StatusInternalServerError, Code: "server_error",
			Description: "the token could not be processed", cause: "internal"}
	}
	switch ie.Code {
	case identity.CodeIssuerUnreachable:
		return &oauthError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable",
			Description: ie.Msg, cause: string(ie.Code)}
	case identity.CodeInternal:
		return &oauthError{Status: http.StatusInternalServerError, Code: "server_error",
			Description: "the token could not be processed", cause: string(ie.Code)}
	}
	return &oauthError{Status: http.StatusBadRequest, Code: "invalid_grant", Description: ie.Msg, cause: string(ie.Code)}
}
