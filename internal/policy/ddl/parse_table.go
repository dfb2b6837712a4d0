package ddl

import (
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// createTable parses the rest of CREATE [TEMP] TABLE; the TEMP keyword has
// already been consumed and is not kept (the AST has no field for it).
func (p *parser) createTable() (Stmt, error) {
	s := &CreateTable{IfNotExists: p.acceptKw("if", "not", "exists")}
	var err error
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.peek().Kind == sqlscan.LParen {
		if s.Columns, err = p.tableElements(); err != nil {
			return nil, err
		}
		if err := p.tableAttributes(); err != nil {
			return nil, err
		}
		return p.done(s)
	}
	if err := p.tableAttributes(); err != nil {
		return nil, err
	}
	if !p.acceptKw("as") {
		return nil, p.expected(`"(" or AS`)
	}
	if p.peek().Kind == sqlscan.EOF {
		return nil, p.expected("a query")
	}
	last := len(p.toks) - 1 // EOF
	s.AsQuery = p.span(p.i, last).Text
	p.i = last
	return s, nil
}

// tableElements reads "(column | table constraint, ...)".
func (p *parser) tableElements() ([]ColumnDef, error) {
	p.next() // (
	var cols []ColumnDef
	for {
		switch {
		case p.peek().Is("like"):
			return nil, p.errAt(p.peek(), "CREATE TABLE ... (LIKE ...) is not supported; list the columns")
		case p.isTableConstraint():
			if err := p.tableConstraint(); err != nil {
				return nil, err
			}
		default:
			c, err := p.columnDef()
			if err != nil {
				return nil, err
			}
			cols = append(cols, c)
		}
		if !p.accept(sqlscan.Comma) {
			break
		}
	}
	if !p.accept(sqlscan.RParen) {
		return nil, p.expected(`"," or ")"`)
	}
	if len(cols) == 0 {
		return nil, p.errAt(p.toks[p.i-1], "a table needs at least one column")
	}
	return cols, nil
}

func (p *parser) isTableConstraint() bool {
	t := p.peek()
	return t.Is("constraint") || t.Is("primary") || t.Is("unique") || t.Is("foreign") || t.Is("check")
}

// tableConstraint reads and drops a table constraint: Redshift does not
// enforce them, and tipgate's engine does not need them to answer queries.
func (p *parser) tableConstraint() error {
	if p.acceptKw("constraint") {
		if _, err := p.name("a constraint name"); err != nil {
			return err
		}
	}
	switch {
	case p.acceptKw("primary"):
		if err := p.expectKw("key"); err != nil {
			return err
		}
		_, err := p.columnList()
		return err
	case p.acceptKw("unique"):
		_, err := p.columnList()
		return err
	case p.acceptKw("foreign"):
		if err := p.expectKw("key"); err != nil {
			return err
		}
		if _, err := p.columnList(); err != nil {
			return err
		}
		return p.references()
	case p.peek().Is("check"):
		return p.errAt(p.peek(), "Redshift does not support CHECK constraints")
	}
	return p.expected("PRIMARY KEY, UNIQUE or FOREIGN KEY")
}

// references reads REFERENCES t [(col)].
func (p *parser) references() error {
	if err := p.expectKw("references"); err != nil {
		return err
	}
	if _, err := p.tableName(); err != nil {
		return err
	}
	if p.peek().Kind == sqlscan.LParen {
		_, err := p.columnList()
		return err
	}
	return nil
}

// columnDef reads name type [constraints and Redshift attributes].
func (p *parser) columnDef() (ColumnDef, error) {
	var c ColumnDef
	var err error
	if c.Name, err = p.name("a column name"); err != nil {
		return c, err
	}
	if c.Type, err = p.dataType(); err != nil {
		return c, err
	}
	seen := map[string]bool{}
	for {
		t := p.peek()
		key := t.Value
		switch {
		case p.acceptKw("not", "null"), p.acceptKw("null"):
			key = "null"
			c.NotNull = t.Is("not")
		case p.acceptKw("default"):
			if c.Default, err = p.defaultExpr(); err != nil {
				return c, err
			}
		case p.acceptKw("encode"):
			if _, err := p.name("an encoding"); err != nil {
				return c, err
			}
		case p.acceptKw("distkey"), p.acceptKw("sortkey"), p.acceptKw("unique"):
		case p.acceptKw("primary"):
			if err := p.expectKw("key"); err != nil {
				return c, err
			}
		case p.acceptKw("identity"):
			if err := p.identityArgs(); err != nil {
				return c, err
			}
		case p.acceptKw("generated"):
			key = "identity"
			if err := p.expectKw("by", "default", "as", "identity"); err != nil {
				return c, err
			}
			if err := p.identityArgs(); err != nil {
				return c, err
			}
		case p.acceptKw("collate"):
			if _, err := p.name("a collation"); err != nil {
				return c, err
			}
		case t.Is("references"):
			if err := p.references(); err != nil {
				return c, err
			}
		case p.acceptKw("constraint"):
			// A named column constraint; the name is dropped with it.
			if _, err := p.name("a constraint name"); err != nil {
				return c, err
			}
			continue
		default:
			return c, nil
		}
		if seen[key] {
			return c, p.errAt(t, "conflicting or redundant column options")
		}
		seen[key] = true
	}
}

// identityArgs reads "(seed, step)".
func (p *parser) identityArgs() error {
	if _, err := p.expect(sqlscan.LParen); err != nil {
		return err
	}
	if err := p.signedInteger(); err != nil {
		return err
	}
	if _, err := p.expect(sqlscan.Comma); err != nil {
		return err
	}
	if err := p.signedInteger(); err != nil {
		return err
	}
	_, err := p.expect(sqlscan.RParen)
	return err
}

// defaultStop are the words that end a DEFAULT expression at depth zero: the
// next column option. NOT and NULL right after IS or NOT belong to the
// expression (DEFAULT x IS NOT NULL).
var defaultStop = map[string]bool{
	"not": true, "null": true, "default": true, "encode": true, "distkey": true,
	"sortkey": true, "primary": true, "unique": true, "identity": true, "generated": true,
	"collate": true, "references": true, "constraint": true, "check": true,
}

// defaultExpr reads a DEFAULT expression up to the next column option or
// the end of the column, keeping it as source text.
func (p *parser) defaultExpr() (string, error) {
	first, depth := p.i, 0
	for {
		t := p.peek()
		stop := false
		switch t.Kind {
		case sqlscan.EOF:
			stop = true
		case sqlscan.LParen:
			depth++
		case sqlscan.RParen:
			stop = depth == 0
			depth--
		case sqlscan.Comma:
			stop = depth == 0
		case sqlscan.Ident:
			prev := p.toks[p.i-1]
			stop = depth == 0 && p.i > first && defaultStop[t.Value] &&
				!((t.Is("not") || t.Is("null")) && (prev.Is("is") || prev.Is("not")))
		}
		if stop {
			break
		}
		p.next()
	}
	if p.i == first {
		return "", p.expected("a default expression")
	}
	return p.span(first, p.i).Text, nil
}

// tableAttributes reads and drops Redshift's physical-design attributes.
func (p *parser) tableAttributes() error {
	seen := map[string]bool{}
	for {
		t := p.peek()
		key := t.Value
		switch {
		case p.acceptKw("backup"):
			if _, ok := p.acceptOneOf("yes", "no"); !ok {
				return p.expected("YES or NO")
			}
		case p.acceptKw("diststyle"):
			if _, ok := p.acceptOneOf("auto", "even", "key", "all"); !ok {
				return p.expected("AUTO, EVEN, KEY or ALL")
			}
		case p.acceptKw("distkey"):
			if _, err := p.columnList(); err != nil {
				return err
			}
		case p.acceptKw("compound"), p.acceptKw("interleaved"):
			key = "sortkey"
			if err := p.expectKw("sortkey"); err != nil {
				return err
			}
			if _, err := p.columnList(); err != nil {
				return err
			}
		case p.acceptKw("sortkey"):
			if !p.acceptKw("auto") {
				if _, err := p.columnList(); err != nil {
					return err
				}
			}
		case p.acceptKw("encode"):
			if err := p.expectKw("auto"); err != nil {
				return err
			}
		default:
			return nil
		}
		if seen[key] {
			return p.errAt(t, "conflicting or redundant table attributes")
		}
		seen[key] = true
	}
}

func (p *parser) dropTable() (Stmt, error) {
	s := &DropTable{IfExists: p.acceptKw("if", "exists")}
	var err error
	if s.Tables, err = p.tableList(); err != nil {
		return nil, err
	}
	kw, _ := p.acceptOneOf("cascade", "restrict")
	s.Cascade = kw == "cascade"
	return p.done(s)
}

func (p *parser) alterTable() (Stmt, error) {
	table, err := p.tableName()
	if err != nil {
		return nil, err
	}
	if p.acceptKw("row", "level", "security") {
		return p.alterTableRLS(table)
	}
	s := &AlterTable{Table: table}
	switch {
	case p.acceptKw("rename", "to"):
		s.Action = "rename"
		s.NewName, err = p.name("a table name")
	case p.acceptKw("rename", "column"):
		s.Action = "rename column"
		if s.Column, err = p.name("a column name"); err != nil {
			return nil, err
		}
		if err := p.expectKw("to"); err != nil {
			return nil, err
		}
		s.NewName, err = p.name("a column name")
	case p.acceptKw("drop", "column"):
		s.Action = "drop column"
		s.Column, err = p.name("a column name")
		p.acceptOneOf("cascade", "restrict")
	case p.acceptKw("add"):
		s.Action = "add column"
		p.acceptKw("column")
		s.ColumnDef, err = p.columnDef()
	case p.acceptKw("alter", "column"):
		s.Action = "alter column type"
		if s.Column, err = p.name("a column name"); err != nil {
			return nil, err
		}
		if err := p.expectKw("type"); err != nil {
			return nil, err
		}
		s.ColumnDef.Name = s.Column
		s.ColumnDef.Type, err = p.dataType()
	case p.acceptKw("owner", "to"):
		s.Action = "owner"
		s.NewName, err = p.name("a user name")
	default:
		return nil, p.expected("ROW LEVEL SECURITY, RENAME TO, RENAME COLUMN, DROP COLUMN, ADD COLUMN, ALTER COLUMN or OWNER TO")
	}
	if err != nil {
		return nil, err
	}
	return p.done(s)
}

func (p *parser) alterTableRLS(table TableName) (Stmt, error) {
	s := &AlterTableRLS{Table: table}
	switch kw, _ := p.acceptOneOf("on", "off"); kw {
	case "on":
		s.On = true
	case "":
		return nil, p.expected("ON or OFF")
	}
	// Redshift documents CONJUNCTION TYPE before FOR DATASHARES; either
	// order is read, each once.
	for {
		switch {
		case s.Conjunction == "" && p.acceptKw("conjunction"):
			if err := p.expectKw("type"); err != nil {
				return nil, err
			}
			kw, ok := p.acceptOneOf("and", "or")
			if !ok {
				return nil, p.expected("AND or OR")
			}
			s.Conjunction = kw
		case !s.ForDatashares && p.acceptKw("for"):
			if err := p.expectKw("datashares"); err != nil {
				return nil, err
			}
			s.ForDatashares = true
		default:
			return p.done(s)
		}
	}
}
