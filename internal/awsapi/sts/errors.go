package sts

import (
	"fmt"
	"net/http"
)

// stsError is one awsQuery error: <Error><Type/><Code/><Message/></Error>.
// Message never contains a token, secret or assertion.
type stsError struct {
	Status  int
	Code    string
	Message string
}

func (e *stsError) Error() string { return e.Code + ": " + e.Message }

func newErr(status int, code, format string, a ...any) *stsError {
	return &stsError{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

func errMissing(name string) *stsError {
	return newErr(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s", name)
}

func errValidation(format string, a ...any) *stsError {
	return newErr(http.StatusBadRequest, "ValidationError", format, a...)
}

func errInvalidParam(format string, a ...any) *stsError {
	return newErr(http.StatusBadRequest, "InvalidParameterValue", format, a...)
}

func errAccessDenied(format string, a ...any) *stsError {
	return newErr(http.StatusForbidden, "AccessDenied", format, a...)
}

func errInvalidToken(msg string) *stsError {
	return newErr(http.StatusBadRequest, "InvalidIdentityToken", "%s", msg)
}

func errExpired(msg string) *stsError {
	return newErr(http.StatusBadRequest, "ExpiredTokenException", "%s", msg)
}

func errInternal() *stsError {
	return newErr(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error.")
}

func notAuthorized(caller, action, resource string) *stsError {
	return errAccessDenied("User: %s is not authorized to perform: %s on resource: %s", caller, action, resource)
}
