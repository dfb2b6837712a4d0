package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// copyInto implements Redshift's COPY by streaming the source files from
// tipgate's machine into COPY … FROM STDIN: the database server reads no
// file itself. Row security does not filter COPY (as in Redshift); only
// superusers reach here.
func (e *Engine) copyInto(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, s *ddl.Copy) (int64, error) {
	name, err := tableName(s.Table)
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
	if s.Format != "" && s.Format != "csv" {
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY format %s is not supported on the PostgreSQL engine", strings.ToUpper(s.Format))
	}
	if s.EmptyAsNull || s.BlanksAsNull {
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY EMPTYASNULL and BLANKSASNULL are not supported on the PostgreSQL engine")
	}
	if tf := strings.ToLower(s.TimeFormat); tf != "" && tf != "auto" {
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY TIMEFORMAT %s is not supported on the PostgreSQL engine (use 'auto')", s.TimeFormat)
	}
	if df := strings.ToLower(s.DateFormat); df != "" && df != "auto" {
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY DATEFORMAT %s is not supported on the PostgreSQL engine (use 'auto')", s.DateFormat)
	}
	files, err := e.copySources(s.From)
	if err != nil {
		return 0, err
	}
	var target []string
	for _, c := range cols {
		target = append(target, qi(c.Name))
	}
	delim, quote := s.Delimiter, s.QuoteChar
	if delim == "" {
		delim = ","
	}
	if quote == "" {
		quote = `"`
	}
	opts := "FORMAT csv, DELIMITER " + qs(delim) + ", QUOTE " + qs(quote)
	if s.HasNullAs {
		opts += ", NULL " + qs(s.NullAs)
	}
	stmt := "COPY " + dataTable(name) + " (" + strings.Join(target, ", ") + ") FROM STDIN WITH (" + opts + ")"
	var total int64
	for _, f := range files {
		n, err := copyFile(ctx, tx, stmt, f, s.IgnoreHeader)
		if err != nil {
			return 0, copyError(err, s.From)
		}
		total += n
	}
	// The planner's statistics: a freshly loaded table would otherwise be
	// planned from guesses until autovacuum comes by.
	if _, err := tx.Exec(ctx, "ANALYZE "+dataTable(name)); err != nil {
		return 0, fmt.Errorf("postgres: analyze %s: %w", name, err)
	}
	return total, nil
}

func copyFile(ctx context.Context, tx pgx.Tx, stmt, path string, skip int) (int64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	r := bufio.NewReaderSize(fh, 1<<16)
	for i := 0; i < skip; i++ {
		if _, err := r.ReadString('\n'); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, nil
			}
			return 0, err
		}
	}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, stmt)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func copyError(err error, from string) error {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return err
	}
	return sqlerr.Wrap(sqlerr.DataException, err, "COPY from %s failed: %s", from, pgMessage(err))
}

// copySources resolves a COPY source to files: s3:// keys under
// --s3-root, or local files. Like S3, a source that is not a file is a key
// prefix and loads every match.
func (e *Engine) copySources(from string) ([]string, error) {
	var path string
	if rest, ok := strings.CutPrefix(from, "s3://"); ok {
		if e.opts.S3Root == "" {
			return nil, sqlerr.New(sqlerr.InvalidParameter,
				"COPY from %s: no S3 root is configured; run with --s3-root DIR to read s3://bucket/key from DIR/bucket/key", from)
		}
		root, _ := filepath.Abs(e.opts.S3Root)
		path = filepath.Join(root, filepath.FromSlash(rest))
		if !strings.HasPrefix(path, root+string(filepath.Separator)) {
			return nil, sqlerr.New(sqlerr.InvalidParameter, "COPY from %s: key leaves the S3 root", from)
		}
	} else if strings.Contains(from, "://") {
		return nil, sqlerr.New(sqlerr.FeatureUnsupported, "COPY from %s: only local paths and s3:// sources are supported", from)
	} else {
		abs, err := filepath.Abs(from)
		if err != nil {
			return nil, sqlerr.Wrap(sqlerr.InvalidParameter, err, "COPY from %s: bad path", from)
		}
		path = abs
	}
	files, err := matchPrefix(path)
	if err != nil {
		return nil, sqlerr.Wrap(sqlerr.IOError, err, "COPY from %s: %v", from, err)
	}
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.IOError, "COPY from %s: no such file or key prefix", from)
	}
	return files, nil
}

func matchPrefix(path string) ([]string, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return []string{path}, nil
	}
	dir, prefix := filepath.Split(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var out []string
	for _, ent := range entries {
		if ent.Type().IsRegular() && strings.HasPrefix(ent.Name(), prefix) {
			out = append(out, filepath.Join(dir, ent.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}
