package trino

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// copyBatch is how many rows one INSERT carries.
const copyBatch = 1000

// copyInto loads CSV files named by a COPY (engine.ResolveCopySource: s3://
// keys under --s3-root) into a table, through INSERTs of typed literals as
// the service user: Trino reads no local file itself (its workers may be
// other machines).
func (e *Engine) copyInto(ctx context.Context, cat *policy.Catalog, s *ddl.Copy) (int64, error) {
	name, err := policy.TableName(s.Table)
	if err != nil {
		return -1, err
	}
	t, ok := cat.Table(name)
	if !ok {
		return -1, sqlerr.New(sqlerr.UndefinedTable, "relation %q does not exist", name)
	}
	if s.Format != "" && s.Format != "csv" {
		return -1, sqlerr.New(sqlerr.FeatureUnsupported, "the Trino engine loads CSV only, not %s", s.Format)
	}
	cols := t.Columns
	if len(s.Columns) > 0 {
		cols = nil
		for _, c := range s.Columns {
			col, ok := t.Column(strings.ToLower(c))
			if !ok {
				return -1, sqlerr.New(sqlerr.UndefinedColumn, "column %q of relation %q does not exist", c, name)
			}
			cols = append(cols, col)
		}
	}
	src, err := engine.ResolveCopySource(e.opts.S3Root, s.From)
	if err != nil {
		return -1, err
	}
	var names []string
	for _, c := range cols {
		names = append(names, qi(strings.ToLower(c.Name)))
	}
	head := "INSERT INTO " + e.tableName(name) + " (" + strings.Join(names, ", ") + ") VALUES "
	var total int64
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := e.db.ExecContext(ctx, head+strings.Join(batch, ", ")); err != nil {
			return sqlerr.Wrap(sqlerr.DataException, err, "COPY from %s: %v", s.From, trinoMessage(err))
		}
		total += int64(len(batch))
		batch = batch[:0]
		return nil
	}
	for _, path := range src.Files {
		f, err := os.Open(path)
		if err != nil {
			return -1, sqlerr.Wrap(sqlerr.IOError, err, "COPY from %s: %v", s.From, err)
		}
		r := csv.NewReader(f)
		if s.Delimiter != "" {
			r.Comma = []rune(s.Delimiter)[0]
		}
		r.FieldsPerRecord = len(cols)
		for line := 0; ; line++ {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return -1, sqlerr.Wrap(sqlerr.DataException, err, "COPY from %s: %v", s.From, err)
			}
			if line < s.IgnoreHeader {
				continue
			}
			vals := make([]string, len(rec))
			for i, v := range rec {
				if (s.HasNullAs && v == s.NullAs) || (v == "" && (s.EmptyAsNull || s.BlanksAsNull || !isText(cols[i].Type))) ||
					(s.BlanksAsNull && strings.TrimSpace(v) == "") {
					vals[i] = "NULL"
					continue
				}
				vals[i] = "CAST(" + qs(v) + " AS " + trinoType(cols[i].Type) + ")"
			}
			batch = append(batch, "("+strings.Join(vals, ", ")+")")
			if len(batch) == copyBatch {
				if err := flush(); err != nil {
					f.Close()
					return -1, err
				}
			}
		}
		f.Close()
	}
	if err := flush(); err != nil {
		return -1, err
	}
	return total, nil
}

func isText(t string) bool { return trinoType(t) == "varchar" }
