package duckdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// copyInto implements Redshift's COPY with DuckDB's readers. RLS does not
// filter COPY (as in Redshift); only superusers reach here.
func (e *Engine) copyInto(ctx context.Context, tx sqlConn, cat *policy.Catalog, s *ddl.Copy) (int64, error) {
	name, err := policy.TableName(s.Table)
	if err != nil {
		return 0, err
	}
	t, ok := cat.Table(name)
	if !ok {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
	}
	cols := t.Columns
	if len(s.Columns) > 0 {
		cols = nil
		for _, c := range s.Columns {
			col, ok := t.Column(c)
			if !ok {
				return 0, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", c, name)
			}
			cols = append(cols, col)
		}
	}
	files, cleanup, err := e.copySources(s.From)
	defer cleanup()
	if err != nil {
		return 0, err
	}
	var list []string
	for _, f := range files {
		list = append(list, sqlscan.QuoteString(f))
	}
	var target []string
	for _, c := range cols {
		target = append(target, sqlscan.QuoteIdent(c.Name))
	}
	var reader string
	switch s.Format {
	case "parquet":
		reader = "read_parquet([" + strings.Join(list, ", ") + "])"
	case "csv", "":
		opts, err := csvOptions(s, cols)
		if err != nil {
			return 0, err
		}
		reader = "read_csv([" + strings.Join(list, ", ") + "], " + opts + ")"
	default:
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY format %s is not supported", strings.ToUpper(s.Format))
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO "+rawTable(name)+" ("+strings.Join(target, ", ")+") "+copySelect(s, cols, "SELECT * FROM "+reader))
	if err != nil {
		return 0, copyError(err, s.From)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// copySelect wraps the reader's query so that, with EMPTYASNULL or
// BLANKSASNULL, a CHAR or VARCHAR field that is empty, or only white space,
// loads as NULL (Redshift's rule; an empty field of any other type is NULL
// already). Columns are taken by position, as Redshift's COPY does.
func copySelect(s *ddl.Copy, cols []policy.Column, query string) string {
	if !s.EmptyAsNull && !s.BlanksAsNull {
		return query
	}
	var exprs, aliases []string
	for i, c := range cols {
		e := "c" + strconv.Itoa(i)
		aliases = append(aliases, e)
		if k := engine.ParseType(c.Type).Kind; k == engine.TypeChar || k == engine.TypeVarchar {
			if s.BlanksAsNull {
				e = "CASE WHEN regexp_full_match(" + e + ", '\\s+') THEN NULL ELSE " + e + " END"
			}
			if s.EmptyAsNull {
				e = "NULLIF(" + e + ", '')"
			}
		}
		exprs = append(exprs, e)
	}
	return "SELECT " + strings.Join(exprs, ", ") + " FROM (" + query + ") AS r(" + strings.Join(aliases, ", ") + ")"
}

func copyError(err error, from string) error {
	msg := firstLine(err.Error())
	return sqlerr.Wrap(sqlerr.DataException, err, "COPY from %s failed: %s", from, reTypePrefix.ReplaceAllString(msg, ""))
}

func csvOptions(s *ddl.Copy, cols []policy.Column) (string, error) {
	delim := s.Delimiter
	if delim == "" {
		delim = ","
	}
	quote := s.QuoteChar
	if quote == "" {
		quote = `"`
	}
	var types []string
	for _, c := range cols {
		types = append(types, sqlscan.QuoteString(c.Name)+": "+sqlscan.QuoteString(duckType(c.Type)))
	}
	opts := []string{
		"header = false", "auto_detect = false",
		fmt.Sprintf("skip = %d", s.IgnoreHeader),
		"delim = " + sqlscan.QuoteString(delim),
		"quote = " + sqlscan.QuoteString(quote),
		"columns = {" + strings.Join(types, ", ") + "}",
	}
	if s.HasNullAs {
		opts = append(opts, "nullstr = "+sqlscan.QuoteString(s.NullAs))
	}
	if tf := strings.ToLower(s.TimeFormat); tf != "" && tf != "auto" {
		f, err := strftime(s.TimeFormat, "TIMEFORMAT")
		if err != nil {
			return "", err
		}
		opts = append(opts, "timestampformat = "+sqlscan.QuoteString(f))
	}
	if df := strings.ToLower(s.DateFormat); df != "" && df != "auto" {
		f, err := strftime(s.DateFormat, "DATEFORMAT")
		if err != nil {
			return "", err
		}
		opts = append(opts, "dateformat = "+sqlscan.QuoteString(f))
	}
	return strings.Join(opts, ", "), nil
}

// strftime converts a Redshift datetime format to DuckDB's strftime form
// (a literal % is written %%).
func strftime(f, option string) (string, error) {
	return engine.ConvertDateFormat(f, option, strftimeElements, func(ch byte) string {
		if ch == '%' {
			return "%%"
		}
		return string(ch)
	})
}

var strftimeElements = map[engine.DateFormatElement]string{
	"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "HH24": "%H", "HH12": "%I",
	"MI": "%M", "SS": "%S", "AM": "%p", "PM": "%p", "MON": "%b",
}

// copySources resolves a COPY source to files DuckDB may read: s3:// keys
// under --s3-root as they are, local files staged into the data directory
// because the warehouse may read no other folder.
func (e *Engine) copySources(from string) ([]string, func(), error) {
	src, err := engine.ResolveCopySource(e.opts.S3Root, from)
	if err != nil {
		return nil, func() {}, err
	}
	if src.S3 {
		return src.Files, func() {}, nil
	}
	return e.stage(src.Files)
}

// stage hard-links (or copies) files into a private staging folder.
func (e *Engine) stage(files []string) ([]string, func(), error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	dir := filepath.Join(e.staging, hex.EncodeToString(b[:]))
	cleanup := func() { os.RemoveAll(dir) }
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, cleanup, sqlerr.Wrap(sqlerr.IOError, err, "COPY: cannot create staging folder")
	}
	var out []string
	for i, f := range files {
		dst := filepath.Join(dir, fmt.Sprintf("%05d%s", i, filepath.Ext(f)))
		if err := os.Link(f, dst); err != nil {
			if err := copyFile(f, dst); err != nil {
				return nil, cleanup, sqlerr.Wrap(sqlerr.IOError, err, "COPY: cannot read %s", f)
			}
		}
		out = append(out, dst)
	}
	return out, cleanup, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
