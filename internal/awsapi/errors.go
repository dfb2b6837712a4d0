package awsapi

import (
	"errors"
	"net/http"

	"github.com/tipgate/tipgate/internal/dataapi"
)

// Credential lookup failures.
var (
	ErrUnknownKey   = errors.New("awsapi: unknown access key")
	ErrExpiredToken = errors.New("awsapi: expired security token")
)

// apiError is one AWS JSON error: {"__type": Type, "message": Message}.
type apiError struct {
	Status      int
	Type        string
	Message     string
	StatementID string
	ResourceID  string
}

func errMissingAuth() *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "MissingAuthenticationTokenException", Message: "Missing Authentication Token"}
}

func errIncompleteSignature(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "IncompleteSignatureException", Message: msg}
}

func errInvalidSignature(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "InvalidSignatureException", Message: msg}
}

// errUnavailable: the shared store does not answer; the client retries
// (SDKs retry ServiceUnavailable on their own).
func errUnavailable() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailableException",
		Message: "tipgate's shared store is unavailable; retry shortly"}
}

// errReplayBusy refuses a signed request the replay cache has no room to
// remember (more state-changing requests within 2×MaxSkew than it holds).
func errReplayBusy() *apiError {
	return &apiError{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailableException",
		Message: "too many signed requests in the last 30 minutes to protect against replay; retry shortly"}
}

func credentialError(err error) *apiError {
	if errors.Is(err, ErrExpiredToken) {
		return &apiError{Status: http.StatusBadRequest, Type: "ExpiredTokenException", Message: "The security token included in the request is expired"}
	}
	return &apiError{Status: http.StatusBadRequest, Type: "UnrecognizedClientException", Message: "The security token included in the request is invalid."}
}

func errValidation(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "ValidationException", Message: msg}
}

func errSerialization(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "SerializationException", Message: msg}
}

// fromService maps a dataapi error to its AWS shape and HTTP status.
func fromService(err error) *apiError {
	var de *dataapi.Error
	if !errors.As(err, &de) {
		return &apiError{Status: http.StatusInternalServerError, Type: "InternalServerException", Message: "internal error"}
	}
	e := &apiError{Status: http.StatusBadRequest, Type: string(de.Kind), Message: de.Message, ResourceID: de.ResourceID}
	switch de.Kind {
	case dataapi.RunningTimeExceeded:
		// The Data API has no shape for tipgate's running-time budget; its
		// clients already back off on this quota error.
		e.Type = string(dataapi.ActiveStatementsExceeded)
	case dataapi.ResourceNotFound:
		e.Status = http.StatusNotFound
	case dataapi.AccessDenied:
		e.Status = http.StatusForbidden
	case dataapi.InternalServer, dataapi.ExecuteStatementFailed:
		e.Status = http.StatusInternalServerError
	case dataapi.Unavailable:
		e.Status = http.StatusServiceUnavailable
	}
	return e
}
