package postgres

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// pgMessage returns a PostgreSQL or parser error's message without the
// driver's decoration.
func pgMessage(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

var rePermission = regexp.MustCompile(`^permission denied for (?:table|view|materialized view|relation) (.+)$`)

// sqlstateCodes maps PostgreSQL's SQLSTATEs to tipgate's codes.
var sqlstateCodes = map[string]sqlerr.Code{
	"42601": sqlerr.SyntaxError,
	"42501": sqlerr.PermissionDenied,
	"42P01": sqlerr.UndefinedTable,
	"42703": sqlerr.UndefinedColumn,
	"42704": sqlerr.UndefinedObject,
	"42883": sqlerr.UndefinedObject,
	"42710": sqlerr.DuplicateObject,
	"42P07": sqlerr.DuplicateObject,
	"2BP01": sqlerr.DependentObjects,
	"22023": sqlerr.InvalidParameter,
	"0A000": sqlerr.FeatureUnsupported,
	"22012": sqlerr.DivisionByZero,
	"22003": sqlerr.NumericOutOfRange,
	"25006": sqlerr.ReadOnly,
	"57014": sqlerr.Canceled,
}

// mapError turns a PostgreSQL error into Redshift's wording and a stable
// code. PostgreSQL's messages quote no row values except in data
// exceptions' DETAIL, which is dropped.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return sqlerr.Wrap(sqlerr.Canceled, err, "canceling statement due to user request")
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	msg := pe.Message
	if m := rePermission.FindStringSubmatch(msg); m != nil {
		msg = "permission denied for relation " + m[1]
	}
	code, ok := sqlstateCodes[pe.Code]
	switch {
	case ok:
	case strings.HasPrefix(pe.Code, "22"):
		code = sqlerr.DataException
	case strings.HasPrefix(pe.Code, "42"):
		code = sqlerr.SyntaxError
	default:
		code = sqlerr.Internal
	}
	if pe.Code == "57014" && strings.Contains(msg, "statement timeout") {
		msg = "Query cancelled on user's request: statement timeout"
	}
	return &sqlerr.Error{Code: code, Message: msg, Position: int(pe.Position), Err: err}
}

// mapReadError maps an error of a principal's statement: like mapError,
// and a data exception's message loses the value PostgreSQL quotes in it
// (invalid input syntax for type integer: "Tokyo"). Row security runs
// before any of the principal's own expressions, so those fail only on
// rows it may read; but a policy's predicate reads every row, and no
// message shown to a principal, or kept in the audit log, carries a value.
func mapReadError(err error) error {
	err = mapError(err)
	var se *sqlerr.Error
	var pe *pgconn.PgError
	if errors.As(err, &se) && errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22") {
		se.Message = engine.RedactValues(se.Message)
		se.Position = 0
	}
	return err
}
