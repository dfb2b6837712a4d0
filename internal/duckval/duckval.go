package duckval

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdbdrv "github.com/duckdb/duckdb-go/v2"
)

// Normalise converts one driver value; DECIMAL becomes its exact string.
func Normalise(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []byte, time.Time:
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return fmt.Sprint(x)
	case float32:
		return float64(x)
	case *big.Int:
		return x.String()
	case duckdbdrv.Decimal:
		return FormatDecimal(x)
	case duckdbdrv.UUID:
		return x.String()
	case map[string]any, []any, duckdbdrv.OrderedMap, duckdbdrv.Map, map[any]any:
		// STRUCT, LIST, ARRAY and MAP come out as JSON text, as Redshift
		// returns SUPER, instead of Go's own syntax.
		return JSONText(x)
	default:
		return fmt.Sprint(x)
	}
}

// JSONText is a nested (or JSON-typed) value as JSON text. Object keys
// come out sorted (a STRUCT's fields reach Go as a map); MAP keys that
// are not strings become their text; DECIMAL and big integers stay exact
// numbers; times, blobs and UUIDs become strings the way top-level
// values print.
func JSONText(v any) string {
	var b strings.Builder
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, x[k])
		}
		b.WriteByte('}')
	case duckdbdrv.OrderedMap:
		keys, vals := x.Keys(), x.Values()
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, keyText(k))
			b.WriteByte(':')
			writeJSON(b, vals[i])
		}
		b.WriteByte('}')
	case duckdbdrv.Map:
		writeJSON(b, map[any]any(x))
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[keyText(k)] = val
		}
		writeJSON(b, m)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	default:
		switch n := Normalise(x).(type) {
		case nil:
			b.WriteString("null")
		case bool:
			b.WriteString(strconv.FormatBool(n))
		case int64:
			b.WriteString(strconv.FormatInt(n, 10))
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				writeString(b, strconv.FormatFloat(n, 'g', -1, 64))
			} else {
				b.WriteString(strconv.FormatFloat(n, 'g', -1, 64))
			}
		case string:
			if exactNumber(x) {
				b.WriteString(n)
			} else {
				writeString(b, n)
			}
		case time.Time:
			if n.Nanosecond() == 0 {
				writeString(b, n.Format("2006-01-02 15:04:05"))
			} else {
				writeString(b, n.Format("2006-01-02 15:04:05.999999"))
			}
		case []byte:
			writeString(b, `\x`+hex.EncodeToString(n))
		default:
			writeString(b, fmt.Sprint(n))
		}
	}
}

// exactNumber: driver values Normalise turns into a string to keep them
// exact, which are numbers in JSON.
func exactNumber(v any) bool {
	switch v.(type) {
	case duckdbdrv.Decimal, *big.Int, uint64:
		return true
	}
	return false
}

func keyText(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	n := Normalise(k)
	if s, ok := n.(string); ok {
		return s
	}
	return fmt.Sprint(n)
}

// writeString writes s as a JSON string, leaving <, > and & as they are
// (the text is data, not HTML).
func writeString(b *strings.Builder, s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// FormatDecimal renders a DECIMAL exactly, with its scale.
func FormatDecimal(d duckdbdrv.Decimal) string {
	s := d.Value.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	scale := int(d.Scale)
	if scale > 0 {
		for len(s) <= scale {
			s = "0" + s
		}
		s = s[:len(s)-scale] + "." + s[len(s)-scale:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
