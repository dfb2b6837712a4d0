package conformance

import (
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Error classes. Tipgate answers with a Redshift SQLSTATE (*sqlerr.Error);
// the ground truth is plain DuckDB, whose messages start with an error
// type. A query that fails on the ground truth must fail through
// enforcement with a SQLSTATE of the same class: a different class (or
// success) means the two evaluated different rows.

// missingRelation matches DuckDB's messages for a table or column that does
// not exist: the ground truth has no table or column the principal may not
// read, where tipgate has it and refuses it (permission denied).
var missingRelation = regexp.MustCompile(`^(Catalog Error: Table with name \S+ does not exist|Binder Error: (.*: )?Referenced column \S+ not found|Binder Error: (Table|Values list) \S+ does not have a column named|Binder Error: Column \S+ does not exist on (left|right) side of join|Binder Error: Referenced table \S+ not found)`)

// EnforcedState is the SQLSTATE of an error tipgate returned ("XX000" if it
// returned no *sqlerr.Error).
func EnforcedState(err error) string {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se.SQLState()
	}
	return "XX000"
}

// TruthStates returns the SQLSTATEs that are the same class as an error
// plain DuckDB gave: a data exception for errors raised while evaluating
// rows, a syntax error for the parser's, and for the binder's an invalid
// parameter or, when a column or table is missing (the ground truth has no
// column or table a principal may not read, tipgate has and refuses it),
// undefined column/table or permission denied.
func TruthStates(err error) []string {
	msg := err.Error()
	kind, _, _ := strings.Cut(msg, ": ")
	switch kind {
	case "Parser Error":
		return []string{"42601"}
	case "Binder Error", "Catalog Error":
		if missingRelation.MatchString(msg) {
			return []string{"42703", "42P01", "42501"}
		}
		return []string{"22023"}
	case "Permission Error":
		return []string{"42501"}
	default:
		// Conversion, Invalid Input, Out of Range, Syntax (a bad LIKE
		// escape at run time), Not implemented, …: tipgate maps every
		// error raised during execution to a data exception.
		return []string{"22000"}
	}
}

// SameClass reports whether tipgate's error gerr is of the class of the
// ground truth's error werr. A data exception may come with any SQLSTATE
// of class 22 (22012 division by zero, 22P02 invalid text representation,
// ...) but 22023, which tipgate uses for errors binding a query.
func SameClass(gerr, werr error) bool {
	state := EnforcedState(gerr)
	if isDataException(werr) {
		return strings.HasPrefix(state, "22") && state != "22023"
	}
	return slices.Contains(TruthStates(werr), state)
}

// isDataException reports whether the ground truth's error was raised while
// evaluating rows (as opposed to binding or parsing the query).
func isDataException(werr error) bool {
	return slices.Equal(TruthStates(werr), []string{"22000"})
}
