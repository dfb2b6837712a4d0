package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

// ValuesQuery renders a system view as a typed constant query in the SQL
// that DuckDB, PostgreSQL and Trino share (a temporary view on DuckDB, a
// CTE of the statement on the others). typeName spells a column type in the engine's
// dialect and quoteIdent quotes a column name. Every value is cast to its
// column's type, so the VALUES list has the view's types even where one
// row alone would not say them, and an empty view still has its columns
// and types.
func ValuesQuery(v SystemView, typeName func(Type) string, quoteIdent func(string) string) string {
	var sel, aliases []string
	for i, c := range v.Columns {
		aliases = append(aliases, "c"+strconv.Itoa(i))
		sel = append(sel, fmt.Sprintf("CAST(c%d AS %s) AS %s", i, typeName(c.Type), quoteIdent(c.Name)))
	}
	var vals []string
	for _, r := range v.Rows {
		var lits []string
		for i, x := range r {
			lits = append(lits, "CAST("+sqlLiteral(x)+" AS "+typeName(v.Columns[i].Type)+")")
		}
		vals = append(vals, "("+strings.Join(lits, ", ")+")")
	}
	where := ""
	if len(vals) == 0 {
		var nulls []string
		for _, c := range v.Columns {
			nulls = append(nulls, "CAST(NULL AS "+typeName(c.Type)+")")
		}
		vals, where = []string{"(" + strings.Join(nulls, ", ") + ")"}, " WHERE false"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES " + strings.Join(vals, ", ") + ") AS v(" + strings.Join(aliases, ", ") + ")" + where
}

// sqlLiteral spells a system view's value as a standard SQL literal.
func sqlLiteral(v any) string {
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
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return "TIMESTAMP " + sqlscan.QuoteString(x.UTC().Format("2006-01-02 15:04:05.999999"))
	}
	return sqlscan.QuoteString(fmt.Sprint(v))
}
