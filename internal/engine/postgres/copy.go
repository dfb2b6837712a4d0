package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// copyInto implements Redshift's COPY by streaming the source files from
// tipgate's machine into COPY … FROM STDIN: the database server reads no
// file itself. Row security does not filter COPY (as in Redshift); only
// superusers reach here.
func (e *Engine) copyInto(ctx context.Context, tx pgx.Tx, cat *policy.Catalog, s *ddl.Copy) (int64, error) {
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
	files, err := e.copySources(s.From)
	if err != nil {
		return 0, err
	}
	skip := s.IgnoreHeader
	switch s.Format {
	case "", "csv":
	case "parquet":
		// PostgreSQL reads no Parquet: the DuckDB tipgate embeds reads it
		// into a CSV file of its own, streamed as any other CSV below.
		csv, cleanup, err := parquetToCSV(ctx, files)
		defer cleanup()
		if err != nil {
			return 0, copyError(err, s.From)
		}
		// Its values are typed: only EMPTYASNULL and BLANKSASNULL still
		// apply (Redshift's own rule for Parquet is the same).
		files, skip = []string{csv}, 0
		s = &ddl.Copy{Table: s.Table, Columns: s.Columns, From: s.From, EmptyAsNull: s.EmptyAsNull, BlanksAsNull: s.BlanksAsNull}
	default:
		return 0, sqlerr.New(sqlerr.FeatureUnsupported, "COPY format %s is not supported", strings.ToUpper(s.Format))
	}
	conv, err := newConversion(s, cols)
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
	into := dataTable(name) + " (" + strings.Join(target, ", ") + ")"
	if conv != nil {
		// Options PostgreSQL's COPY lacks: the files go to a staging table
		// of text columns, converted from there in one INSERT.
		if err := conv.stage(ctx, tx); err != nil {
			return 0, err
		}
		into = stageTable
	}
	stmt := "COPY " + into + " FROM STDIN WITH (" + opts + ")"
	var total int64
	for _, f := range files {
		n, err := copyFile(ctx, tx, stmt, f, skip)
		if err != nil {
			return 0, copyError(err, s.From)
		}
		total += n
	}
	if conv != nil {
		n, err := conv.insert(ctx, tx, dataTable(name)+" ("+strings.Join(target, ", ")+")")
		if err != nil {
			return 0, copyError(err, s.From)
		}
		total = n
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

// copySources resolves a COPY source to files, as on every engine
// (engine.ResolveCopySource): s3:// keys under --s3-root, key prefixes and
// local paths; tipgate reads them and streams them to PostgreSQL.
func (e *Engine) copySources(from string) ([]string, error) {
	src, err := engine.ResolveCopySource(e.opts.S3Root, from)
	if err != nil {
		return nil, err
	}
	return src.Files, nil
}
