package duckdb

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

var (
	reNoTable     = regexp.MustCompile(`^Catalog Error: Table with name (.+?) does not exist!`)
	reNoColumn    = regexp.MustCompile(`^Binder Error: (?:failed to bind function, either: )?Referenced column "?(.+?)"? not found in FROM clause!`)
	reNoColumnTbl = regexp.MustCompile(`^Binder Error: (?:Table|Values list) "(.+?)" does not have a column named "(.+?)"`)
	reNoJoinCol   = regexp.MustCompile(`^Binder Error: Column "(.+?)" does not exist on (?:left|right) side of join`)
	reTypePrefix  = regexp.MustCompile(`^[A-Z][A-Za-z ]* Error: `)
)

// mapError turns a DuckDB error into Redshift's wording. For a principal
// (pc != nil) a missing table or column the principal may not read becomes
// "permission denied", hints that name other relations are dropped, and any
// message that would mention tipgate's internal catalog is replaced, so
// errors reveal nothing the principal may not see.
func mapError(err error, pc *policyContext) error {
	if err == nil {
		return nil
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, context.Canceled) {
		return sqlerr.Wrap(sqlerr.Canceled, err, "canceling statement due to user request")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlerr.Wrap(sqlerr.Canceled, err, "canceling statement due to statement timeout")
	}
	msg := firstLine(err.Error())
	switch {
	case reNoTable.MatchString(msg):
		name := strings.ToLower(reNoTable.FindStringSubmatch(msg)[1])
		if pc != nil {
			if _, ok := pc.cat.Table(name); ok {
				return sqlerr.Wrap(sqlerr.PermissionDenied, err, "permission denied for relation %s", name)
			}
		}
		return sqlerr.Wrap(sqlerr.UndefinedTable, err, "relation %q does not exist", name)
	case reNoColumnTbl.MatchString(msg):
		m := reNoColumnTbl.FindStringSubmatch(msg)
		return columnError(err, pc, strings.ToLower(m[2]))
	case reNoJoinCol.MatchString(msg):
		return columnError(err, pc, strings.ToLower(reNoJoinCol.FindStringSubmatch(msg)[1]))
	case reNoColumn.MatchString(msg):
		name := strings.ToLower(reNoColumn.FindStringSubmatch(msg)[1])
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = strings.Trim(name[i+1:], `"`)
		}
		return columnError(err, pc, name)
	case strings.HasPrefix(msg, "Parser Error: "):
		return sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", strings.TrimPrefix(msg, "Parser Error: "))
	case msg == "Invalid Input Error: division by zero":
		// Raised by the Redshift division (semantics.go), as Redshift does.
		return sqlerr.Wrap(sqlerr.DivisionByZero, err, "division by zero")
	case strings.HasPrefix(msg, "Out of Range Error: Overflow in "):
		text := reTypePrefix.ReplaceAllString(msg, "")
		if pc != nil {
			text = engine.RedactValues(text)
		}
		return sqlerr.Wrap(sqlerr.NumericOutOfRange, err, "%s", text)
	case strings.HasPrefix(msg, "Conversion Error: "), strings.HasPrefix(msg, "Invalid Input Error: "), strings.HasPrefix(msg, "Out of Range Error: "):
		text := reTypePrefix.ReplaceAllString(msg, "")
		if pc != nil {
			text = engine.RedactValues(text)
		}
		return clean(sqlerr.Wrap(sqlerr.DataException, err, "%s", text), pc)
	case strings.HasPrefix(msg, "INTERRUPT Error"), strings.Contains(msg, "Interrupted"):
		return sqlerr.Wrap(sqlerr.Canceled, err, "canceling statement due to user request")
	case strings.HasPrefix(msg, "Permission Error: "):
		return sqlerr.Wrap(sqlerr.PermissionDenied, err, "%s", strings.TrimPrefix(msg, "Permission Error: "))
	case strings.HasPrefix(msg, "IO Error: "):
		return clean(sqlerr.Wrap(sqlerr.IOError, err, "%s", strings.TrimPrefix(msg, "IO Error: ")), pc)
	}
	code := sqlerr.DataException
	if strings.HasPrefix(msg, "Binder Error: ") || strings.HasPrefix(msg, "Catalog Error: ") {
		code = sqlerr.InvalidParameter
	}
	text := reTypePrefix.ReplaceAllString(msg, "")
	if pc != nil && code == sqlerr.DataException {
		text = engine.RedactValues(text)
	}
	return clean(sqlerr.Wrap(code, err, "%s", text), pc)
}

func columnError(err error, pc *policyContext, name string) error {
	if pc != nil {
		for _, t := range pc.cat.TableNames() {
			a := pc.access[t]
			for _, c := range a.Columns {
				if strings.EqualFold(c.Name, name) && !c.Granted && a.Visible {
					return sqlerr.Wrap(sqlerr.PermissionDenied, err, "permission denied for relation %s", t)
				}
			}
		}
	}
	return sqlerr.Wrap(sqlerr.UndefinedColumn, err, "column %q does not exist", name)
}

// firstLine keeps the message proper: DuckDB appends hints ("Did you
// mean", "Candidate bindings") and the query text on later lines.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " Did you mean"); i >= 0 {
		s = s[:i]
	}
	if i := strings.Index(s, " Candidate bindings"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// clean replaces a principal-facing message that mentions tipgate's raw
// catalog, which would reveal how policies are compiled.
func clean(e *sqlerr.Error, pc *policyContext) error {
	if pc != nil && (strings.Contains(e.Message, rawCatalog) || strings.Contains(strings.ToLower(e.Message), "tipgate.catalog")) {
		e.Message = "the query could not be evaluated under the row-level security policies that apply to you"
	}
	return e
}
