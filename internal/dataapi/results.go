package dataapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/store"
)

// errResultTooLarge ends a statement whose result passes the cap.
var errResultTooLarge = errors.New("result too large")

// result is a statement's result, written once while the statement runs
// and read page by page afterwards: paging never re-executes. It is stored
// once, as Arrow IPC — page 0 of the stored result is the schema message,
// each later page one record batch of PageRows rows (fewer when their text
// passes pageBytes) — so the Arrow stream is
// the stored bytes themselves and JSON and CSV pages are encoded from
// record batches, with no decode/re-encode pass through another format.
type result struct {
	store   store.ResultStore
	key     string // the sub-statement id the store knows it by
	format  string // the statement's ResultFormat: which operation reads it
	columns []ColumnMetadata
	colJSON []byte // columns, encoded once
	schema  *arrow.Schema
	header  []byte // the schema message, to decode a page
	rows    int64
	size    int64
	pages   int // record batches
	// first is the first record batch (stored page 1) when it came with
	// the statement from the store (lookupShared), nil otherwise.
	first []byte
	// held, on the replica running the statement, are the stored pages
	// (schema first) of a result not yet committed: it is committed with
	// the statement's end (store.StatementEnder, by writer), and read
	// from here until then.
	held   [][]byte
	writer store.ResultWriter
}

// pageBytes bounds the text and binary bytes of one stored page (its rows
// are bounded by Options.PageRows): the JSON or CSV page made from it is a
// few times that at most.
const pageBytes = 8 << 20

// heldBytes is the largest result kept in memory until its statement's
// end rather than committed in a round trip of its own.
const heldBytes = 1 << 20

// readPage returns stored page i (0 is the schema message).
func (r *result) readPage(ctx context.Context, i int) ([]byte, error) {
	if r.held != nil {
		if i >= len(r.held) {
			return nil, store.ErrResultNotFound
		}
		return r.held[i], nil
	}
	return r.store.Page(ctx, r.key, i)
}

// writeTo writes every stored page, in order, to w.
func (r *result) writeTo(ctx context.Context, w io.Writer) (int64, error) {
	if r.held == nil {
		return r.store.WriteTo(ctx, r.key, w)
	}
	var n int64
	for _, p := range r.held {
		m, err := w.Write(p)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// writeResult drains rows into the store as Arrow record batches. With
// hold, a small result whose writer can (store.HeldResult) is left
// uncommitted in res.writer, for the statement's end to commit.
func writeResult(ctx context.Context, st store.ResultStore, id, format string, rows engine.Rows, pageRows int, maxBytes int64, hold bool) (*result, error) {
	res := &result{store: st, key: id, format: format, columns: columnMetadata(rows.Columns())}
	res.schema = arrowSchema(res.columns)
	var err error
	if res.colJSON, err = json.Marshal(res.columns); err != nil {
		return nil, fmt.Errorf("dataapi: encode columns: %w", err)
	}
	var hdr bytes.Buffer
	schemaMsg := ipc.GetSchemaPayload(res.schema, memory.DefaultAllocator)
	_, err = schemaMsg.WritePayload(&hdr)
	schemaMsg.Release()
	if err != nil {
		return nil, fmt.Errorf("dataapi: encode schema: %w", err)
	}
	res.header = hdr.Bytes()
	w, err := st.Create(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("dataapi: create result: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort(ctx)
		}
	}()
	if err := w.Append(ctx, res.header); err != nil {
		return nil, fmt.Errorf("dataapi: write result: %w", err)
	}
	res.size = int64(len(res.header))
	n := 0
	b := array.NewRecordBuilder(memory.DefaultAllocator, res.schema)
	defer b.Release()
	app := make([]appender, len(res.columns))
	// varLen are the columns whose bytes a row does not bound (text,
	// binary): a page also ends when they hold pageBytes, so a page of
	// wide rows stays far below the Data API's 100 MB response.
	var varLen []interface{ DataLen() int }
	for i, c := range res.columns {
		app[i] = newAppender(b.Field(i), c.TypeName == "date")
		if v, ok := b.Field(i).(interface{ DataLen() int }); ok {
			varLen = append(varLen, v)
		}
	}
	full := func() bool {
		if n == pageRows {
			return true
		}
		size := 0
		for _, v := range varLen {
			size += v.DataLen()
		}
		return size >= pageBytes
	}
	var msg bytes.Buffer
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		p, err := ipc.GetRecordBatchPayload(rec, ipc.WithAllocator(memory.DefaultAllocator))
		if err != nil {
			return fmt.Errorf("dataapi: encode page: %w", err)
		}
		msg.Reset()
		_, err = p.WritePayload(&msg)
		p.Release()
		if err != nil {
			return fmt.Errorf("dataapi: encode page: %w", err)
		}
		res.size += int64(msg.Len())
		if res.size > maxBytes {
			return errResultTooLarge
		}
		// The store may keep the page: give it its own copy.
		if err := w.Append(ctx, bytes.Clone(msg.Bytes())); err != nil {
			return fmt.Errorf("dataapi: write result: %w", err)
		}
		res.pages++
		n = 0
		return nil
	}
	for rows.Next() {
		for i, v := range rows.Values() {
			if err := app[i](v); err != nil {
				return nil, fmt.Errorf("dataapi: column %q: %w", res.columns[i].Name, err)
			}
		}
		res.rows++
		if n++; full() {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n > 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	if h, ok := w.(store.HeldResult); ok && hold && res.size <= heldBytes {
		if pages, ok := h.Held(); ok {
			res.held, res.writer = pages, w
			committed = true
			return res, nil
		}
	}
	if _, err := w.Commit(ctx); err != nil {
		return nil, fmt.Errorf("dataapi: write result: %w", err)
	}
	committed = true
	return res, nil
}

// batch decodes page i, a record batch the caller releases. The batch
// refers to the page's stored bytes, which are returned too: when the
// store reads pages into a caller's buffer, they come from pools and go
// back to it once the batch is released (ResultPage.Release). The first
// page that came with the statement, and the pages a running replica
// holds until the statement's end, are read from memory.
func (r *result) batch(ctx context.Context, i int, pools *pagePools) (arrow.RecordBatch, []byte, error) {
	var b []byte
	var err error
	pr, pooled := r.store.(store.ResultPageReader)
	switch {
	case i == 0 && r.first != nil:
		b, pooled = r.first, false
	case r.held != nil:
		b, err = r.readPage(ctx, i+1)
		pooled = false
	case pooled && pools != nil:
		b, err = pr.ReadPage(ctx, r.key, i+1, pools.get(&pools.stored))
	default:
		pooled = false
		b, err = r.store.Page(ctx, r.key, i+1)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("dataapi: read result: %w", err)
	}
	rec, err := decodePage(r.header, b)
	if err != nil {
		if pooled {
			pools.put(&pools.stored, b)
		}
		return nil, nil, err
	}
	if !pooled {
		b = nil
	}
	return rec, b, nil
}

// decodePage decodes one stored record batch message (page) after the
// schema message, without copying the page: the batch's buffers are slices
// of it.
func decodePage(header, page []byte) (rec arrow.RecordBatch, err error) {
	defer func() {
		// Our own stored bytes; a panic here would be a corrupt store.
		if p := recover(); p != nil {
			rec, err = nil, fmt.Errorf("dataapi: decode result: %v", p)
		}
	}()
	schema, err := splitMessage(header)
	if err != nil {
		return nil, err
	}
	batch, err := splitMessage(page)
	if err != nil {
		schema.Release()
		return nil, err
	}
	msgs := &pageMessages{msgs: [2]*ipc.Message{schema, batch}}
	rd, err := ipc.NewReaderFromMessageReader(msgs)
	if err != nil {
		msgs.Release()
		return nil, fmt.Errorf("dataapi: decode result: %w", err)
	}
	defer rd.Release()
	if !rd.Next() {
		if err := rd.Err(); err != nil {
			return nil, fmt.Errorf("dataapi: decode result: %w", err)
		}
		return nil, errors.New("dataapi: decode result: empty page")
	}
	rec = rd.RecordBatch()
	rec.Retain()
	return rec, nil
}

// splitMessage is one encapsulated IPC message (continuation marker,
// metadata length, metadata, body) as an ipc.Message over b's bytes.
func splitMessage(b []byte) (*ipc.Message, error) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b) != 0xFFFFFFFF {
		return nil, errors.New("dataapi: decode result: not an IPC message")
	}
	n := int64(binary.LittleEndian.Uint32(b[4:]))
	if n < 4 || n > int64(len(b)-8) {
		return nil, errors.New("dataapi: decode result: bad metadata length")
	}
	msg := ipc.NewMessage(memory.NewBufferBytes(b[8:8+n]), memory.NewBufferBytes(b[8+n:]))
	if msg.BodyLen() != int64(len(b))-8-n {
		msg.Release()
		return nil, errors.New("dataapi: decode result: bad body length")
	}
	return msg, nil
}

// pageMessages hands ipc's reader the schema message then one page.
type pageMessages struct {
	msgs [2]*ipc.Message
	next int
}

func (m *pageMessages) Message() (*ipc.Message, error) {
	if m.next == len(m.msgs) {
		return nil, io.EOF
	}
	m.next++
	return m.msgs[m.next-1], nil
}

func (m *pageMessages) Retain() {}

// Release drops the messages; a batch read from them keeps its own
// references to the page's bytes.
func (m *pageMessages) Release() {
	for i, msg := range m.msgs {
		if msg != nil {
			msg.Release()
			m.msgs[i] = nil
		}
	}
}

func (r *result) remove() {
	if r != nil {
		_ = r.store.Delete(context.Background(), r.key)
	}
}

// appender adds one engine value to a column builder. A value whose Go type
// does not fit its column's type is an error, never a silent NULL or a
// changed value.
type appender func(v any) error

func newAppender(b array.Builder, date bool) appender {
	switch bb := b.(type) {
	case *array.Int64Builder:
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case int64:
				bb.Append(x)
			default:
				return mismatch(v, "an integer")
			}
			return nil
		}
	case *array.Float64Builder:
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case float64:
				bb.Append(x)
			default:
				return mismatch(v, "a float")
			}
			return nil
		}
	case *array.BooleanBuilder:
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case bool:
				bb.Append(x)
			default:
				return mismatch(v, "a boolean")
			}
			return nil
		}
	case *array.Decimal128Builder:
		dt := bb.Type().(*arrow.Decimal128Type)
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case string:
				d, ok := parseDecimal(x, dt.Precision, dt.Scale)
				if !ok {
					return fmt.Errorf("%q is not a DECIMAL(%d,%d)", x, dt.Precision, dt.Scale)
				}
				bb.Append(d)
			default:
				return mismatch(v, "a decimal")
			}
			return nil
		}
	case *array.TimestampBuilder:
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case time.Time:
				bb.Append(arrow.Timestamp(x.UnixMicro()))
			default:
				return mismatch(v, "a timestamp")
			}
			return nil
		}
	case *array.BinaryBuilder:
		return func(v any) error {
			switch x := v.(type) {
			case nil:
				bb.AppendNull()
			case []byte:
				bb.Append(x)
			default:
				return mismatch(v, "bytes")
			}
			return nil
		}
	case *array.StringBuilder:
		return func(v any) error {
			if v == nil {
				bb.AppendNull()
				return nil
			}
			// Redshift's Data API gives a DATE as "2024-03-01", not as a
			// midnight timestamp, which is how the engine's time.Time
			// would print.
			if t, ok := v.(time.Time); ok && date {
				bb.Append(t.Format(time.DateOnly))
				return nil
			}
			s, _ := engine.Text(v)
			bb.Append(s)
			return nil
		}
	}
	panic(fmt.Sprintf("dataapi: no appender for %T", b))
}

func mismatch(v any, want string) error {
	return fmt.Errorf("the engine gave a %T where %s was expected", v, want)
}
