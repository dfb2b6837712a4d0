package dataapi

import (
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// ResultPage is one page of a result as the bindings send it:
// GetStatementResult's output (JSON results) or GetStatementResultV2's
// (CSV), encoded straight from the page's record batch by AppendJSON.
type ResultPage struct {
	res    *result
	rec    arrow.RecordBatch // nil when the result has no rows
	csv    bool
	next   string
	pools  *pagePools // nil: nothing pooled
	stored []byte     // the page's stored bytes, which rec refers to (pooled)
}

// NextToken is the token of the next page, "" on the last.
func (p *ResultPage) NextToken() string { return p.next }

// AppendJSON appends the page's JSON body to dst.
func (p *ResultPage) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"Records":[`...)
	if p.rec != nil && p.rec.NumRows() > 0 {
		if p.csv {
			dst = p.appendCSV(dst)
		} else {
			dst = p.appendRecords(dst)
		}
	}
	dst = append(dst, `],"ColumnMetadata":`...)
	dst = append(dst, p.res.colJSON...)
	dst = append(dst, `,"TotalNumRows":`...)
	dst = strconv.AppendInt(dst, p.res.rows, 10)
	if p.csv {
		dst = append(dst, `,"ResultFormat":"CSV"`...)
	}
	if p.next != "" {
		dst = append(dst, `,"NextToken":`...)
		dst = appendJSONString(dst, p.next)
	}
	return append(dst, '}')
}

// MarshalJSON implements json.Marshaler.
func (p *ResultPage) MarshalJSON() ([]byte, error) { return p.AppendJSON(nil), nil }

// Release frees the page's record batch and gives its buffers back.
func (p *ResultPage) Release() {
	if p.rec != nil {
		p.rec.Release()
		p.rec = nil
	}
	if p.pools != nil {
		p.pools.put(&p.pools.stored, p.stored)
	}
	p.stored = nil
}

// pagePools keep the stored bytes of result pages (which their record
// batches refer to) for the next page, so paging through a large result
// does not allocate a page's bytes each time; the bindings pool the
// encoded bodies (BufferPool).
type pagePools struct {
	stored sync.Pool // of *[]byte
}

// maxPooled is the largest buffer kept: one page of very wide rows is not
// worth holding on to.
const maxPooled = 8 << 20

func (pp *pagePools) get(p *sync.Pool) []byte {
	if b, ok := p.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return nil
}

func (pp *pagePools) put(p *sync.Pool, b []byte) {
	if cap(b) == 0 || cap(b) > maxPooled {
		return
	}
	p.Put(&b)
}

func (p *ResultPage) appendRecords(dst []byte) []byte {
	cells := make([]cellFunc, p.rec.NumCols())
	for c := range cells {
		cells[c] = jsonCell(p.rec.Column(c))
	}
	for i := range int(p.rec.NumRows()) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '[')
		for c, cell := range cells {
			if c > 0 {
				dst = append(dst, ',')
			}
			dst = cell(dst, i)
		}
		dst = append(dst, ']')
	}
	return dst
}

// appendCSV writes the page as one CSVRecords member, without a header
// line, as GetStatementResultV2 does.
func (p *ResultPage) appendCSV(dst []byte) []byte {
	cells := make([]cellFunc, p.rec.NumCols())
	for c := range cells {
		cells[c] = csvCellJSON(p.rec.Column(c))
	}
	dst = append(dst, `{"CSVRecords":"`...)
	for i := range int(p.rec.NumRows()) {
		for c, cell := range cells {
			if c > 0 {
				dst = append(dst, ',')
			}
			dst = cell(dst, i)
		}
		dst = append(dst, '\\', 'n')
	}
	return append(dst, `"}`...)
}

func (p *ResultPage) csvChunk(dst []byte) []byte {
	cells := make([]cellFunc, p.rec.NumCols())
	for c := range cells {
		cells[c] = csvCell(p.rec.Column(c))
	}
	for i := range int(p.rec.NumRows()) {
		for c, cell := range cells {
			if c > 0 {
				dst = append(dst, ',')
			}
			dst = cell(dst, i)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// fields decodes the page into Field values, for in-process callers of
// GetResult.
func (p *ResultPage) fields() [][]Field {
	out := [][]Field{}
	if p.rec == nil {
		return out
	}
	cols := make([]func(i int) Field, p.rec.NumCols())
	for c := range cols {
		cols[c] = fieldOf(p.rec.Column(c))
	}
	for i := range int(p.rec.NumRows()) {
		row := make([]Field, len(cols))
		for c, f := range cols {
			row[c] = f(i)
		}
		out = append(out, row)
	}
	return out
}

// fieldOf returns the Field of row i of a column, as toField made it from
// the engine's value.
func fieldOf(col arrow.Array) func(i int) Field {
	text := textCell(col)
	return func(i int) Field {
		if col.IsNull(i) {
			t := true
			return Field{IsNull: &t}
		}
		switch a := col.(type) {
		case *array.Int64:
			v := a.Value(i)
			return Field{LongValue: &v}
		case *array.Float64:
			v := a.Value(i)
			return Field{DoubleValue: &v}
		case *array.Boolean:
			v := a.Value(i)
			return Field{BooleanValue: &v}
		case *array.Binary:
			return Field{BlobValue: append([]byte{}, a.Value(i)...)}
		}
		s := string(text(nil, i))
		return Field{StringValue: &s}
	}
}
