package postgres

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// systemViews returns the router's system views as sub may see them.
func (e *Engine) systemViews(cat *policy.Catalog, sub policy.Subject) map[string]engine.SystemView {
	out := map[string]engine.SystemView{}
	for _, v := range e.opts.System.Views(cat, sub, func(t string) bool {
		a, ok := cat.Decide(sub, t)
		return ok && a.Visible
	}) {
		out[v.Name] = v
	}
	// Views gives the dynamic ones their columns only; this is built when a
	// statement names a system view, so their rows are read now.
	for _, name := range engine.DynamicSystemViews() {
		if v, ok := e.opts.System.Dynamic(cat, sub, name); ok {
			out[name] = v
		}
	}
	return out
}

// valuesQuery renders a system view as a typed constant query; an empty
// view still has the right columns and types.
func valuesQuery(v engine.SystemView) string {
	var sel, aliases []string
	for i, c := range v.Columns {
		aliases = append(aliases, "c"+strconv.Itoa(i))
		sel = append(sel, fmt.Sprintf("CAST(c%d AS %s) AS %s", i, pgTypeOf(c.Type), qi(c.Name)))
	}
	var vals []string
	for _, r := range v.Rows {
		var lits []string
		for _, x := range r {
			lits = append(lits, literal(x))
		}
		vals = append(vals, "("+strings.Join(lits, ", ")+")")
	}
	where := ""
	if len(vals) == 0 {
		var nulls []string
		for range v.Columns {
			nulls = append(nulls, "NULL")
		}
		vals, where = []string{"(" + strings.Join(nulls, ", ") + ")"}, " WHERE false"
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (VALUES " + strings.Join(vals, ", ") + ") AS v(" + strings.Join(aliases, ", ") + ")" + where
}

func pgTypeOf(t engine.Type) string {
	switch t.Kind {
	case engine.TypeVarbyte:
		return "bytea"
	case engine.TypeSuper, engine.TypeUnknown:
		return "text"
	}
	return t.Name()
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return qs(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return "TIMESTAMP " + qs(x.UTC().Format("2006-01-02 15:04:05.999999"))
	}
	return qs(fmt.Sprint(v))
}
