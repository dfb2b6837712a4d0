package ddl

import (
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// copyFlags are COPY options without a value. Those that change how a file
// is read (ESCAPE, REMOVEQUOTES, FILLRECORD, ...) have no AST field yet and
// are dropped like the AWS-only ones.
var copyFlags = map[string]bool{
	"emptyasnull": true, "blanksasnull": true, "truncatecolumns": true,
	"gzip": true, "bzip2": true, "zstd": true, "lzop": true, "manifest": true,
	"escape": true, "removequotes": true, "fillrecord": true, "trimblanks": true,
	"ignoreblanklines": true, "explicit_ids": true, "roundec": true,
	"acceptanydate": true, "encrypted": true, "noload": true,
}

// copySecrets are options whose value is a credential. Their values are
// read and dropped, and a malformed one is reported at the keyword.
var copySecrets = map[string]bool{
	"credentials": true, "access_key_id": true, "secret_access_key": true, "session_token": true,
}

// copyStmt parses the rest of Redshift's COPY t [(cols)] FROM 'source' [WITH] options.
func (p *parser) copyStmt() (Stmt, error) {
	s := &Copy{Format: "csv"}
	var err error
	if s.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.peek().Kind == sqlscan.LParen {
		if s.Columns, err = p.columnList(); err != nil {
			return nil, err
		}
	}
	if err := p.expectKw("from"); err != nil {
		return nil, err
	}
	if s.From, err = p.str("a quoted source such as 's3://bucket/prefix'"); err != nil {
		return nil, err
	}
	p.acceptKw("with")
	seen := map[string]bool{}
	for p.peek().Kind != sqlscan.EOF {
		opt := p.peek()
		key, err := p.copyOption(s)
		if err != nil {
			return nil, err
		}
		if seen[key] {
			return nil, p.errAt(opt, "conflicting or redundant options")
		}
		seen[key] = true
	}
	return s, nil
}

// copyOption reads one option into s and returns the key used to refuse
// repeats.
func (p *parser) copyOption(s *Copy) (string, error) {
	opt := p.peek()
	if opt.Kind != sqlscan.Ident {
		return "", p.expected("a COPY option")
	}
	key := opt.Value
	p.next()
	var err error
	switch {
	case copyFlags[key]:
		s.EmptyAsNull = s.EmptyAsNull || key == "emptyasnull"
		s.BlanksAsNull = s.BlanksAsNull || key == "blanksasnull"
	case copySecrets[key]:
		p.acceptKw("as")
		if p.peek().Kind != sqlscan.String {
			return "", p.errAt(opt, "expected a quoted value after "+upper(key))
		}
		p.next()
	case key == "format":
		p.acceptKw("as")
		return "format", p.copyFormat(s)
	case key == "csv", key == "parquet", key == "json", key == "avro", key == "orc", key == "fixedwidth", key == "shapefile":
		p.i--
		return "format", p.copyFormat(s)
	case key == "delimiter":
		p.acceptKw("as")
		if s.Delimiter, err = p.str("a quoted delimiter"); err == nil && s.Delimiter == "" {
			err = p.errAt(p.toks[p.i-1], "the delimiter must not be empty")
		}
	case key == "ignoreheader":
		p.acceptKw("as")
		s.IgnoreHeader, err = p.integer()
	case key == "maxerror":
		p.acceptKw("as")
		_, err = p.integer()
	case key == "timeformat":
		p.acceptKw("as")
		s.TimeFormat, err = p.str("a quoted time format")
	case key == "dateformat":
		p.acceptKw("as")
		s.DateFormat, err = p.str("a quoted date format")
	case key == "null":
		p.acceptKw("as")
		s.NullAs, err = p.str("a quoted null string")
		s.HasNullAs = err == nil
	case key == "region":
		p.acceptKw("as")
		_, err = p.str("a quoted region")
	case key == "iam_role":
		if !p.acceptKw("default") {
			_, err = p.str("a quoted role ARN or DEFAULT")
		}
	case key == "acceptinvchars":
		if p.acceptKw("as") {
			_, err = p.str("a quoted replacement character")
		}
	case key == "compupdate", key == "statupdate":
		p.acceptOneOf("on", "off", "true", "false", "preset")
	default:
		p.i--
		return "", p.expected("a COPY option")
	}
	return key, err
}

// copyFormat reads CSV [QUOTE [AS] 'c'] | PARQUET; the other Redshift
// formats have no reader in tipgate and are refused by name.
func (p *parser) copyFormat(s *Copy) error {
	t := p.peek()
	switch {
	case p.acceptKw("csv"):
		s.Format = "csv"
		if p.acceptKw("quote") {
			p.acceptKw("as")
			q, err := p.str("a quoted quote character")
			if err != nil {
				return err
			}
			s.QuoteChar = q
		}
		return nil
	case p.acceptKw("parquet"):
		s.Format = "parquet"
		return nil
	case t.Is("json"), t.Is("avro"), t.Is("orc"), t.Is("fixedwidth"), t.Is("shapefile"):
		return p.errAt(t, "COPY FORMAT "+upper(t.Value)+" is not supported; use CSV or PARQUET")
	}
	return p.expected("CSV or PARQUET")
}
