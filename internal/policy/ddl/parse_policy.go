package ddl

import (
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// typedColumns reads "(col type [, ...])", the input list of RLS and
// masking policies.
func (p *parser) typedColumns() ([]ColumnDef, error) {
	if _, err := p.expect(sqlscan.LParen); err != nil {
		return nil, err
	}
	var out []ColumnDef
	for {
		n, err := p.name("a column name")
		if err != nil {
			return nil, err
		}
		typ, err := p.dataType()
		if err != nil {
			return nil, err
		}
		out = append(out, ColumnDef{Name: n, Type: typ})
		if !p.accept(sqlscan.Comma) {
			break
		}
	}
	if _, err := p.expect(sqlscan.RParen); err != nil {
		return nil, err
	}
	return out, nil
}

// using reads USING ( predicate ) as one expression.
func (p *parser) using() (Expr, error) {
	if err := p.expectKw("using"); err != nil {
		return Expr{}, err
	}
	es, err := p.parenExprs(false)
	if err != nil {
		return Expr{}, err
	}
	return es[0], nil
}

// usingTuple reads USING ( e [, ...] ), a masking policy's outputs.
func (p *parser) usingTuple() ([]Expr, error) {
	if err := p.expectKw("using"); err != nil {
		return nil, err
	}
	return p.parenExprs(true)
}

func (p *parser) createRLSPolicy() (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	s := &CreateRLSPolicy{Name: name}
	if p.acceptKw("with") {
		if s.With, err = p.typedColumns(); err != nil {
			return nil, err
		}
		// The alias may be written without AS; anything but USING is one.
		if p.acceptKw("as") || (isName(p.peek()) && !p.peek().Is("using")) {
			if s.Alias, err = p.name("an alias"); err != nil {
				return nil, err
			}
		}
	}
	if s.Using, err = p.using(); err != nil {
		return nil, err
	}
	return p.done(s)
}

func (p *parser) alterRLSPolicy() (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	s := &AlterRLSPolicy{Name: name}
	if s.Using, err = p.using(); err != nil {
		return nil, err
	}
	return p.done(s)
}

// dropPolicy reads [IF EXISTS] p [CASCADE | RESTRICT], shared by both kinds.
func (p *parser) dropPolicy() (name string, ifExists, cascade bool, err error) {
	ifExists = p.acceptKw("if", "exists")
	if name, err = p.policyName(); err != nil {
		return "", false, false, err
	}
	kw, _ := p.acceptOneOf("cascade", "restrict")
	return name, ifExists, kw == "cascade", nil
}

func (p *parser) dropRLSPolicy() (Stmt, error) {
	name, ifExists, cascade, err := p.dropPolicy()
	if err != nil {
		return nil, err
	}
	return p.done(&DropRLSPolicy{Name: name, IfExists: ifExists, Cascade: cascade})
}

func (p *parser) attachRLSPolicy(detach bool) (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	if err := p.expectKw("on"); err != nil {
		return nil, err
	}
	p.acceptKw("table")
	tables, err := p.tableList()
	if err != nil {
		return nil, err
	}
	gs, err := p.toOrFrom(detach, attachGrantees)
	if err != nil {
		return nil, err
	}
	return p.done(&AttachRLSPolicy{Detach: detach, Policy: name, Tables: tables, Grantees: gs})
}

func (p *parser) createMaskingPolicy() (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	s := &CreateMaskingPolicy{Name: name, IfNotExists: p.acceptKw("if", "not", "exists")}
	if err := p.expectKw("with"); err != nil {
		return nil, err
	}
	if s.Inputs, err = p.typedColumns(); err != nil {
		return nil, err
	}
	if s.Using, err = p.usingTuple(); err != nil {
		return nil, err
	}
	return p.done(s)
}

func (p *parser) alterMaskingPolicy() (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	s := &AlterMaskingPolicy{Name: name}
	if s.Using, err = p.usingTuple(); err != nil {
		return nil, err
	}
	return p.done(s)
}

func (p *parser) dropMaskingPolicy() (Stmt, error) {
	name, ifExists, cascade, err := p.dropPolicy()
	if err != nil {
		return nil, err
	}
	return p.done(&DropMaskingPolicy{Name: name, IfExists: ifExists, Cascade: cascade})
}

// attachMaskingPolicy parses ATTACH ... ON t (out, ...) [USING (in, ...)]
// TO grantee [PRIORITY n] and DETACH ... ON t (out, ...) FROM grantee.
// Redshift admits exactly one grantee per statement.
func (p *parser) attachMaskingPolicy(detach bool) (Stmt, error) {
	name, err := p.policyName()
	if err != nil {
		return nil, err
	}
	s := &AttachMaskingPolicy{Detach: detach, Policy: name}
	if err := p.expectKw("on"); err != nil {
		return nil, err
	}
	p.acceptKw("table")
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if s.Outputs, err = p.pathList(); err != nil {
		return nil, err
	}
	if !detach && p.acceptKw("using") {
		if s.Inputs, err = p.pathList(); err != nil {
			return nil, err
		}
	}
	kw := "to"
	if detach {
		kw = "from"
	}
	if err := p.expectKw(kw); err != nil {
		return nil, err
	}
	if s.Grantee, err = p.grantee(attachGrantees); err != nil {
		return nil, err
	}
	if p.peek().Kind == sqlscan.Comma {
		return nil, p.errAt(p.peek(), "a masking policy is attached to one grantee per statement")
	}
	if !detach && p.acceptKw("priority") {
		if s.Priority, err = p.integer(); err != nil {
			return nil, err
		}
	}
	return p.done(s)
}
