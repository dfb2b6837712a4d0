package ddl

import (
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// typeContinuations lists the words that may follow a type word to make a
// multi-word type name. Only these are glued on: the word after a type in a
// column definition is usually a constraint (NOT NULL, DEFAULT, ENCODE).
var typeContinuations = map[string][]string{
	"double":    {"precision"},
	"character": {"varying"},
	"char":      {"varying"},
	"nchar":     {"varying"},
	"national":  {"character", "char"},
	"bit":       {"varying"},
}

var intervalFields = []string{"year", "month", "day", "hour", "minute", "second"}

// dataType reads a type as written and returns it with single spaces and
// upper-case key words ("CHARACTER VARYING(10)", "DECIMAL(10,2)",
// "TIMESTAMP WITHOUT TIME ZONE"), so the catalog compares types as text.
func (p *parser) dataType() (string, error) {
	t := p.peek()
	var words []string
	switch {
	case t.Kind == sqlscan.QuotedIdent:
		words = append(words, t.Text)
	case t.Kind == sqlscan.Ident && !reserved[t.Value]:
		words = append(words, strings.ToUpper(t.Text))
	default:
		return "", p.expected("a data type")
	}
	p.next()
	if t.Kind == sqlscan.Ident {
		for last := t.Value; ; {
			cont, ok := p.acceptOneOf(typeContinuations[last]...)
			if !ok {
				break
			}
			words = append(words, strings.ToUpper(cont))
			last = cont
		}
	}
	typ := strings.Join(words, " ")
	if p.peek().Kind == sqlscan.LParen {
		mods, err := p.typeModifiers()
		if err != nil {
			return "", err
		}
		typ += mods
	}
	if t.Is("time") || t.Is("timestamp") {
		for _, zone := range [][]string{{"with", "time", "zone"}, {"without", "time", "zone"}} {
			if p.acceptKw(zone...) {
				typ += " " + strings.ToUpper(strings.Join(zone, " "))
				break
			}
		}
	}
	if t.Is("interval") {
		// INTERVAL YEAR TO MONTH / DAY TO SECOND qualifiers.
		if f, ok := p.acceptOneOf(intervalFields...); ok {
			typ += " " + upper(f)
			if p.acceptKw("to") {
				f, ok := p.acceptOneOf(intervalFields...)
				if !ok {
					return "", p.expected("YEAR, MONTH, DAY, HOUR, MINUTE or SECOND")
				}
				typ += " TO " + upper(f)
			}
		}
	}
	if len(typ) > 4*maxNameLen {
		return "", p.errAt(t, "data type is too long")
	}
	return typ, nil
}

// typeModifiers reads "(n [, m])"; Redshift also allows MAX for lengths.
func (p *parser) typeModifiers() (string, error) {
	p.next() // (
	var mods []string
	for {
		t := p.peek()
		switch {
		case t.Kind == sqlscan.Number && isDigits(t.Text):
			mods = append(mods, t.Text)
		case t.Is("max"):
			mods = append(mods, "MAX")
		default:
			return "", p.expected("a type length or precision")
		}
		p.next()
		if !p.accept(sqlscan.Comma) {
			break
		}
		if len(mods) == 2 {
			return "", p.errAt(p.toks[p.i-1], "a type takes at most two modifiers")
		}
	}
	if _, err := p.expect(sqlscan.RParen); err != nil {
		return "", err
	}
	return "(" + strings.Join(mods, ",") + ")", nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parenExprs reads "(e [, ...])" and returns each top-level expression as
// the exact source text from its first to its last token. The lexer has
// already dealt with quotes and comments, so parentheses and commas inside
// them are not counted. With split false the whole content is one
// expression, commas included.
func (p *parser) parenExprs(split bool) ([]Expr, error) {
	open, err := p.expect(sqlscan.LParen)
	if err != nil {
		return nil, err
	}
	var out []Expr
	depth, first := 0, p.i
	for {
		t := p.peek()
		switch t.Kind {
		case sqlscan.EOF:
			return nil, p.errAt(t, `expected ")" to close the "(" at position `+strconv.Itoa(open.Pos+1))
		case sqlscan.LParen:
			depth++
		case sqlscan.RParen, sqlscan.Comma:
			if depth > 0 {
				if t.Kind == sqlscan.RParen {
					depth--
				}
				break
			}
			if t.Kind == sqlscan.Comma && !split {
				break
			}
			if p.i == first {
				return nil, p.expected("an expression")
			}
			out = append(out, p.span(first, p.i))
			p.next()
			if t.Kind == sqlscan.RParen {
				return out, nil
			}
			first = p.i
			continue
		}
		p.next()
	}
}

// span is the source text of tokens [from, to).
func (p *parser) span(from, to int) Expr {
	start := p.toks[from].Pos
	return Expr{Text: p.src[start:p.toks[to-1].End], Pos: start}
}
