package conformance

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A script is a list of records, each run as a principal:
//
//	as superuser
//	as AWSIDC:ming@example.com groups=apac-sales,other
//
//	statement ok
//	CREATE TABLE t (a INT);
//
//	statement error 42501 permission denied for relation t
//	SELECT * FROM t;
//
//	query rowsort
//	SELECT a, b FROM t;
//	----
//	1|x
//	2|NULL
//
// A record's SQL runs to the next blank line or "----". "statement error"
// takes the SQLSTATE the statement must fail with (always: a record that
// passes on any error proves nothing), then a substring the message must
// contain (Redshift's wording, the same on every engine). "query" compares
// rendered rows (values joined by "|", NULL for NULL); "rowsort" sorts both
// sides first, "nosort" (default) keeps the order. Lines starting with "#"
// are comments. "onlyif ENGINE" or "skipif ENGINE" before a record runs it
// only on, or on every engine but, the named one: a documented difference
// between engines, never a way around a failure.

// Principal names who runs a record.
type Principal struct {
	Superuser bool
	User      string
	Groups    []string
}

// Record is one step of a script.
type Record struct {
	Line int
	As   Principal
	Kind string // "statement" or "query"
	// WantCode is the SQLSTATE a "statement error" must fail with, and
	// WantError text its message must contain (empty: any message, for
	// engines whose wording differs and is documented as a deviation).
	WantCode  string
	WantError string
	SQL       string
	Sort      bool
	Expected  []string
	// OnlyIf and SkipIf name engines the record runs only on, or not on.
	OnlyIf, SkipIf string
}

// RunsOn reports whether the record applies to the named engine.
func (r Record) RunsOn(engine string) bool {
	return (r.OnlyIf == "" || r.OnlyIf == engine) && !slices.Contains(strings.Split(r.SkipIf, ","), engine)
}

// ParseScript reads a script.
func ParseScript(r io.Reader) ([]Record, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out []Record
	as := Principal{Superuser: true}
	var onlyIf, skipIf string
	line := 0
	next := func() (string, bool) {
		if !sc.Scan() {
			return "", false
		}
		line++
		return sc.Text(), true
	}
	for {
		l, ok := next()
		if !ok {
			break
		}
		t := strings.TrimSpace(l)
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		case strings.HasPrefix(t, "onlyif ") || strings.HasPrefix(t, "skipif "):
			kw, name, _ := strings.Cut(t, " ")
			name = strings.TrimSpace(name)
			if name == "" || strings.ContainsAny(name, " \t") {
				return nil, fmt.Errorf("line %d: %s takes one engine name", line, kw)
			}
			if kw == "onlyif" {
				onlyIf = name
			} else {
				// Several skipif lines skip the record on each engine named.
				skipIf = strings.TrimPrefix(skipIf+","+name, ",")
			}
			continue
		case strings.HasPrefix(t, "as "):
			p, err := parseAs(strings.TrimSpace(t[3:]))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", line, err)
			}
			as = p
		case t == "statement ok" || strings.HasPrefix(t, "statement error"):
			rec := Record{Line: line, As: as, Kind: "statement", OnlyIf: onlyIf, SkipIf: skipIf}
			onlyIf, skipIf = "", ""
			if strings.HasPrefix(t, "statement error") {
				code, msg, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(t, "statement error")), " ")
				if !isSQLState(code) {
					return nil, fmt.Errorf("line %d: statement error needs the expected SQLSTATE first (statement error 42501 permission denied …)", line)
				}
				rec.WantCode, rec.WantError = code, strings.TrimSpace(msg)
			}
			var sql []string
			for {
				l, ok := next()
				if !ok || strings.TrimSpace(l) == "" {
					break
				}
				sql = append(sql, l)
			}
			rec.SQL = strings.Join(sql, "\n")
			if rec.SQL == "" {
				return nil, fmt.Errorf("line %d: statement without SQL", rec.Line)
			}
			out = append(out, rec)
		case t == "query" || strings.HasPrefix(t, "query "):
			rec := Record{Line: line, As: as, Kind: "query", OnlyIf: onlyIf, SkipIf: skipIf}
			onlyIf, skipIf = "", ""
			switch strings.TrimSpace(strings.TrimPrefix(t, "query")) {
			case "", "nosort":
			case "rowsort":
				rec.Sort = true
			default:
				return nil, fmt.Errorf("line %d: unknown query option in %q", line, t)
			}
			var sql []string
			sep := false
			for {
				l, ok := next()
				if !ok || strings.TrimSpace(l) == "" {
					break
				}
				if strings.TrimSpace(l) == "----" {
					sep = true
					break
				}
				sql = append(sql, l)
			}
			if !sep {
				return nil, fmt.Errorf("line %d: query without ---- and expected rows", rec.Line)
			}
			for {
				l, ok := next()
				if !ok || strings.TrimSpace(l) == "" {
					break
				}
				rec.Expected = append(rec.Expected, strings.TrimSpace(l))
			}
			rec.SQL = strings.Join(sql, "\n")
			out = append(out, rec)
		default:
			return nil, fmt.Errorf("line %d: unexpected %q", line, t)
		}
	}
	return out, sc.Err()
}

// isSQLState reports whether s is five digits or upper-case letters.
func isSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func parseAs(s string) (Principal, error) {
	if s == "superuser" {
		return Principal{Superuser: true}, nil
	}
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return Principal{}, fmt.Errorf("bad principal %q", s)
	}
	p := Principal{User: f[0]}
	if len(f) == 2 {
		g, ok := strings.CutPrefix(f[1], "groups=")
		if !ok {
			return Principal{}, fmt.Errorf("bad principal %q: want groups=a,b", s)
		}
		for _, x := range strings.Split(g, ",") {
			if x != "" {
				p.Groups = append(p.Groups, x)
			}
		}
	}
	return p, nil
}
