package ddl

import (
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// createUser parses the rest of CREATE USER. Options may come in any order,
// each once, as in Redshift. Only CREATEUSER and the presence of a password
// reach the AST; the password text is consumed and forgotten.
func (p *parser) createUser() (Stmt, error) {
	name, err := p.name("a user name")
	if err != nil {
		return nil, err
	}
	s := &CreateUser{Name: name}
	p.acceptKw("with")
	seen := map[string]bool{}
	for p.peek().Kind != sqlscan.EOF {
		opt := p.peek()
		key := opt.Value
		switch {
		case opt.Is("password"):
			p.next()
			switch {
			case p.peek().Kind == sqlscan.String:
				p.next()
				s.HasPassword = true
			case p.peek().Is("disable"):
				p.next()
			default:
				// Point at PASSWORD, not at what follows: an unquoted or
				// double-quoted password is still a password.
				return nil, p.errAt(opt, "expected a quoted password or DISABLE after PASSWORD")
			}
		case opt.Is("createuser"), opt.Is("nocreateuser"):
			p.next()
			key = "createuser"
			s.Superuser = opt.Is("createuser")
		case opt.Is("createdb"), opt.Is("nocreatedb"):
			p.next()
			key = "createdb"
		case opt.Is("syslog"):
			p.next()
			if err := p.expectKw("access"); err != nil {
				return nil, err
			}
			if _, ok := p.acceptOneOf("restricted", "unrestricted"); !ok {
				return nil, p.expected("RESTRICTED or UNRESTRICTED")
			}
		case opt.Is("valid"):
			p.next()
			if err := p.expectKw("until"); err != nil {
				return nil, err
			}
			if _, err := p.str("a quoted timestamp"); err != nil {
				return nil, err
			}
		case opt.Is("connection"):
			p.next()
			if err := p.expectKw("limit"); err != nil {
				return nil, err
			}
			if !p.acceptKw("unlimited") {
				if _, err := p.integer(); err != nil {
					return nil, err
				}
			}
		case opt.Is("session"):
			p.next()
			if err := p.expectKw("timeout"); err != nil {
				return nil, err
			}
			if _, err := p.integer(); err != nil {
				return nil, err
			}
		case opt.Is("externalid"):
			p.next()
			if _, err := p.externalID(); err != nil {
				return nil, err
			}
		default:
			return nil, p.expected("a CREATE USER option (PASSWORD, CREATEUSER, NOCREATEUSER, CREATEDB, NOCREATEDB, SYSLOG ACCESS, VALID UNTIL, CONNECTION LIMIT, SESSION TIMEOUT, EXTERNALID)")
		}
		if seen[key] {
			return nil, p.errAt(opt, "conflicting or redundant options")
		}
		seen[key] = true
	}
	return s, nil
}

// externalID reads the identity-provider id of a user or role, which
// Redshift's examples write as a name, a quoted name or a string.
func (p *parser) externalID() (string, error) {
	t := p.peek()
	switch t.Kind {
	case sqlscan.Ident, sqlscan.QuotedIdent, sqlscan.String, sqlscan.Number:
		if len(t.Value) > 1024 {
			return "", p.errAt(t, "external id is too long")
		}
		p.next()
		return t.Value, nil
	}
	return "", p.expected("an external id")
}

func (p *parser) dropUser() (Stmt, error) {
	s := &DropUser{IfExists: p.acceptKw("if", "exists")}
	names, err := p.nameList(func() (string, error) { return p.name("a user name") })
	if err != nil {
		return nil, err
	}
	s.Names = names
	return p.done(s)
}

func (p *parser) createRole() (Stmt, error) {
	name, err := p.roleName()
	if err != nil {
		return nil, err
	}
	s := &CreateRole{Name: name}
	if p.acceptKw("externalid") {
		if s.ExternalID, err = p.externalID(); err != nil {
			return nil, err
		}
	}
	return p.done(s)
}

func (p *parser) dropRole() (Stmt, error) {
	name, err := p.roleName()
	if err != nil {
		return nil, err
	}
	s := &DropRole{Name: name}
	if kw, ok := p.acceptOneOf("force", "restrict"); ok {
		s.Force = kw == "force"
	}
	return p.done(s)
}
