package duckval

import (
	"fmt"
	"math/big"
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
	default:
		return fmt.Sprint(x)
	}
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
