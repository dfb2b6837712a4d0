package dataapi

import "fmt"

// Kind is the Data API error shape; bindings map it to their wire codes.
type Kind string

// Error kinds (shape names of the Redshift Data API model).
const (
	Validation               Kind = "ValidationException"
	ResourceNotFound         Kind = "ResourceNotFoundException"
	ActiveStatementsExceeded Kind = "ActiveStatementsExceededException"
	ActiveSessionsExceeded   Kind = "ActiveSessionsExceededException"
	ExecuteStatementFailed   Kind = "ExecuteStatementException"
	InternalServer           Kind = "InternalServerException"
	QueryTimeout             Kind = "QueryTimeoutException"
	AccessDenied             Kind = "AccessDeniedException"
	// RunningTimeExceeded is tipgate's own: the principal's running
	// statements have used its running-time budget. The Data API has no
	// such shape; the AWS binding sends ActiveStatementsExceededException,
	// the quota error Data API clients already handle.
	RunningTimeExceeded Kind = "RunningTimeExceeded"
	// Unavailable is tipgate's own: the store replicas share does not
	// answer, so no new work is taken until it does. Bindings send 503,
	// which clients retry.
	Unavailable Kind = "ServiceUnavailableException"
)

// Error is an API-level failure. SQL errors are not API errors: they end a
// statement as FAILED with its Error text.
type Error struct {
	Kind    Kind
	Message string
	// ResourceID names the statement for ResourceNotFound.
	ResourceID string
	Err        error
}

func (e *Error) Error() string { return string(e.Kind) + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Err }

func validation(format string, args ...any) *Error {
	return &Error{Kind: Validation, Message: fmt.Sprintf(format, args...)}
}

// notFound is returned for statements that do not exist and for those of
// other principals alike: a caller must not learn that another's exists.
func notFound(id string) *Error {
	return &Error{Kind: ResourceNotFound, Message: "Query does not exist.", ResourceID: id}
}

// engineError is a metadata question the engine could not answer.
func engineError(err error) *Error {
	return &Error{Kind: InternalServer, Message: "the warehouse could not answer", Err: err}
}

// failure is how a statement ended in error: Text is DescribeStatement's
// Error, the database's message as Redshift words it; SQLState is its
// five-character SQLSTATE when the error is an SQL error. The Data API
// model has no member for the SQLSTATE; the bindings carry it in the
// additional member SqlState, which the AWS SDKs skip as an unknown member.
type failure struct{ text, sqlState string }
