package ddl

import (
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Parse parses one statement. A trailing semicolon is tolerated; anything
// after it is an error. Statements outside the security and table grammar
// come back as *Other.
func Parse(sql string) (Stmt, error) {
	toks, err := sqlscan.Tokens(sql)
	if err != nil {
		return nil, lexError(sql, err)
	}
	// Drop terminating semicolons, keeping EOF, so every parser below can
	// insist on EOF without caring whether the caller wrote one.
	end := len(toks) - 1
	for end > 0 && toks[end-1].Kind == sqlscan.Semicolon {
		end--
	}
	eof := toks[len(toks)-1]
	toks = append(toks[:end:end], eof)
	p := &parser{src: sql, toks: toks}
	if toks[0].Kind == sqlscan.EOF {
		return nil, p.errAt(toks[0], "empty statement")
	}
	for _, t := range toks {
		if t.Kind == sqlscan.Semicolon {
			return nil, p.errAt(t, "only one statement is allowed")
		}
	}
	return p.statement()
}

type parser struct {
	src  string
	toks []sqlscan.Token
	i    int
}

func (p *parser) peek() sqlscan.Token { return p.peekAt(0) }

func (p *parser) peekAt(n int) sqlscan.Token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() sqlscan.Token {
	t := p.toks[p.i]
	if t.Kind != sqlscan.EOF {
		p.i++
	}
	return t
}

// isKw reports whether the next tokens are the keywords kws, in order.
func (p *parser) isKw(kws ...string) bool {
	for n, kw := range kws {
		if !p.peekAt(n).Is(kw) {
			return false
		}
	}
	return true
}

// acceptKw consumes the keywords kws if they come next, all of them or none.
func (p *parser) acceptKw(kws ...string) bool {
	if !p.isKw(kws...) {
		return false
	}
	p.i += len(kws)
	return true
}

// expectKw consumes the keywords kws, failing at the first that is missing.
func (p *parser) expectKw(kws ...string) error {
	for _, kw := range kws {
		if !p.peek().Is(kw) {
			return p.expected(strings.ToUpper(kw))
		}
		p.next()
	}
	return nil
}

// acceptOneOf consumes and returns the lower-cased keyword if it is one of kws.
func (p *parser) acceptOneOf(kws ...string) (string, bool) {
	for _, kw := range kws {
		if p.peek().Is(kw) {
			p.next()
			return kw, true
		}
	}
	return "", false
}

func (p *parser) accept(k sqlscan.Kind) bool {
	if p.peek().Kind == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) expect(k sqlscan.Kind) (sqlscan.Token, error) {
	if p.peek().Kind != k {
		return sqlscan.Token{}, p.expected(k.String())
	}
	return p.next(), nil
}

func (p *parser) errAt(t sqlscan.Token, msg string) *SyntaxError {
	return &SyntaxError{Pos: t.Pos, Near: nearText(t), Msg: msg}
}

// expected reports the next token as unexpected; what names the alternatives.
func (p *parser) expected(what string) *SyntaxError {
	return p.errAt(p.peek(), "expected "+what)
}

// done insists the statement is over.
func (p *parser) done(s Stmt) (Stmt, error) {
	if p.peek().Kind != sqlscan.EOF {
		return nil, p.expected("end of statement")
	}
	return s, nil
}

// integer reads a non-negative integer that fits in 32 bits, the range
// Redshift uses for every count and limit in this grammar.
func (p *parser) integer() (int, error) {
	t := p.peek()
	if t.Kind != sqlscan.Number {
		return 0, p.expected("an integer")
	}
	n, err := strconv.ParseInt(t.Text, 10, 32)
	if err != nil || n < 0 {
		return 0, p.errAt(t, "expected an integer between 0 and 2147483647")
	}
	p.next()
	return int(n), nil
}

// signedInteger reads an integer with an optional minus sign (IDENTITY seeds).
func (p *parser) signedInteger() error {
	if t := p.peek(); t.Kind == sqlscan.Op && (t.Text == "-" || t.Text == "+") {
		p.next()
	}
	_, err := p.integer()
	return err
}

// str reads a string literal; what names it in the error when it is missing.
func (p *parser) str(what string) (string, error) {
	if p.peek().Kind != sqlscan.String {
		return "", p.expected(what)
	}
	return p.next().Value, nil
}

// statement dispatches on the leading keywords. Only the forms this package
// owns are parsed; the rest goes to the engine untouched.
func (p *parser) statement() (Stmt, error) {
	first := p.peek()
	switch {
	case first.Is("create"):
		return p.create()
	case first.Is("drop"):
		return p.drop()
	case first.Is("alter"):
		return p.alter()
	case first.Is("grant"), first.Is("revoke"):
		p.next()
		return p.grant(first.Is("revoke"))
	case first.Is("attach"), first.Is("detach"):
		return p.attachDetach()
	case first.Is("copy"):
		p.next()
		return p.copyStmt()
	}
	return p.other()
}

func (p *parser) other() (Stmt, error) {
	// A parenthesised query still says what it is after its parentheses.
	t := p.peek()
	for n := 0; t.Kind == sqlscan.LParen; n++ {
		t = p.peekAt(n + 1)
	}
	if t.Kind != sqlscan.Ident {
		return nil, p.errAt(t, "expected a statement")
	}
	last := p.toks[len(p.toks)-2]
	return &Other{Keyword: t.Value, Text: p.src[p.toks[0].Pos:last.End]}, nil
}

func (p *parser) create() (Stmt, error) {
	switch {
	case p.isKw("create", "user"):
		p.i += 2
		return p.createUser()
	case p.isKw("create", "role"):
		p.i += 2
		return p.createRole()
	case p.isKw("create", "rls"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.createRLSPolicy()
	case p.isKw("create", "masking"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.createMaskingPolicy()
	case p.isKw("create", "table"):
		p.i += 2
		return p.createTable()
	case p.isKw("create", "temp", "table"), p.isKw("create", "temporary", "table"):
		p.i += 3
		return p.createTable()
	case p.isKw("create", "local", "temp", "table"), p.isKw("create", "local", "temporary", "table"):
		p.i += 4
		return p.createTable()
	}
	// A table created through a dialect form Redshift lacks would bypass the
	// policy layer's view of the schema, so it is refused rather than passed on.
	for _, form := range [][]string{{"create", "or", "replace", "table"}, {"create", "or", "replace", "temp", "table"}, {"create", "or", "replace", "temporary", "table"}} {
		if p.isKw(form...) {
			return nil, p.errAt(p.peekAt(1), "Redshift has no CREATE OR REPLACE TABLE")
		}
	}
	return p.other()
}

func (p *parser) drop() (Stmt, error) {
	switch {
	case p.isKw("drop", "user"):
		p.i += 2
		return p.dropUser()
	case p.isKw("drop", "role"):
		p.i += 2
		return p.dropRole()
	case p.isKw("drop", "rls"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.dropRLSPolicy()
	case p.isKw("drop", "masking"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.dropMaskingPolicy()
	case p.isKw("drop", "table"):
		p.i += 2
		return p.dropTable()
	}
	return p.other()
}

func (p *parser) alter() (Stmt, error) {
	switch {
	case p.isKw("alter", "table"):
		p.i += 2
		return p.alterTable()
	case p.isKw("alter", "rls"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.alterRLSPolicy()
	case p.isKw("alter", "masking"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.alterMaskingPolicy()
	}
	return p.other()
}

// attachDetach owns ATTACH/DETACH RLS|MASKING POLICY; DuckDB's ATTACH and
// DETACH of databases are someone else's business.
func (p *parser) attachDetach() (Stmt, error) {
	detach := p.peek().Is("detach")
	switch {
	case p.peekAt(1).Is("rls"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.attachRLSPolicy(detach)
	case p.peekAt(1).Is("masking"):
		p.i += 2
		if err := p.expectKw("policy"); err != nil {
			return nil, err
		}
		return p.attachMaskingPolicy(detach)
	}
	return p.other()
}
