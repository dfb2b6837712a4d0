package trino

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// translate turns a Redshift policy expression (already checked by the
// catalog with PostgreSQL's grammar) into Trino SQL for a rule of user:
// current_user and session_user become the user's name as a literal (the
// rule is the user's alone, and a filter evaluated in the service user's
// environment would otherwise see the service user), and the few Redshift
// functions Trino spells otherwise are rewritten. It works on PostgreSQL's
// tokens, not on text, so names and literals are never mistaken for one
// another; anything it cannot translate is an error at compile time, never
// a rule with another meaning.
func translate(expr, user string) (string, error) {
	res, err := pg.Scan(expr)
	if err != nil {
		return "", sqlerr.Wrap(sqlerr.SyntaxError, err, "policy expression does not scan: %v", err)
	}
	toks := res.Tokens
	var b strings.Builder
	pos := 0
	emit := func(upTo int32, text string) {
		b.WriteString(expr[pos:int(upTo)])
		b.WriteString(text)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		word := strings.ToLower(expr[t.Start:t.End])
		switch {
		case t.Token == pg.Token_TYPECAST:
			return "", sqlerr.New(sqlerr.FeatureUnsupported, "the Trino engine does not translate :: casts in policy expressions; write CAST(x AS type)")
		case t.Token == pg.Token_CURRENT_USER || t.Token == pg.Token_SESSION_USER || t.Token == pg.Token_USER:
			emit(t.Start, qs(user))
			pos = int(t.End)
		case (t.Token == pg.Token_IDENT || t.KeywordKind != pg.KeywordKind_NO_KEYWORD) && i+1 < len(toks) && toks[i+1].Token == pg.Token_ASCII_40:
			args, end, ok := callArgs(expr, toks, i+1)
			if !ok {
				continue
			}
			var repl string
			switch {
			case word == "nvl" && len(args) == 2:
				repl = "coalesce(" + args[0] + ", " + args[1] + ")"
			case word == "len" && len(args) == 1:
				repl = "length(" + args[0] + ")"
			case word == "left" && len(args) == 2:
				repl = "substr(" + args[0] + ", 1, greatest(" + args[1] + ", 0))"
			case word == "right" && len(args) == 2:
				repl = "substr(" + args[0] + ", greatest(length(" + args[0] + ") - (" + args[1] + ") + 1, 1))"
			default:
				continue
			}
			// Arguments may hold current_user or calls themselves.
			inner, err := translate(repl, user)
			if err != nil {
				return "", err
			}
			emit(t.Start, inner)
			pos = int(toks[end].End)
			i = end
		}
	}
	b.WriteString(expr[pos:])
	return b.String(), nil
}

// callArgs splits the arguments of the call whose "(" is toks[open],
// returning them as text and the index of the closing ")".
func callArgs(expr string, toks []*pg.ScanToken, open int) ([]string, int, bool) {
	depth := 0
	start := toks[open].End
	var args []string
	for j := open; j < len(toks); j++ {
		switch toks[j].Token {
		case pg.Token_ASCII_40:
			depth++
		case pg.Token_ASCII_41:
			depth--
			if depth == 0 {
				if a := strings.TrimSpace(expr[start:toks[j].Start]); a != "" || len(args) > 0 {
					args = append(args, a)
				}
				return args, j, true
			}
		case pg.Token_ASCII_44:
			if depth == 1 {
				args = append(args, strings.TrimSpace(expr[start:toks[j].Start]))
				start = toks[j].End
			}
		}
	}
	return nil, 0, false
}
