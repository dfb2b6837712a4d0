package trino

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	trinoclient "github.com/trinodb/trino-go-client/trino"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// readKeywords are the statements a principal may run: queries only.
// EXPLAIN is tipgate's to answer (Trino's would print the row filter).
var readKeywords = []string{"select", "with", "values", "table"}

// writeKeywords change data: a principal is denied them, as in Redshift
// without the privilege.
var writeKeywords = []string{"insert", "update", "delete", "merge", "truncate", "copy", "unload", "create", "drop", "alter", "grant", "revoke", "call", "set", "reset"}

// ioPlan is what EXPLAIN (TYPE IO, FORMAT JSON) says a statement reads and
// writes, as Trino's own parser and analyzer resolved it.
type ioPlan struct {
	Inputs []struct {
		Table struct {
			Catalog     string `json:"catalog"`
			SchemaTable struct {
				Schema string `json:"schema"`
				Table  string `json:"table"`
			} `json:"schemaTable"`
		} `json:"table"`
	} `json:"inputTableColumnInfos"`
	Output json.RawMessage `json:"outputTable"`
}

// checkIO admits a statement whose IO plan writes nothing and reads only
// tables of the warehouse schema other than the probe table: no system
// catalog, no information_schema, no other catalog. The plan comes from
// Trino's own parser and analyzer, run for the principal (so with the
// principal's rules): the grammar that decides is the one that executes,
// and no second parser can disagree with it. Table functions and system
// tables are also refused by the rules themselves (docs/trino.md).
func checkIO(planJSON, catalog, schema string) ([]string, error) {
	var p ioPlan
	if err := json.Unmarshal([]byte(planJSON), &p); err != nil {
		return nil, sqlerr.New(sqlerr.Internal, "the Trino IO plan does not parse: %v", err)
	}
	if out := strings.TrimSpace(string(p.Output)); out != "" && out != "null" {
		return nil, sqlerr.New(sqlerr.ReadOnly, "only read-only queries are allowed")
	}
	var tables []string
	for _, in := range p.Inputs {
		t := in.Table
		name := strings.ToLower(t.SchemaTable.Table)
		if !strings.EqualFold(t.Catalog, catalog) || !strings.EqualFold(t.SchemaTable.Schema, schema) || name == probeTable {
			return nil, sqlerr.PermissionDeniedRelation(fmt.Sprintf("%s.%s.%s", t.Catalog, t.SchemaTable.Schema, t.SchemaTable.Table))
		}
		if !slices.Contains(tables, name) {
			tables = append(tables, name)
		}
	}
	slices.Sort(tables)
	return tables, nil
}

// checkKeyword admits only a query: its first keyword, read with
// PostgreSQL's scanner (comments skipped), must start a query, and the
// query must pass checkForms.
func checkKeyword(text string) error {
	res, err := pg.Scan(text)
	if err != nil {
		return sqlerr.New(sqlerr.SyntaxError, "syntax error: empty or unreadable statement")
	}
	var toks []*pg.ScanToken
	for _, t := range res.Tokens {
		if t.Token != pg.Token_C_COMMENT && t.Token != pg.Token_SQL_COMMENT {
			toks = append(toks, t)
			continue
		}
		if !onlyTrinoComments(text[t.Start:t.End]) {
			// PostgreSQL nests block comments, Trino does not: in
			// "/* /* */ x */" one reads x and the other does not, so the
			// statement read here would not be the one Trino runs.
			return sqlerr.New(sqlerr.SyntaxError, "syntax error: nested comments are not supported on the Trino engine")
		}
	}
	for _, t := range toks {
		if t.Token == pg.Token_ASCII_40 { // "(SELECT …)"
			continue
		}
		w := strings.ToLower(text[t.Start:t.End])
		if slices.Contains(writeKeywords, w) {
			// Principals hold SELECT only (Trino's rules say the same).
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: %s needs a privilege tipgate grants on Trino to superusers only", strings.ToUpper(w))
		}
		if !slices.Contains(readKeywords, w) {
			return sqlerr.New(sqlerr.FeatureUnsupported, "%s statements are not supported on the Trino engine for users; only queries are", strings.ToUpper(w))
		}
		return checkForms(text, toks)
	}
	return sqlerr.New(sqlerr.SyntaxError, "syntax error: empty or unreadable statement")
}

// checkForms refuses, in a query (its tokens without comments), what
// Redshift has no counterpart of:
//   - table functions (TABLE(…)), which take whole tables as arguments;
//   - inline SQL routines (WITH FUNCTION), which run the principal's code
//     on the rows they are handed;
//   - time travel (FOR VERSION | TIMESTAMP | SYSTEM_TIME AS OF), which reads
//     an older snapshot of a table.
func checkForms(text string, toks []*pg.ScanToken) error {
	word := func(i int) string {
		if i >= len(toks) {
			return ""
		}
		return strings.ToLower(text[toks[i].Start:toks[i].End])
	}
	for i := range toks {
		switch w := word(i); {
		case w == "table" && word(i+1) == "(":
			// TABLE(fn(…)) and a table argument TABLE(t): Redshift has no
			// table functions, and Trino's polymorphic ones take whole tables.
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: table functions are not supported on the Trino engine")
		case w == "with" && word(i+1) == "function":
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: inline functions (WITH FUNCTION) are not supported on the Trino engine")
		case w == "for" && (word(i+1) == "version" || word(i+1) == "timestamp" || word(i+1) == "system_time") && word(i+2) == "as" && word(i+3) == "of":
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: time travel (FOR %s AS OF) is not supported", strings.ToUpper(word(i+1)))
		}
	}
	return nil
}

// onlyTrinoComments reports whether s, a comment to PostgreSQL's scanner,
// is only comments and space as Trino reads them: a block comment ends at
// its first "*/".
func onlyTrinoComments(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t\r\n\f\v")
		switch {
		case s == "":
			return true
		case strings.HasPrefix(s, "--"):
			end := strings.IndexAny(s, "\r\n")
			if end < 0 {
				return true
			}
			s = s[end:]
		case strings.HasPrefix(s, "/*"):
			end := strings.Index(s[2:], "*/")
			if end < 0 {
				return false
			}
			s = s[2+end+2:]
		default:
			return false
		}
	}
}

// placeholders writes each $1, $2, … (tipgate's spelling on every engine)
// as the literal of its argument, spelt by trino-go-client's own Serial:
// the literal the client would send in EXECUTE … USING. Inlined, not bound:
// Trino refuses parameters in EXPLAIN ("Incorrect number of parameters"),
// and the guard must analyse exactly the statement that runs. Serial
// quotes strings (” doubled; Trino's literals have no other escape) and
// refuses types it cannot spell. It returns no arguments to bind.
func placeholders(text string, args []any) (string, []any, error) {
	if len(args) == 0 {
		return text, nil, nil
	}
	res, err := pg.Scan(text)
	if err != nil {
		return "", nil, sqlerr.New(sqlerr.SyntaxError, "syntax error: %v", err)
	}
	var b strings.Builder
	pos := 0
	for _, t := range res.Tokens {
		if t.Token != pg.Token_PARAM {
			continue
		}
		var n int
		if _, err := fmt.Sscanf(text[t.Start+1:t.End], "%d", &n); err != nil || n < 1 || n > len(args) {
			return "", nil, sqlerr.New(sqlerr.InvalidParameter, "there is no parameter %s", text[t.Start:t.End])
		}
		lit, err := trinoclient.Serial(args[n-1])
		if err != nil {
			return "", nil, sqlerr.New(sqlerr.InvalidParameter, "parameter %s: %v", text[t.Start:t.End], err)
		}
		b.WriteString(text[pos:t.Start])
		// Parenthesised: a literal next to an operator stays one operand.
		b.WriteString("(" + lit + ")")
		pos = int(t.End)
	}
	b.WriteString(text[pos:])
	return b.String(), nil, nil
}

// truncateTable spells Redshift's TRUNCATE [TABLE] t as Trino's TRUNCATE
// TABLE t.
func truncateTable(text string) string {
	res, err := pg.Scan(text)
	if err != nil || len(res.Tokens) < 2 || res.Tokens[0].Token != pg.Token_TRUNCATE || res.Tokens[1].Token == pg.Token_TABLE {
		return text
	}
	at := res.Tokens[0].End
	return text[:at] + " TABLE" + text[at:]
}

// redshiftNames rewrites, on PostgreSQL's tokens, what a principal's
// Redshift SQL spells otherwise than Trino: session_user, user and
// current_role[()] mean the principal, Trino's current_user. It also
// returns the catalog tables the statement names, which Trino's IO plan
// leaves out when the optimizer removed a scan (a row filter of false).
func redshiftNames(cat *policy.Catalog, text string) (string, []string) {
	res, err := pg.Scan(text)
	if err != nil {
		return text, nil
	}
	toks := res.Tokens
	var b strings.Builder
	var named []string
	pos := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.Token {
		case pg.Token_SESSION_USER, pg.Token_USER, pg.Token_CURRENT_ROLE:
			end := t.End
			if i+2 < len(toks) && toks[i+1].Token == pg.Token_ASCII_40 && toks[i+2].Token == pg.Token_ASCII_41 {
				end = toks[i+2].End
				i += 2
			}
			b.WriteString(text[pos:t.Start])
			b.WriteString("current_user")
			pos = int(end)
		case pg.Token_IDENT:
			if i > 0 && toks[i-1].Token == pg.Token_ASCII_46 {
				continue
			}
			name := strings.ToLower(strings.Trim(text[t.Start:t.End], `"`))
			if _, ok := cat.Table(name); ok && !slices.Contains(named, name) {
				named = append(named, name)
			}
		}
	}
	b.WriteString(text[pos:])
	return b.String(), named
}

// limitOffset spells PostgreSQL's and Redshift's `LIMIT n OFFSET m` as
// Trino's `OFFSET m LIMIT n`: Trino's grammar takes OFFSET before LIMIT
// only ("mismatched input 'OFFSET'"). It works on PostgreSQL's tokens, at
// every parenthesis depth; text it cannot scan is returned unchanged (Trino
// then reports the syntax error).
func limitOffset(text string) string {
	res, err := pg.Scan(text)
	if err != nil {
		return text
	}
	toks := res.Tokens
	// next returns the index of the first token from i at depth 0 (relative
	// to i) that stop accepts, or that closes the enclosing parenthesis;
	// len(toks) if none.
	next := func(i int, stop func(pg.Token) bool) int {
		d := 0
		for ; i < len(toks); i++ {
			switch tk := toks[i].Token; {
			case tk == pg.Token_ASCII_40:
				d++
			case tk == pg.Token_ASCII_41:
				if d == 0 {
					return i
				}
				d--
			case d == 0 && stop(tk):
				return i
			}
		}
		return i
	}
	var b strings.Builder
	pos := 0
	for i, t := range toks {
		if t.Token != pg.Token_LIMIT || int(t.Start) < pos {
			continue
		}
		j := next(i+1, func(tk pg.Token) bool { return tk == pg.Token_OFFSET || tk == pg.Token_ASCII_59 })
		if j == len(toks) || toks[j].Token != pg.Token_OFFSET {
			continue
		}
		k := next(j+1, func(tk pg.Token) bool { return tk == pg.Token_ASCII_59 })
		end := len(text)
		if k < len(toks) {
			end = int(toks[k].Start)
		}
		commented := false
		for _, c := range toks[i:k] {
			// Moved, a -- comment would swallow what follows it.
			commented = commented || c.Token == pg.Token_SQL_COMMENT || c.Token == pg.Token_C_COMMENT
		}
		if commented {
			continue
		}
		limit := strings.TrimSpace(text[t.End:toks[j].Start])
		raw := text[toks[j].End:end]
		offset := strings.TrimSpace(raw)
		trailing := raw[len(strings.TrimRight(raw, " \t\r\n")):]
		b.WriteString(text[pos:t.Start])
		b.WriteString("OFFSET " + offset + " LIMIT " + limit + trailing)
		pos = end
	}
	b.WriteString(text[pos:])
	return b.String()
}
