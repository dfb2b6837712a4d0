package dataapi

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
)

// errResultTooLarge ends a statement whose result passes the cap.
var errResultTooLarge = errors.New("result too large")

// resultFile is a statement's result, written once while the statement
// runs and read page by page afterwards: paging never re-executes. Rows
// are stored one JSON array of Fields per line (or CSV for CSV results),
// with the byte offset of every page start kept in memory.
type resultFile struct {
	path    string
	format  string
	columns []ColumnMetadata
	rows    int64
	size    int64
	pages   []int64 // byte offset where each page starts
	// fetch, when set, reads a page's bytes from the shared store instead
	// of the file (a result another replica wrote).
	fetch func(ctx context.Context, i int) ([]byte, error)
}

// writeResult drains rows into a new file under dir.
func writeResult(dir, id, format string, rows engine.Rows, pageRows int, maxBytes int64) (*resultFile, error) {
	name := strings.ReplaceAll(id, ":", "_")
	f, err := os.OpenFile(dir+"/"+name+".result", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("dataapi: create result file: %w", err)
	}
	rf := &resultFile{path: f.Name(), format: format, columns: columnMetadata(rows.Columns())}
	bw := bufio.NewWriterSize(f, 256<<10)
	counter := &countingWriter{w: bw}
	enc := json.NewEncoder(counter)
	cwc := csv.NewWriter(counter)
	rec := make([]string, len(rf.columns))
	fields := make([]Field, len(rf.columns))
	// Redshift's Data API gives a DATE as "2024-03-01", not as a midnight
	// timestamp, which is how the engine's time.Time would print.
	var dates []int
	for i, c := range rf.columns {
		if c.TypeName == "date" {
			dates = append(dates, i)
		}
	}
	for rows.Next() {
		if rf.rows%int64(pageRows) == 0 {
			if format == "CSV" {
				cwc.Flush()
			}
			rf.pages = append(rf.pages, counter.n)
		}
		vals := rows.Values()
		for _, i := range dates {
			if t, ok := vals[i].(time.Time); ok {
				vals[i] = t.Format(time.DateOnly)
			}
		}
		if format == "CSV" {
			for i, v := range vals {
				s, ok := engine.Text(v)
				if !ok {
					s = ""
				}
				rec[i] = s
			}
			if err := cwc.Write(rec); err != nil {
				return cleanup(f, rf, err)
			}
		} else {
			for i, v := range vals {
				fields[i] = toField(v)
			}
			if err := enc.Encode(fields); err != nil {
				return cleanup(f, rf, err)
			}
		}
		rf.rows++
		if counter.n > maxBytes {
			return cleanup(f, rf, errResultTooLarge)
		}
	}
	if err := rows.Err(); err != nil {
		return cleanup(f, rf, err)
	}
	cwc.Flush()
	if err := bw.Flush(); err != nil {
		return cleanup(f, rf, err)
	}
	rf.size = counter.n
	if err := f.Close(); err != nil {
		os.Remove(rf.path)
		return nil, fmt.Errorf("dataapi: write result: %w", err)
	}
	return rf, nil
}

func cleanup(f *os.File, rf *resultFile, err error) (*resultFile, error) {
	f.Close()
	os.Remove(rf.path)
	return nil, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// page reads page i: JSON records or one CSV chunk.
func (r *resultFile) page(ctx context.Context, i int) ([][]Field, string, error) {
	if i < 0 || i >= len(r.pages) {
		return nil, "", nil
	}
	buf, err := r.pageBytes(ctx, i)
	if err != nil {
		return nil, "", err
	}
	if r.format == "CSV" {
		return nil, string(buf), nil
	}
	var out [][]Field
	dec := json.NewDecoder(strings.NewReader(string(buf)))
	for dec.More() {
		var row []Field
		if err := dec.Decode(&row); err != nil {
			return nil, "", fmt.Errorf("dataapi: decode result: %w", err)
		}
		out = append(out, row)
	}
	return out, "", nil
}

// allPages reads every page's bytes (to store them for other replicas).
func (r *resultFile) allPages() ([][]byte, error) {
	out := make([][]byte, len(r.pages))
	for i := range r.pages {
		b, err := r.pageBytes(context.Background(), i)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// pageBytes reads page i as stored: JSON lines or CSV.
func (r *resultFile) pageBytes(ctx context.Context, i int) ([]byte, error) {
	if r.fetch != nil {
		return r.fetch(ctx, i)
	}
	start := r.pages[i]
	end := r.size
	if i+1 < len(r.pages) {
		end = r.pages[i+1]
	}
	f, err := os.Open(r.path)
	if err != nil {
		return nil, fmt.Errorf("dataapi: open result: %w", err)
	}
	defer f.Close()
	buf := make([]byte, end-start)
	if _, err := f.ReadAt(buf, start); err != nil {
		return nil, fmt.Errorf("dataapi: read result: %w", err)
	}
	return buf, nil
}

func (r *resultFile) remove() {
	if r != nil && r.fetch == nil {
		os.Remove(r.path)
	}
}

// toField encodes a value as the Data API does: DECIMAL (a string from the
// engine) as stringValue, times as strings, integers as longValue.
func toField(v any) Field {
	switch x := v.(type) {
	case nil:
		t := true
		return Field{IsNull: &t}
	case bool:
		return Field{BooleanValue: &x}
	case int64:
		return Field{LongValue: &x}
	case float64:
		return Field{DoubleValue: &x}
	case []byte:
		return Field{BlobValue: x}
	case time.Time:
		s, _ := engine.Text(x)
		return Field{StringValue: &s}
	default:
		s, _ := engine.Text(x)
		return Field{StringValue: &s}
	}
}

// columnMetadata describes result columns with Redshift's type names.
func columnMetadata(cols []engine.Column) []ColumnMetadata {
	out := make([]ColumnMetadata, 0, len(cols))
	for _, c := range cols {
		m := ColumnMetadata{Name: c.Name, Label: c.Name, Nullable: 1}
		t := c.Type
		switch t.Kind {
		case engine.TypeInt:
			m.TypeName, m.IsSigned, m.Precision = "int4", true, 10
		case engine.TypeBigInt:
			m.TypeName, m.IsSigned, m.Precision = "int8", true, 19
		case engine.TypeSmallInt:
			m.TypeName, m.IsSigned, m.Precision = "int2", true, 5
		case engine.TypeDouble:
			m.TypeName, m.IsSigned, m.Precision = "float8", true, 17
		case engine.TypeReal:
			m.TypeName, m.IsSigned, m.Precision = "float4", true, 8
		case engine.TypeNumeric:
			m.TypeName, m.IsSigned, m.Precision, m.Scale = "numeric", true, t.Precision, t.Scale
		case engine.TypeBool:
			m.TypeName, m.Precision = "bool", 1
		case engine.TypeDate:
			m.TypeName, m.Precision = "date", 13
		case engine.TypeTimestamp:
			m.TypeName, m.Precision, m.Scale = "timestamp", 29, 6
		case engine.TypeTimestampTZ:
			m.TypeName, m.Precision, m.Scale = "timestamptz", 35, 6
		case engine.TypeVarbyte:
			m.TypeName = "varbyte"
		case engine.TypeSuper:
			m.TypeName, m.IsCaseSensitive = "super", true
		case engine.TypeChar:
			m.TypeName, m.IsCaseSensitive, m.Precision, m.Length = "bpchar", true, t.Length, t.Length
		default:
			m.TypeName, m.IsCaseSensitive, m.Precision = "varchar", true, 65535
			if t.Length > 0 {
				m.Precision, m.Length = t.Length, t.Length
			}
		}
		out = append(out, m)
	}
	return out
}

// ColumnType is the engine-neutral type the metadata describes, for a
// client that turns a Data API result back into engine rows.
func (m ColumnMetadata) ColumnType() engine.Type {
	switch m.TypeName {
	case "bpchar":
		return engine.Type{Kind: engine.TypeChar, Length: m.Length}
	case "varchar":
		return engine.Type{Kind: engine.TypeVarchar, Length: m.Length}
	case "numeric":
		return engine.Numeric(m.Precision, m.Scale)
	}
	return engine.ParseType(m.TypeName)
}
