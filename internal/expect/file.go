package expect

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// File is one expectation file.
type File struct {
	Name   string
	Expect []Expectation
}

// Expectation is what one principal must see of one table or query.
type Expectation struct {
	// Line is where the expectation starts in its file (0 if unknown).
	Line int    `toml:"-"`
	Name string `toml:"name"`
	// User is the principal's user name ("AWSIDC:ming@example.com", or an
	// email in the default namespace); Groups its identity-provider groups.
	User   string   `toml:"user"`
	Groups []string `toml:"groups"`
	// Exactly one of Table and Query.
	Table string `toml:"table"`
	Query string `toml:"query"`
	// Rows is the exact number of rows the principal sees.
	Rows *int64 `toml:"rows"`
	// EveryRow is a predicate every visible row satisfies; NoRow one that
	// no visible row satisfies.
	EveryRow string `toml:"every_row"`
	NoRow    string `toml:"no_row"`
	// Count: how many visible rows satisfy each predicate.
	Count []Count `toml:"count"`
	// Column states (Table only): granted and unmasked, masked by the named
	// masking policy, or not readable.
	Granted []string          `toml:"granted"`
	Masked  map[string]string `toml:"masked"`
	Denied  []string          `toml:"denied"`
	// Refused are statements that must fail for the principal.
	Refused []string `toml:"refused"`
}

// Count is a number of visible rows matching a predicate.
type Count struct {
	Where string `toml:"where"`
	Rows  *int64 `toml:"rows"`
}

type fileDoc struct {
	Expect []Expectation `toml:"expect"`
}

// Parse reads an expectation file, reporting every problem at once: TOML
// errors, unknown keys, and expectations that check nothing or cannot be
// checked.
func Parse(name, text string) (*File, error) {
	var doc fileDoc
	md, err := toml.Decode(text, &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: %s", name, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var errs []error
	for _, k := range md.Undecoded() {
		errs = append(errs, fmt.Errorf("%s: unknown key %q", name, k.String()))
	}
	lines := headerLines(text)
	for i := range doc.Expect {
		e := &doc.Expect[i]
		if len(lines) == len(doc.Expect) {
			e.Line = lines[i]
		}
		for _, msg := range e.problems() {
			errs = append(errs, fmt.Errorf("%s: %s", e.where(name, i), msg))
		}
	}
	if len(doc.Expect) == 0 {
		errs = append(errs, fmt.Errorf("%s: no [[expect]] tables", name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &File{Name: name, Expect: doc.Expect}, nil
}

// headerLines returns the line of each [[expect]] header. TOML keeps no
// positions; the headers are the only way to start an expectation, so
// their lines are the expectations' lines unless one sits inside a
// multi-line string (then the counts differ and lines are not shown).
func headerLines(text string) []int {
	var out []int
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(strings.SplitN(l, "#", 2)[0]) == "[[expect]]" {
			out = append(out, i+1)
		}
	}
	return out
}

func (e *Expectation) where(file string, i int) string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d", file, e.Line)
	}
	return fmt.Sprintf("%s: expectation %d", file, i+1)
}

func (e *Expectation) problems() []string {
	var out []string
	if strings.TrimSpace(e.User) == "" {
		out = append(out, "user is required")
	}
	if (e.Table == "") == (e.Query == "") {
		out = append(out, "give exactly one of table or query")
	}
	if e.Rows != nil && *e.Rows < 0 {
		out = append(out, "rows must not be negative")
	}
	for _, p := range []string{e.EveryRow, e.NoRow} {
		if p != "" && !oneStatement("SELECT 1 WHERE "+p) {
			out = append(out, fmt.Sprintf("predicate %q is not one expression", p))
		}
	}
	for _, c := range e.Count {
		if strings.TrimSpace(c.Where) == "" || c.Rows == nil || *c.Rows < 0 {
			out = append(out, "each count needs where and rows (not negative)")
		} else if !oneStatement("SELECT 1 WHERE " + c.Where) {
			out = append(out, fmt.Sprintf("predicate %q is not one expression", c.Where))
		}
	}
	if e.Query != "" && !oneStatement(e.Query) {
		out = append(out, "query must be one statement")
	}
	cols := len(e.Granted) + len(e.Masked) + len(e.Denied)
	if cols > 0 && e.Table == "" {
		out = append(out, "granted, masked and denied need a table")
	}
	seen := map[string]bool{}
	for _, c := range slices.Concat(e.Granted, slices.Sorted(maps.Keys(e.Masked)), e.Denied) {
		if seen[strings.ToLower(c)] {
			out = append(out, fmt.Sprintf("column %q is given two states", c))
		}
		seen[strings.ToLower(c)] = true
	}
	for _, s := range e.Refused {
		if !oneStatement(s) {
			out = append(out, fmt.Sprintf("refused statement %q must be one statement", s))
		}
	}
	if e.Rows == nil && e.EveryRow == "" && e.NoRow == "" && len(e.Count) == 0 && cols == 0 && len(e.Refused) == 0 {
		out = append(out, "the expectation checks nothing: give rows, every_row, no_row, count, granted, masked, denied or refused")
	}
	return out
}

func oneStatement(s string) bool {
	st, err := sqlscan.Split(s)
	return err == nil && len(st) == 1 && strings.TrimSpace(st[0].Text) == strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";"))
}
