package duckdb

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// valuesView renders a system view as a typed constant view; an empty
// view still has the right columns and types.
func valuesView(v engine.SystemView) string {
	var sel []string
	for i, c := range v.Columns {
		sel = append(sel, fmt.Sprintf("CAST(col%d AS %s) AS %s", i, duckTypeName(c.Type), c.Name))
	}
	var vals []string
	for _, r := range v.Rows {
		var lits []string
		for _, x := range r {
			lits = append(lits, literal(x))
		}
		vals = append(vals, "("+strings.Join(lits, ", ")+")")
	}
	if len(vals) == 0 {
		var nulls []string
		for range v.Columns {
			nulls = append(nulls, "NULL")
		}
		return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES (" + strings.Join(nulls, ", ") + ")) AS v(" + colAliases(len(v.Columns)) + ") WHERE false"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES " + strings.Join(vals, ", ") + ") AS v(" + colAliases(len(v.Columns)) + ")"
}

func colAliases(n int) string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, "col"+strconv.Itoa(i))
	}
	return strings.Join(out, ", ")
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return sqlscan.QuoteString(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case time.Time:
		return "TIMESTAMP " + sqlscan.QuoteString(x.UTC().Format("2006-01-02 15:04:05.999999"))
	default:
		return sqlscan.QuoteString(fmt.Sprint(x))
	}
}
