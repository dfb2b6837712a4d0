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
		if from, typ, end, ok := castAt(expr, toks, i); ok && from == i {
			inner, err := translate(expr[t.Start:toks[typ-2].End], user)
			if err != nil {
				return "", err
			}
			emit(t.Start, "CAST("+inner+" AS "+trinoType(expr[toks[typ].Start:toks[end].End])+")")
			pos = int(toks[end].End)
			i = end
			continue
		}
		switch {
		case t.Token == pg.Token_TYPECAST:
			// Only reached when castOperand found no operand: a cast
			// with an operand is rewritten where the operand starts.
			return "", sqlerr.New(sqlerr.FeatureUnsupported, "the Trino engine cannot translate this :: cast; write CAST(x AS type)")
		case t.Token == pg.Token_CURRENT_USER || t.Token == pg.Token_SESSION_USER || t.Token == pg.Token_USER:
			emit(t.Start, qs(user))
			pos = int(t.End)
		case isFuncName(t) && i+1 < len(toks) && toks[i+1].Token == pg.Token_ASCII_40:
			args, end, ok := callArgs(expr, toks, i+1)
			if !ok {
				continue
			}
			if !((word == "nvl" || word == "left" || word == "right") && len(args) == 2) && !(word == "len" && len(args) == 1) {
				continue
			}
			// Arguments may hold current_user or calls themselves: each is
			// translated once, before it is placed (right() places its
			// first argument twice).
			for k, a := range args {
				if args[k], err = translate(a, user); err != nil {
					return "", err
				}
			}
			var inner string
			switch word {
			case "nvl":
				inner = "coalesce(" + args[0] + ", " + args[1] + ")"
			case "len":
				inner = "length(" + args[0] + ")"
			case "left":
				inner = "substr(" + args[0] + ", 1, greatest(" + args[1] + ", 0))"
			case "right":
				inner = "substr(" + args[0] + ", greatest(length(" + args[0] + ") - (" + args[1] + ") + 1, 1))"
			}
			if len(inner) > maxTranslated {
				return "", sqlerr.New(sqlerr.InvalidParameter, "policy expression is too long once translated for Trino (over %d bytes)", maxTranslated)
			}
			emit(t.Start, inner)
			pos = int(toks[end].End)
			i = end
		}
	}
	b.WriteString(expr[pos:])
	if b.Len() > maxTranslated {
		// right() places its first argument twice: nested calls double.
		return "", sqlerr.New(sqlerr.InvalidParameter, "policy expression is too long once translated for Trino (over %d bytes)", maxTranslated)
	}
	return b.String(), nil
}

// maxTranslated bounds a translated expression.
const maxTranslated = 64 << 10

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

// castAt finds a :: cast whose operand starts at token i: it returns the
// operand's first token (i), the first token of the type and the type's
// last token. The operand is one token, a qualified name, or a
// parenthesised group (with the function name before it); the type is
// one or more words (double precision, character varying, timestamp with
// time zone) with an optional (n[, m]).
func castAt(expr string, toks []*pg.ScanToken, i int) (from, typ, end int, ok bool) {
	// Find the end of an operand starting at i.
	j := i
	isWord := func(k int) bool {
		return k < len(toks) && (toks[k].Token == pg.Token_IDENT || toks[k].KeywordKind != pg.KeywordKind_NO_KEYWORD)
	}
	switch {
	case toks[i].Token == pg.Token_ASCII_40:
		_, close, found := callArgs(expr, toks, i)
		if !found {
			return 0, 0, 0, false
		}
		j = close
	case isFuncName(toks[i]) && i+1 < len(toks) && toks[i+1].Token == pg.Token_ASCII_40:
		_, close, found := callArgs(expr, toks, i+1)
		if !found {
			return 0, 0, 0, false
		}
		j = close
	case !isWord(i) && !isConst(toks[i]):
		return 0, 0, 0, false
	default:
		for j+2 < len(toks) && toks[j+1].Token == pg.Token_ASCII_46 && isWord(j+2) {
			j += 2
		}
	}
	if j+2 >= len(toks) || toks[j+1].Token != pg.Token_TYPECAST || !isWord(j+2) {
		return 0, 0, 0, false
	}
	// The operand must not itself be the end of an earlier cast's operand
	// chain: x::a::b casts the cast (handled when the first cast's text is
	// translated again). The operand ends at j; the type starts at j+2.
	typ = j + 2
	end = typ
	typeWords := map[string]bool{"precision": true, "varying": true, "with": true, "without": true, "time": true, "zone": true}
	for end+1 < len(toks) && isWord(end+1) && typeWords[strings.ToLower(expr[toks[end+1].Start:toks[end+1].End])] {
		end++
	}
	if end+1 < len(toks) && toks[end+1].Token == pg.Token_ASCII_40 {
		_, close, found := callArgs(expr, toks, end+1)
		if !found {
			return 0, 0, 0, false
		}
		end = close
	}
	return i, typ, end, true
}

// isFuncName reports a token that can name a function: an identifier or a
// keyword that is not reserved (AND, OR, NOT… before "(" are operators).
func isFuncName(t *pg.ScanToken) bool {
	return t.Token == pg.Token_IDENT || (t.KeywordKind != pg.KeywordKind_NO_KEYWORD && t.KeywordKind != pg.KeywordKind_RESERVED_KEYWORD)
}

func isConst(t *pg.ScanToken) bool {
	switch t.Token {
	case pg.Token_SCONST, pg.Token_ICONST, pg.Token_FCONST, pg.Token_BCONST, pg.Token_XCONST, pg.Token_USCONST, pg.Token_PARAM:
		return true
	}
	return false
}

// qualify replaces a policy's alias before "." with the table's name: in
// a Trino row filter the table is in scope under its own name, not under
// the alias the policy declared (WITH (…) AS alias). Unqualified columns
// would bind to a lookup table's column of the same name inside a
// subquery, so the qualifier is kept, renamed.
func qualify(expr, alias, table string) (string, error) {
	if alias == "" {
		return expr, nil
	}
	res, err := pg.Scan(expr)
	if err != nil {
		return "", sqlerr.Wrap(sqlerr.SyntaxError, err, "policy expression does not scan: %v", err)
	}
	var b strings.Builder
	pos := 0
	toks := res.Tokens
	for i, t := range toks {
		if !isFuncName(t) || i+1 >= len(toks) || toks[i+1].Token != pg.Token_ASCII_46 || (i > 0 && toks[i-1].Token == pg.Token_ASCII_46) {
			continue
		}
		name := expr[t.Start:t.End]
		if strings.HasPrefix(name, `"`) {
			name = strings.ReplaceAll(strings.Trim(name, `"`), `""`, `"`)
		} else {
			name = strings.ToLower(name)
		}
		if name != strings.ToLower(alias) {
			continue
		}
		b.WriteString(expr[pos:t.Start])
		b.WriteString(qi(table))
		pos = int(t.End)
	}
	b.WriteString(expr[pos:])
	return b.String(), nil
}
