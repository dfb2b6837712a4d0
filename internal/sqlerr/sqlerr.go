package sqlerr

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error code. Clients and wire bindings
// map on it; its spelling never changes.
type Code string

// Codes with their PostgreSQL/Redshift SQLSTATE.
const (
	SyntaxError        Code = "syntax_error"               // 42601
	PermissionDenied   Code = "permission_denied"          // 42501
	UndefinedTable     Code = "undefined_table"            // 42P01
	UndefinedColumn    Code = "undefined_column"           // 42703
	UndefinedObject    Code = "undefined_object"           // 42704
	DuplicateObject    Code = "duplicate_object"           // 42710
	DependentObjects   Code = "dependent_objects"          // 2BP01
	InvalidParameter   Code = "invalid_parameter"          // 22023
	FeatureUnsupported Code = "feature_not_supported"      // 0A000
	DataException      Code = "data_exception"             // 22000
	DivisionByZero     Code = "division_by_zero"           // 22012
	NumericOutOfRange  Code = "numeric_value_out_of_range" // 22003
	ReadOnly           Code = "read_only"                  // 25006
	Internal           Code = "internal"                   // XX000
	Canceled           Code = "canceled"                   // 57014
	IOError            Code = "io_error"                   // 58030
	// ConcurrentChange: the state a change was prepared against changed
	// before it was made (a stale policy plan).
	ConcurrentChange Code = "concurrent_change" // 40001
)

var sqlstates = map[Code]string{
	SyntaxError:        "42601",
	PermissionDenied:   "42501",
	UndefinedTable:     "42P01",
	UndefinedColumn:    "42703",
	UndefinedObject:    "42704",
	DuplicateObject:    "42710",
	DependentObjects:   "2BP01",
	InvalidParameter:   "22023",
	FeatureUnsupported: "0A000",
	DataException:      "22000",
	DivisionByZero:     "22012",
	NumericOutOfRange:  "22003",
	ReadOnly:           "25006",
	Internal:           "XX000",
	Canceled:           "57014",
	IOError:            "58030",
	ConcurrentChange:   "40001",
}

// Error is an SQL-level error: what the user did wrong, in Redshift's words.
type Error struct {
	Code    Code
	Message string
	// Position is the 1-based character position in the statement, 0 when unknown.
	Position int
	// Err is an underlying cause kept for errors.Is/As; its text is not shown.
	Err error
}

// SQLState returns the five-character SQLSTATE for the error's code.
func (e *Error) SQLState() string {
	if s, ok := sqlstates[e.Code]; ok {
		return s
	}
	return "XX000"
}

// CodeOfState is the code whose SQLSTATE is state, for errors that crossed
// a wire carrying only the SQLSTATE; Internal for a state no code has.
func CodeOfState(state string) Code {
	for c, s := range sqlstates {
		if s == state {
			return c
		}
	}
	return Internal
}

func (e *Error) Error() string {
	if e.Position > 0 {
		return fmt.Sprintf("ERROR: %s (position %d)", e.Message, e.Position)
	}
	return "ERROR: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a formatted message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error whose cause is err; err's text is not part of Message.
func Wrap(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// PermissionDeniedRelation is Redshift's denial for a relation.
func PermissionDeniedRelation(name string) *Error {
	return New(PermissionDenied, "permission denied for relation %s", name)
}
