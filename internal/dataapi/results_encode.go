package dataapi

import (
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The encoders below write a page of the Data API's JSON (Field unions)
// or CSV straight from a record batch's columns: no per-value interface,
// no reflection. They spell values as the engine.Text/encoding/json path
// they replace did; results_encode_test.go holds them to it.

// cellFunc appends row i of one column.
type cellFunc func(dst []byte, i int) []byte

// jsonCell returns the encoder of a column's Field objects
// ({"longValue":1}, {"isNull":true}, ...).
func jsonCell(col arrow.Array) cellFunc {
	null := func(dst []byte, i int) ([]byte, bool) {
		if col.IsNull(i) {
			return append(dst, `{"isNull":true}`...), true
		}
		return dst, false
	}
	switch a := col.(type) {
	case *array.Int64:
		return func(dst []byte, i int) []byte {
			if dst, ok := null(dst, i); ok {
				return dst
			}
			dst = append(dst, `{"longValue":`...)
			return append(strconv.AppendInt(dst, a.Value(i), 10), '}')
		}
	case *array.Float64:
		return func(dst []byte, i int) []byte {
			if dst, ok := null(dst, i); ok {
				return dst
			}
			dst = append(dst, `{"doubleValue":`...)
			return append(appendJSONFloat(dst, a.Value(i)), '}')
		}
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if dst, ok := null(dst, i); ok {
				return dst
			}
			if a.Value(i) {
				return append(dst, `{"booleanValue":true}`...)
			}
			return append(dst, `{"booleanValue":false}`...)
		}
	case *array.Binary:
		return func(dst []byte, i int) []byte {
			if dst, ok := null(dst, i); ok {
				return dst
			}
			dst = append(dst, `{"blobValue":"`...)
			dst = base64.StdEncoding.AppendEncode(dst, a.Value(i))
			return append(dst, `"}`...)
		}
	}
	if s, ok := col.(*array.String); ok {
		return func(dst []byte, i int) []byte {
			if s.IsNull(i) {
				return append(dst, `{"isNull":true}`...)
			}
			dst = append(dst, `{"stringValue":`...)
			dst = appendJSONString(dst, s.Value(i))
			return append(dst, '}')
		}
	}
	text := textCell(col)
	return func(dst []byte, i int) []byte {
		if dst, ok := null(dst, i); ok {
			return dst
		}
		// Decimals and timestamps print without characters to escape.
		dst = append(dst, `{"stringValue":"`...)
		dst = text(dst, i)
		return append(dst, '"', '}')
	}
}

// textCell returns the encoder of a column's values as text (engine.Text's
// spelling), NULL as nothing; strings are not quoted.
func textCell(col arrow.Array) cellFunc {
	switch a := col.(type) {
	case *array.Int64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return strconv.AppendInt(dst, a.Value(i), 10)
		}
	case *array.Float64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return strconv.AppendFloat(dst, a.Value(i), 'g', -1, 64)
		}
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return strconv.AppendBool(dst, a.Value(i))
		}
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return appendDecimal(dst, a.Value(i), scale)
		}
	case *array.Timestamp:
		enc := new(timestampEncoder)
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return enc.append(dst, int64(a.Value(i)))
		}
	case *array.Binary:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			dst = append(dst, `\x`...)
			return hex.AppendEncode(dst, a.Value(i))
		}
	case *array.String:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return append(dst, a.Value(i)...)
		}
	}
	// arrowSchema makes no other type.
	panic("dataapi: no text encoder for " + col.DataType().String())
}

// csvCell returns the encoder of a column's CSV fields, quoted as
// encoding/csv quotes them.
func csvCell(col arrow.Array) cellFunc {
	s, ok := col.(*array.String)
	if !ok {
		// Numbers, decimals, timestamps and \x-hex never need quotes.
		return textCell(col)
	}
	return func(dst []byte, i int) []byte {
		if s.IsNull(i) {
			return dst
		}
		return appendCSVField(dst, s.Value(i))
	}
}

// csvCellJSON returns the encoder of a column's CSV fields as they stand
// inside a JSON string (GetStatementResultV2's CSVRecords), so a CSV page
// is written in one pass.
func csvCellJSON(col arrow.Array) cellFunc {
	if b, ok := col.(*array.Binary); ok {
		return func(dst []byte, i int) []byte {
			if b.IsNull(i) {
				return dst
			}
			dst = append(dst, `\\x`...)
			return hex.AppendEncode(dst, b.Value(i))
		}
	}
	s, ok := col.(*array.String)
	if !ok {
		// Numbers, decimals and timestamps have nothing to escape.
		return textCell(col)
	}
	return func(dst []byte, i int) []byte {
		if s.IsNull(i) {
			return dst
		}
		return appendCSVFieldJSON(dst, s.Value(i))
	}
}

// csvJSONPlain marks the bytes a CSV field inside a JSON string holds as
// they are: printable ASCII other than the quote, the backslash and the
// comma. A field of these alone (not starting with a space) needs neither
// CSV quotes nor JSON escapes, which is most text.
var csvJSONPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != ','
	}
	return t
}()

// appendCSVFieldJSON appends f as a CSV field inside a JSON string: quoted
// as encoding/csv quotes it, then escaped as appendJSONBody escapes it.
func appendCSVFieldJSON(dst []byte, f string) []byte {
	plain := len(f) == 0 || f[0] != ' '
	for i := 0; plain && i < len(f); i++ {
		plain = csvJSONPlain[f[i]]
	}
	if plain {
		return append(dst, f...)
	}
	if !csvNeedsQuotes(f) {
		return appendJSONBody(dst, f)
	}
	dst = append(dst, '\\', '"')
	dst = appendJSONBody(dst, strings.ReplaceAll(f, `"`, `""`))
	return append(dst, '\\', '"')
}

func appendCSVField(dst []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			dst = append(dst, '"', '"')
		} else {
			dst = append(dst, f[i])
		}
	}
	return append(dst, '"')
}

// csvNeedsQuotes is encoding/csv's rule for a comma-separated field.
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// appendJSONFloat spells a float as encoding/json does; NaN and the
// infinities, which JSON has no number for, as the strings AWS's JSON
// protocols use for them.
func appendJSONFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// jsonSafe marks the ASCII bytes a JSON string holds as they are.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as a JSON string: invalid UTF-8 becomes
// U+FFFD and U+2028/U+2029 are escaped, as encoding/json does (HTML
// characters are left as they are: the Data API's bodies are not HTML).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONBody(dst, s)
	return append(dst, '"')
}

// appendJSONBody is appendJSONString without the quotes.
func appendJSONBody(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// appendTimestamp prints microseconds since the epoch as engine.Text prints
// the time: "2006-01-02 15:04:05" with ".999999" (trailing zeros dropped)
// when there is a fraction. Years 0001-9999 are printed here, by civil-date
// arithmetic (time.AppendFormat was most of a CSV page's cost); others by
// the time package.
func appendTimestamp(dst []byte, us int64) []byte {
	const usPerDay = 86400 * 1_000_000
	days, rem := us/usPerDay, us%usPerDay
	if rem < 0 {
		days, rem = days-1, rem+usPerDay
	}
	// Howard Hinnant's civil_from_days.
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	if y < 1 || y > 9999 {
		t := time.UnixMicro(us).UTC()
		if t.Nanosecond() == 0 {
			return t.AppendFormat(dst, "2006-01-02 15:04:05")
		}
		return t.AppendFormat(dst, "2006-01-02 15:04:05.999999")
	}
	sec := rem / 1_000_000
	frac := rem % 1_000_000
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), ' ',
		byte('0'+sec/36000), byte('0'+sec/3600%10), ':', byte('0'+sec/60%60/10), byte('0'+sec/60%10), ':',
		byte('0'+sec%60/10), byte('0'+sec%10))
	return appendFraction(dst, frac)
}

// appendFraction appends microseconds as a fraction of a second without
// trailing zeros (".5", ".000123"), nothing for zero.
func appendFraction(dst []byte, frac int64) []byte {
	if frac == 0 {
		return dst
	}
	var f [7]byte
	f[0] = '.'
	for i := 6; i >= 1; i-- {
		f[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for f[n-1] == '0' {
		n--
	}
	return append(dst, f[:n]...)
}

// timestampDays is the number of dates a timestampEncoder keeps: a power
// of two above two years of days, so a page of timestamps spread over two
// years (the bench's fetch table) keeps every day it meets (with 256, most
// timestamps missed: their days took each other's slots).
const timestampDays = 1024

// timestampEncoder is appendTimestamp with the dates it has printed kept
// by day (a page's timestamps mostly fall on a few hundred days), so a
// timestamp costs the time of day and one copy of the date.
type timestampEncoder struct {
	days [timestampDays]struct {
		day  int64
		ok   bool
		text [11]byte // "2006-01-02 "
	}
}

func (e *timestampEncoder) append(dst []byte, us int64) []byte {
	const usPerDay = 86400 * 1_000_000
	// Years 0001-9999 only (days from the epoch): the rest print as the
	// time package prints them.
	const minDay, maxDay = -719162, 2932896
	day, rem := us/usPerDay, us%usPerDay
	if rem < 0 {
		day, rem = day-1, rem+usPerDay
	}
	if day < minDay || day > maxDay {
		return appendTimestamp(dst, us)
	}
	c := &e.days[uint64(day)%uint64(len(e.days))]
	if !c.ok || c.day != day {
		var midnight [32]byte
		copy(c.text[:], appendTimestamp(midnight[:0], day*usPerDay)[:10])
		c.text[10] = ' '
		c.day, c.ok = day, true
	}
	dst = append(dst, c.text[:]...)
	sec := rem / 1_000_000
	frac := rem % 1_000_000
	h, m, s := sec/3600, sec/60%60, sec%60
	dst = append(dst, twoDigits[2*h], twoDigits[2*h+1], ':', twoDigits[2*m], twoDigits[2*m+1], ':', twoDigits[2*s], twoDigits[2*s+1])
	return appendFraction(dst, frac)
}

// twoDigits spells 00 to 99.
const twoDigits = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"
