package trino

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// trinoMessage is Trino's error message without the client's wrapping.
func trinoMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, `: "`); i >= 0 && strings.HasSuffix(msg, `"`) {
		msg = msg[i+3 : len(msg)-1]
	}
	for _, p := range []string{"USER_ERROR: ", "INTERNAL_ERROR: ", "INSUFFICIENT_RESOURCES: ", "EXTERNAL: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

var (
	deniedTable   = regexp.MustCompile(`^Access Denied: Cannot (?:select from|access|show columns of) (?:table|columns \[[^\]]*\] in table or view) (?:\w+\.)?(?:\w+\.)?(\w+)`)
	deniedCatalog = regexp.MustCompile(`^Access Denied: Cannot access catalog`)
	missingTable  = regexp.MustCompile(`^line \d+:\d+: Table '(?:[^']*\.)?([^'.]*)' does not exist`)
	missingColumn = regexp.MustCompile(`^line \d+:\d+: Column '([^']*)' cannot be resolved`)
	// integerOverflow: "integer addition overflow", "bigint multiplication
	// overflow: 9223372036854775807 * 2", "Out of range for integer: …".
	integerOverflow = regexp.MustCompile(`^(?:tinyint|smallint|integer|bigint|decimal) \w+ overflow|^Out of range for (?:tinyint|smallint|integer|bigint)`)
	missingFunction = regexp.MustCompile(`^line \d+:\d+: Function '([^']*)' not registered`)
	missingSchema   = regexp.MustCompile(`^line \d+:\d+: (?:Schema|Catalog) '([^']*)' does not exist`)
	analysis        = regexp.MustCompile(`^line \d+:\d+: `)
	syntax          = regexp.MustCompile(`^line (\d+):(\d+): mismatched input|^line \d+:\d+: extraneous input|^line \d+:\d+: no viable alternative`)
)

// mapError turns a Trino error into Redshift's SQLSTATE and wording where
// Redshift has one. Trino names the table in its refusals as
// catalog.schema.table; Redshift names the relation only.
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
	msg := trinoMessage(err)
	switch {
	case deniedTable.MatchString(msg):
		return sqlerr.PermissionDeniedRelation(deniedTable.FindStringSubmatch(msg)[1])
	case deniedCatalog.MatchString(msg), strings.HasPrefix(msg, "Access Denied:"):
		return sqlerr.Wrap(sqlerr.PermissionDenied, err, "permission denied")
	case missingTable.MatchString(msg):
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", missingTable.FindStringSubmatch(msg)[1])
	case missingColumn.MatchString(msg):
		return sqlerr.New(sqlerr.UndefinedColumn, "column %q does not exist", missingColumn.FindStringSubmatch(msg)[1])
	case syntax.MatchString(msg):
		// Without Trino's list of expected tokens: it is long, and its
		// keywords (AS, AT, OR, …) read as values of the warehouse.
		msg, _, _ = strings.Cut(msg, ". Expecting:")
		return sqlerr.Wrap(sqlerr.SyntaxError, err, "syntax error: %s", msg)
	case strings.HasSuffix(msg, " not supported") || strings.Contains(msg, "is not supported"):
		return sqlerr.Wrap(sqlerr.FeatureUnsupported, err, "%s", msg)
	case strings.Contains(msg, "Division by zero"), msg == "/ by zero":
		return sqlerr.Wrap(sqlerr.DivisionByZero, err, "division by zero")
	case integerOverflow.MatchString(msg):
		return sqlerr.Wrap(sqlerr.NumericOutOfRange, err, "Overflow (%s)", msg)
	case missingSchema.MatchString(msg):
		return sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", missingSchema.FindStringSubmatch(msg)[1])
	case missingFunction.MatchString(msg):
		return sqlerr.Wrap(sqlerr.UndefinedObject, err, "function %s does not exist", missingFunction.FindStringSubmatch(msg)[1])
	case analysis.MatchString(msg):
		// Trino's analyzer names the statement's line and column: the
		// statement did not bind (a type, an argument), before any row
		// was read.
		return sqlerr.Wrap(sqlerr.InvalidParameter, err, "%s", msg)
	}
	return sqlerr.Wrap(sqlerr.DataException, err, "%s", msg)
}

// mapReadError is mapError for a principal's read: values quoted in a
// data error are redacted (they may come from rows the principal may not see).
func mapReadError(err error) error {
	err = mapError(err)
	var se *sqlerr.Error
	if errors.As(err, &se) && se.Code == sqlerr.DataException {
		se.Message = engine.RedactValues(se.Message)
	}
	return err
}
