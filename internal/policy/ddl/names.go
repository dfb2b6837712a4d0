package ddl

import (
	"fmt"

	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// maxNameLen is Redshift's identifier limit in bytes.
const maxNameLen = 127

// reserved are PostgreSQL's reserved key words, which Redshift also refuses
// as unquoted names. Refusing them here turns "GRANT SELECT ON TABLE TO u"
// into an error at TO instead of a grant on a table named "to".
var reserved = map[string]bool{
	"all": true, "analyse": true, "analyze": true, "and": true, "any": true, "array": true,
	"as": true, "asc": true, "asymmetric": true, "both": true, "case": true, "cast": true,
	"check": true, "collate": true, "column": true, "constraint": true, "create": true,
	"current_catalog": true, "current_date": true, "current_role": true, "current_time": true,
	"current_timestamp": true, "current_user": true, "default": true, "deferrable": true,
	"desc": true, "distinct": true, "do": true, "else": true, "end": true, "except": true,
	"false": true, "fetch": true, "for": true, "foreign": true, "from": true, "grant": true,
	"group": true, "having": true, "in": true, "initially": true, "intersect": true,
	"into": true, "lateral": true, "leading": true, "limit": true, "localtime": true,
	"localtimestamp": true, "not": true, "null": true, "offset": true, "on": true,
	"only": true, "or": true, "order": true, "placing": true, "primary": true,
	"references": true, "returning": true, "select": true, "session_user": true,
	"some": true, "symmetric": true, "table": true, "then": true, "to": true,
	"trailing": true, "true": true, "union": true, "unique": true, "user": true,
	"using": true, "variadic": true, "when": true, "where": true, "window": true, "with": true,
}

// isName reports whether t can be read as a name.
func isName(t sqlscan.Token) bool {
	return t.Kind == sqlscan.QuotedIdent || (t.Kind == sqlscan.Ident && !reserved[t.Value])
}

// name reads one identifier; what names the expected thing in errors.
func (p *parser) name(what string) (string, error) {
	t := p.peek()
	if !isName(t) {
		return "", p.expected(what)
	}
	if len(t.Value) > maxNameLen {
		return "", p.errAt(t, "names are at most 127 bytes")
	}
	p.next()
	return t.Value, nil
}

// roleName reads a role name. Redshift writes its system roles unquoted
// with a colon (sys:secadmin); the lexer sees "sys" followed by the
// parameter ":secadmin", which is glued back together only when nothing
// separates the two.
func (p *parser) roleName() (string, error) {
	t, param := p.peek(), p.peekAt(1)
	if t.Is("sys") && param.Kind == sqlscan.Param && param.Pos == t.End && strings.HasPrefix(param.Text, ":") {
		p.i += 2
		n := "sys:" + strings.ToLower(param.Value)
		if len(n) > maxNameLen {
			return "", p.errAt(t, "names are at most 127 bytes")
		}
		return n, nil
	}
	return p.name("a role name")
}

// qualified reads up to max dot-separated names.
func (p *parser) qualified(what string, max int) ([]string, error) {
	var parts []string
	for {
		n, err := p.name(what)
		if err != nil {
			return nil, err
		}
		parts = append(parts, n)
		if p.peek().Kind != sqlscan.Dot {
			return parts, nil
		}
		if len(parts) == max {
			return nil, p.errAt(p.peek(), "too many dotted names")
		}
		p.next()
	}
}

// tableName reads [database.][schema.]name.
func (p *parser) tableName() (TableName, error) {
	parts, err := p.qualified("a table name", 3)
	if err != nil {
		return TableName{}, err
	}
	switch len(parts) {
	case 1:
		return TableName{Name: parts[0]}, nil
	case 2:
		return TableName{Schema: parts[0], Name: parts[1]}, nil
	}
	return TableName{Database: parts[0], Schema: parts[1], Name: parts[2]}, nil
}

// tableList reads t [, ...].
func (p *parser) tableList() ([]TableName, error) {
	var out []TableName
	for {
		t, err := p.tableName()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if !p.accept(sqlscan.Comma) {
			return out, nil
		}
	}
}

// DatabaseName is the one database tipgate serves (Redshift's default).
const DatabaseName = "dev"

// policyName reads policy or database.policy. Policies live in tipgate's one
// database; naming another is refused rather than silently acting here.
func (p *parser) policyName() (string, error) {
	pos := p.peek()
	parts, err := p.qualified("a policy name", 2)
	if err != nil {
		return "", err
	}
	if len(parts) == 2 && parts[0] != DatabaseName {
		return "", &SyntaxError{Pos: pos.Pos, Near: pos.Text, Msg: fmt.Sprintf("database %q does not exist (tipgate serves %q)", parts[0], DatabaseName)}
	}
	return parts[len(parts)-1], nil
}

// nameList reads name [, ...] with names read by one.
func (p *parser) nameList(one func() (string, error)) ([]string, error) {
	var out []string
	for {
		n, err := one()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.accept(sqlscan.Comma) {
			return out, nil
		}
	}
}

// columnList reads "(col [, ...])".
func (p *parser) columnList() ([]string, error) {
	if _, err := p.expect(sqlscan.LParen); err != nil {
		return nil, err
	}
	cols, err := p.nameList(func() (string, error) { return p.name("a column name") })
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(sqlscan.RParen); err != nil {
		return nil, err
	}
	return cols, nil
}

// pathList reads "(path [, ...])" where a path is a column or a SUPER path
// such as person.name.first_name, kept dot-joined.
func (p *parser) pathList() ([]string, error) {
	if _, err := p.expect(sqlscan.LParen); err != nil {
		return nil, err
	}
	paths, err := p.nameList(func() (string, error) {
		parts, err := p.qualified("a column name", 16)
		if err != nil {
			return "", err
		}
		return strings.Join(parts, "."), nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := p.expect(sqlscan.RParen); err != nil {
		return nil, err
	}
	return paths, nil
}
