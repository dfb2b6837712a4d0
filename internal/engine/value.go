package engine

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Text renders a value the way tipgate prints it everywhere (CLI, tests,
// CSV); ok is false for NULL.
func Text(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case time.Time:
		if x.Nanosecond() == 0 {
			return x.Format("2006-01-02 15:04:05"), true
		}
		return x.Format("2006-01-02 15:04:05.999999"), true
	case []byte:
		return `\x` + hex.EncodeToString(x), true
	default:
		return fmt.Sprint(x), true
	}
}
