package identity

import "errors"

// Code is a stable, machine-readable reason a token or credential was
// refused. Transports map codes to their own error vocabularies; the set
// only grows.
type Code string

const (
	CodeTokenMalformed    Code = "token_malformed"
	CodeTokenTooLarge     Code = "token_too_large"
	CodeAlgNotAllowed     Code = "alg_not_allowed"
	CodeUnknownKey        Code = "unknown_key"
	CodeBadSignature      Code = "bad_signature"
	CodeWrongIssuer       Code = "wrong_issuer"
	CodeWrongAudience     Code = "wrong_audience"
	CodeTokenExpired      Code = "token_expired"
	CodeTokenNotYetValid  Code = "token_not_yet_valid"
	CodeMissingClaim      Code = "missing_claim"
	CodeInvalidClaim      Code = "invalid_claim"
	CodeForbiddenHeader   Code = "forbidden_header"
	CodeDuplicateClaim    Code = "duplicate_claim"
	CodeIssuerUnreachable Code = "issuer_unreachable"
	CodeEmailUnverified   Code = "email_unverified"
	CodeSessionRevoked    Code = "session_revoked"
	// CodeUserInactive: the issuer's users are provisioned (SCIM) and this
	// one is deactivated; CodeUserNotProvisioned: there is no such
	// provisioned user (never provisioned, or deleted).
	CodeUserInactive       Code = "user_inactive"
	CodeUserNotProvisioned Code = "user_not_provisioned"
	// CodeInternal is a failure on tipgate's side (disk, randomness); the
	// token itself may be fine.
	CodeInternal Code = "internal"
)

// Error is a refusal with a stable Code. Msg names the cause and never
// contains the token, a key or any other secret, so it is safe to log and
// to return to the caller.
type Error struct {
	Code Code
	Msg  string
	// Err is the underlying cause, if any, for errors.Is/As. Its text is
	// not part of Error() because library errors are not vetted for
	// secrets.
	Err error
}

func (e *Error) Error() string { return "identity: " + string(e.Code) + ": " + e.Msg }

func (e *Error) Unwrap() error { return e.Err }

func newError(code Code, msg string) *Error { return &Error{Code: code, Msg: msg} }

func wrapError(code Code, msg string, err error) *Error {
	return &Error{Code: code, Msg: msg, Err: err}
}

// CodeOf returns the Code of the first *Error in err's chain, or "" if
// there is none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
