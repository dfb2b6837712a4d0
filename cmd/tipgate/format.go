package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/tipgate/tipgate/internal/engine"
)

// resultWriter prints statement results in one output format.
type resultWriter interface {
	write(engine.Rows) error
	flush() error
}

func newWriter(format string, w io.Writer) (resultWriter, error) {
	switch format {
	case "table":
		return &tableWriter{w: w}, nil
	case "csv":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	}
	return nil, fmt.Errorf("unknown --format %q: use table, csv or json", format)
}

// tableWriter prints psql-like tables, a blank line between one result's
// output and the next table so that a script's results stay apart.
type tableWriter struct {
	w       io.Writer
	written bool
}

func (t *tableWriter) write(r engine.Rows) error {
	cols := r.Columns()
	sep := t.written
	t.written = true
	if len(cols) == 0 {
		if n := r.RowsAffected(); n >= 0 {
			_, err := fmt.Fprintf(t.w, "%s %d\n", r.Tag(), n)
			return err
		}
		_, err := fmt.Fprintln(t.w, r.Tag())
		return err
	}
	var data [][]string
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c.Name)
	}
	for r.Next() {
		row := make([]string, len(cols))
		for i, v := range r.Values() {
			row[i], _ = engine.Text(v)
			if n := utf8.RuneCountInString(row[i]); n > width[i] {
				width[i] = n
			}
		}
		data = append(data, row)
	}
	if err := r.Err(); err != nil {
		return err
	}
	line := func(cells []string) string {
		var b strings.Builder
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" | ")
			} else {
				b.WriteString(" ")
			}
			b.WriteString(c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
		}
		return strings.TrimRight(b.String(), " ")
	}
	names := make([]string, len(cols))
	seps := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	var b strings.Builder
	if sep {
		b.WriteString("\n")
	}
	b.WriteString(line(names) + "\n")
	for i := range seps {
		seps[i] = strings.Repeat("-", width[i]+2)
	}
	b.WriteString(strings.Join(seps, "+") + "\n")
	for _, row := range data {
		b.WriteString(line(row) + "\n")
	}
	plural := "s"
	if len(data) == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "(%d row%s)\n", len(data), plural)
	_, err := io.WriteString(t.w, b.String())
	return err
}

func (t *tableWriter) flush() error { return nil }

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) write(r engine.Rows) error {
	cols := r.Columns()
	if len(cols) == 0 {
		return nil
	}
	head := make([]string, len(cols))
	for i, col := range cols {
		head[i] = col.Name
	}
	if err := c.w.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(cols))
	for r.Next() {
		for i, v := range r.Values() {
			rec[i], _ = engine.Text(v)
		}
		if err := c.w.Write(rec); err != nil {
			return err
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	c.w.Flush()
	return c.w.Error()
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter prints each result set as one JSON array of objects per line.
type jsonWriter struct{ w io.Writer }

func (j *jsonWriter) write(r engine.Rows) error {
	cols := r.Columns()
	if len(cols) == 0 {
		return nil
	}
	// Objects are written by hand to keep the columns' order.
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i], _ = json.Marshal(c.Name)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	n := 0
	for r.Next() {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteByte('{')
		for i, v := range r.Values() {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(keys[i])
			b.WriteByte(':')
			var val any = v
			switch v.(type) {
			case nil, bool, int64, float64, string:
			default:
				val, _ = engine.Text(v)
			}
			enc, err := json.Marshal(val)
			if err != nil {
				return err
			}
			b.Write(enc)
		}
		b.WriteByte('}')
	}
	if err := r.Err(); err != nil {
		return err
	}
	b.WriteString("]\n")
	_, err := j.w.Write(b.Bytes())
	return err
}

func (j *jsonWriter) flush() error { return nil }
