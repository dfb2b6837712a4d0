package ddl

import (
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// granteeKinds says which grantee forms a statement admits beyond a user
// name; Redshift's grammar differs per statement and a grantee it cannot
// name (IGNORE RLS to PUBLIC, a role to an RLS policy) is a syntax error.
type granteeKinds struct {
	role, public, group, rlsPolicy bool
}

var (
	// grantees of schema and database privileges.
	privilegeGrantees = granteeKinds{role: true, public: true, group: true}
	// grantees of table privileges: a policy may be granted SELECT on its lookup tables.
	tableGrantees = granteeKinds{role: true, public: true, group: true, rlsPolicy: true}
	// grantees of GRANT ROLE and the RLS/masking system privileges.
	userOrRole = granteeKinds{role: true}
	// grantees of ATTACH/DETACH.
	attachGrantees = granteeKinds{role: true, public: true}
)

func (p *parser) grantee(k granteeKinds) (Grantee, error) {
	t := p.peek()
	switch {
	case t.Is("role") && k.role:
		p.next()
		n, err := p.roleName()
		return Grantee{Kind: GranteeRole, Name: n}, err
	case t.Is("group") && k.group:
		// Redshift groups predate roles; tipgate keeps one kind of principal set.
		p.next()
		n, err := p.name("a group name")
		return Grantee{Kind: GranteeRole, Name: n}, err
	case t.Is("public") && k.public:
		p.next()
		return Grantee{Kind: GranteePublic}, nil
	case p.isKw("rls", "policy") && k.rlsPolicy:
		p.i += 2
		n, err := p.policyName()
		return Grantee{Kind: GranteeRLSPolicy, Name: n}, err
	case t.Is("public"), t.Is("group"), t.Is("role"):
		return Grantee{}, p.errAt(t, "this statement cannot name "+upper(t.Value)+" as a grantee")
	case t.Is("rls") && p.peekAt(1).Is("policy"):
		return Grantee{}, p.errAt(t, "an RLS POLICY can only be a grantee of GRANT SELECT ON tables")
	}
	n, err := p.name(granteeWords(k))
	return Grantee{Kind: GranteeUser, Name: n}, err
}

func granteeWords(k granteeKinds) string {
	s := "a user name"
	if k.role {
		s += ", ROLE"
	}
	if k.group {
		s += ", GROUP"
	}
	if k.public {
		s += ", PUBLIC"
	}
	if k.rlsPolicy {
		s += ", RLS POLICY"
	}
	return s
}

func (p *parser) grantees(k granteeKinds) ([]Grantee, error) {
	var out []Grantee
	for {
		g, err := p.grantee(k)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
		if !p.accept(sqlscan.Comma) {
			return out, nil
		}
	}
}

// toOrFrom reads the direction word and the grantee list.
func (p *parser) toOrFrom(revoke bool, k granteeKinds) ([]Grantee, error) {
	kw := "to"
	if revoke {
		kw = "from"
	}
	if err := p.expectKw(kw); err != nil {
		return nil, err
	}
	return p.grantees(k)
}

// revokeTail accepts REVOKE's CASCADE | RESTRICT, which tipgate has nothing
// to cascade to.
func (p *parser) revokeTail(revoke bool) {
	if revoke {
		p.acceptOneOf("cascade", "restrict")
	}
}

// grant parses everything after GRANT or REVOKE.
func (p *parser) grant(revoke bool) (Stmt, error) {
	if revoke {
		if p.acceptKw("admin", "option", "for") {
			if !p.peek().Is("role") {
				return nil, p.expected("ROLE")
			}
			return p.grantRole(true, true)
		}
		if p.isKw("grant", "option", "for") {
			// The AST cannot say "only the grant option", and reading it as a
			// full REVOKE would take away more than was asked.
			return nil, p.errAt(p.peek(), "REVOKE GRANT OPTION FOR is not supported: tipgate does not record grant options")
		}
	}
	switch {
	case p.peek().Is("role"):
		return p.grantRole(revoke, false)
	case p.isKw("ignore", "rls"), p.isKw("explain", "rls"), p.isKw("explain", "masking"):
		priv := p.next().Value + " " + p.next().Value
		gs, err := p.toOrFrom(revoke, userOrRole)
		if err != nil {
			return nil, err
		}
		p.revokeTail(revoke)
		return p.done(&GrantSystem{Revoke: revoke, Privilege: priv, Grantees: gs})
	case p.acceptKw("ignore"):
		return nil, p.expected("RLS")
	case p.acceptKw("explain"):
		return nil, p.expected("RLS or MASKING")
	}
	return p.grantObject(revoke)
}

// grantRole parses ROLE r [, [ROLE] r ...] TO|FROM grantees [WITH ADMIN OPTION].
// For REVOKE, AdminOption means REVOKE ADMIN OPTION FOR: the roles stay
// granted and only the right to pass them on is taken away.
func (p *parser) grantRole(revoke, adminFor bool) (Stmt, error) {
	p.next() // ROLE
	s := &GrantRole{Revoke: revoke, AdminOption: adminFor}
	for {
		r, err := p.roleName()
		if err != nil {
			return nil, err
		}
		s.Roles = append(s.Roles, r)
		if !p.accept(sqlscan.Comma) {
			break
		}
		p.acceptKw("role")
	}
	kw := "to"
	if revoke {
		kw = "from"
	}
	if err := p.expectKw(kw); err != nil {
		return nil, err
	}
	for {
		g, err := p.grantee(userOrRole)
		if err != nil {
			return nil, err
		}
		s.Grantees = append(s.Grantees, g)
		if !revoke && p.isKw("with", "admin", "option") {
			// Redshift writes the option per user, but the AST has one flag
			// for the statement, so it must close the list and cover it all.
			at := p.peek()
			p.i += 3
			if p.peek().Kind == sqlscan.Comma {
				return nil, p.errAt(at, "WITH ADMIN OPTION must follow the last grantee")
			}
			for _, g := range s.Grantees {
				if g.Kind != GranteeUser {
					return nil, p.errAt(at, "WITH ADMIN OPTION can only be granted to users")
				}
			}
			s.AdminOption = true
		}
		if !p.accept(sqlscan.Comma) {
			break
		}
	}
	p.revokeTail(revoke)
	return p.done(s)
}

// privilege is one item of a privilege list.
type privilege struct {
	name    string
	columns []string
	tok     sqlscan.Token
}

// privilegeWords are the object privileges the grammar knows; which objects
// they apply to is checked once ON has said what the object is.
var privilegeWords = []string{"select", "insert", "update", "delete", "references", "usage", "create", "temp", "temporary", "all"}

// grantObject parses privileges ON object TO|FROM grantees.
func (p *parser) grantObject(revoke bool) (Stmt, error) {
	var privs []privilege
	for {
		tok := p.peek()
		name, ok := p.acceptOneOf(privilegeWords...)
		if !ok {
			if len(privs) == 0 {
				return nil, p.expected("a privilege (SELECT, INSERT, UPDATE, DELETE, REFERENCES, USAGE, CREATE, ALL), ROLE, IGNORE RLS, EXPLAIN RLS or EXPLAIN MASKING")
			}
			return nil, p.expected("a privilege")
		}
		if name == "all" {
			p.acceptKw("privileges")
		}
		if name == "temporary" {
			name = "temp"
		}
		pr := privilege{name: name, tok: tok}
		if p.peek().Kind == sqlscan.LParen {
			cols, err := p.columnList()
			if err != nil {
				return nil, err
			}
			pr.columns = cols
		}
		privs = append(privs, pr)
		if !p.accept(sqlscan.Comma) {
			break
		}
	}
	if err := p.expectKw("on"); err != nil {
		return nil, err
	}
	switch {
	case p.peek().Is("schema"), p.peek().Is("database"):
		return p.grantUsage(revoke, privs)
	case p.acceptKw("all"):
		if err := p.expectKw("tables", "in", "schema"); err != nil {
			return nil, err
		}
		schema, err := p.name("a schema name")
		if err != nil {
			return nil, err
		}
		if p.peek().Kind == sqlscan.Comma {
			return nil, p.errAt(p.peek(), "only one schema per ON ALL TABLES IN SCHEMA")
		}
		return p.grantTables(revoke, privs, nil, schema)
	}
	for _, kw := range []string{"function", "procedure", "language", "datashare", "model", "external", "column"} {
		if p.peek().Is(kw) {
			return nil, p.errAt(p.peek(), "privileges on "+upper(kw)+" are not supported; expected TABLE, SCHEMA, DATABASE or ALL TABLES IN SCHEMA")
		}
	}
	p.acceptKw("table")
	tables, err := p.tableList()
	if err != nil {
		return nil, err
	}
	return p.grantTables(revoke, privs, tables, "")
}

func (p *parser) grantTables(revoke bool, privs []privilege, tables []TableName, schema string) (Stmt, error) {
	s := &GrantPrivilege{Revoke: revoke, Tables: tables, AllInSchema: schema}
	for i, pr := range privs {
		switch pr.name {
		case "select", "insert", "update", "delete", "references", "all":
		default:
			return nil, p.errAt(pr.tok, upper(pr.name)+" is not a table privilege")
		}
		if pr.columns != nil {
			if pr.name != "select" && pr.name != "update" && pr.name != "all" {
				return nil, p.errAt(pr.tok, "only SELECT, UPDATE and ALL can name columns")
			}
			if schema != "" {
				return nil, p.errAt(pr.tok, "column privileges need a table, not ALL TABLES IN SCHEMA")
			}
		}
		// One Columns list serves the whole statement, so every privilege
		// must name the same columns (or none).
		if i > 0 && !slices.Equal(pr.columns, privs[0].columns) {
			return nil, p.errAt(pr.tok, "every privilege in one statement must name the same columns")
		}
		s.Privileges = append(s.Privileges, pr.name)
	}
	s.Columns = privs[0].columns
	gs, err := p.toOrFrom(revoke, tableGrantees)
	if err != nil {
		return nil, err
	}
	s.Grantees = gs
	for _, g := range gs {
		if g.Kind == GranteeRLSPolicy && (len(s.Privileges) != 1 || s.Privileges[0] != "select" || s.Columns != nil) {
			return nil, p.errAt(privs[0].tok, "only table-level SELECT can be granted to an RLS POLICY")
		}
	}
	if !revoke && p.isKw("with", "grant", "option") {
		if s.Columns != nil {
			return nil, p.errAt(p.peek(), "WITH GRANT OPTION is not supported for column privileges")
		}
		// Grant options are not modelled; dropping one only narrows who may re-grant.
		p.i += 3
	}
	p.revokeTail(revoke)
	return p.done(s)
}

// grantUsage parses the schema and database forms, which tipgate accepts
// for compatibility and ignores (one database, one schema).
func (p *parser) grantUsage(revoke bool, privs []privilege) (Stmt, error) {
	object := p.next().Value
	allowed := map[string]bool{"usage": true, "create": true, "all": true}
	if object == "database" {
		allowed["temp"] = true
	}
	for _, pr := range privs {
		if !allowed[pr.name] {
			return nil, p.errAt(pr.tok, upper(pr.name)+" is not a "+object+" privilege")
		}
		if pr.columns != nil {
			return nil, p.errAt(pr.tok, "column lists apply to tables only")
		}
	}
	names, err := p.nameList(func() (string, error) { return p.name("a " + object + " name") })
	if err != nil {
		return nil, err
	}
	gs, err := p.toOrFrom(revoke, privilegeGrantees)
	if err != nil {
		return nil, err
	}
	if !revoke {
		p.acceptKw("with", "grant", "option")
	}
	p.revokeTail(revoke)
	return p.done(&GrantUsage{Revoke: revoke, Object: object, Names: names, Grantees: gs})
}

func upper(s string) string { return strings.ToUpper(s) }
