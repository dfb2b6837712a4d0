package gendata

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

// csvFlushAt is the buffer size at which rows are handed to the writer. Large
// enough to amortise Write calls, small enough that cancellation is noticed
// within a few hundred rows.
const csvFlushAt = 64 << 10

// WriteCSV writes a header row then opts.Rows rows to w. Same Options =>
// identical bytes. It checks ctx between buffer flushes and returns ctx.Err()
// once it is cancelled.
func WriteCSV(ctx context.Context, w io.Writer, opts Options) error {
	if opts.Rows < 0 {
		return fmt.Errorf("%w: got %d", errNegativeRows, opts.Rows)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := newModel()
	if err != nil {
		return err
	}
	r := newCSVRenderer(m)

	buf := make([]byte, 0, csvFlushAt+4096)
	for i, c := range Columns() {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendCSVField(buf, c.Name)
	}
	buf = append(buf, '\n')

	flush := func() error {
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("gendata: writing CSV: %w", err)
		}
		buf = buf[:0]
		return ctx.Err()
	}
	var s sale
	err = forEachChunk(opts, func(rng *rand.Rand, n int) error {
		for range n {
			m.next(rng, &s)
			buf = r.appendRow(buf, &s)
			if len(buf) >= csvFlushAt {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// csvRenderer holds pre-rendered CSV fragments: the product and city columns
// only depend on the catalogue and city indexes, so they are encoded once per
// write instead of once per row. This is what makes the hot loop cheap.
type csvRenderer struct {
	// productCols[i] is `SKU,Product_Name,Category,` for product i.
	productCols [][]byte
	// cityCols[i] is `,City,...,Timezone\n` for city i.
	cityCols [][]byte
	// dates[d] is `YYYY-MM-DD ` for day d of the window.
	dates [][]byte
}

func newCSVRenderer(m *model) *csvRenderer {
	r := &csvRenderer{
		productCols: make([][]byte, len(m.products)),
		cityCols:    make([][]byte, len(m.cities)),
		dates:       make([][]byte, m.days),
	}
	for i, p := range m.products {
		b := appendCSVField(nil, p.SKU)
		b = append(b, ',')
		b = appendCSVField(b, p.Name)
		b = append(b, ',')
		b = appendCSVField(b, p.Category)
		r.productCols[i] = append(b, ',')
	}
	for i, c := range m.cities {
		b := []byte{','}
		b = appendCSVField(b, c.Name)
		b = append(b, ',')
		b = appendCSVField(b, c.Region)
		b = append(b, ',')
		b = appendCSVField(b, c.Country)
		b = append(b, ',')
		b = appendFixed(b, c.LatitudeMicro, 6)
		b = append(b, ',')
		b = appendFixed(b, c.LongitudeMicro, 6)
		b = append(b, ',')
		b = strconv.AppendInt(b, c.Population, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, c.Elevation, 10)
		b = append(b, ',')
		b = appendCSVField(b, c.Timezone)
		r.cityCols[i] = append(b, '\n')
	}
	for d := range r.dates {
		r.dates[d] = m.windowStart.AddDate(0, 0, d).AppendFormat(nil, "2006-01-02 ")
	}
	return r
}

func (r *csvRenderer) appendRow(b []byte, s *sale) []byte {
	b = append(b, r.productCols[s.product]...)
	b = strconv.AppendInt(b, int64(s.quantity), 10)
	b = append(b, ',')
	b = appendFixed(b, s.priceCents, 2)
	b = append(b, ',')
	b = append(b, r.dates[s.day]...)
	sec := int(s.second)
	b = append2(b, sec/3600)
	b = append(b, ':')
	b = append2(b, sec/60%60)
	b = append(b, ':')
	b = append2(b, sec%60)
	return append(b, r.cityCols[s.city]...)
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// appendFixed renders v / 10^scale with exactly scale decimals, e.g.
// (-3461315, 6) -> "-3.461315", without float rounding.
func appendFixed(b []byte, v int64, scale int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	pow := int64(1)
	for range scale {
		pow *= 10
	}
	b = strconv.AppendInt(b, v/pow, 10)
	b = append(b, '.')
	frac := v % pow
	for p := pow / 10; p > 0; p /= 10 {
		b = append(b, byte('0'+frac/p%10))
	}
	return b
}

// appendCSVField quotes s only when RFC 4180 requires it.
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
