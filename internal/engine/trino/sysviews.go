package trino

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/policy"
)

// withSystemViews gives a statement the router's system views (SVV_*,
// SYS_QUERY_HISTORY, …) it names, as sub may see them: each becomes a
// common table expression of typed constants put before the statement's
// own (merged into its WITH when it has one, so its ORDER BY and LIMIT
// keep their meaning). Names are found on PostgreSQL's tokens: an
// unqualified identifier that is a system view and not a table.
func (e *Engine) withSystemViews(cat *policy.Catalog, sub policy.Subject, text string) (string, error) {
	res, err := pg.Scan(text)
	if err != nil {
		return text, nil // Trino reports the syntax error
	}
	toks := res.Tokens
	var names []string
	seen := map[string]bool{}
	for i, t := range toks {
		if t.Token != pg.Token_IDENT || (i > 0 && toks[i-1].Token == pg.Token_ASCII_46) ||
			(i+1 < len(toks) && toks[i+1].Token == pg.Token_ASCII_46) {
			continue
		}
		name := strings.ToLower(strings.Trim(text[t.Start:t.End], `"`))
		if seen[name] || !isSystemViewName(name) {
			continue
		}
		if _, table := cat.Table(name); table {
			continue
		}
		seen[name] = true
		names = append(names, name)
	}
	if len(names) == 0 {
		return text, nil
	}
	views := map[string]engine.SystemView{}
	for _, v := range e.opts.System.Views(cat, sub, func(t string) bool {
		a, ok := cat.Decide(sub, t)
		return ok && a.Visible
	}) {
		views[v.Name] = v
	}
	for _, name := range engine.DynamicSystemViews() {
		if v, ok := e.opts.System.Dynamic(cat, sub, name); ok {
			views[name] = v
		}
	}
	var ctes []string
	for _, n := range names {
		v, ok := views[n]
		if !ok {
			continue
		}
		ctes = append(ctes, qi(n)+" AS ("+engine.ValuesQuery(v, trinoTypeOf, qi)+")")
	}
	if len(ctes) == 0 {
		return text, nil
	}
	// Merge into the statement's WITH [RECURSIVE], or start one.
	first := 0
	for first < len(toks) && toks[first].Token == pg.Token_ASCII_40 {
		first++
	}
	if first < len(toks) && toks[first].Token == pg.Token_WITH {
		at := toks[first].End
		if first+1 < len(toks) && toks[first+1].Token == pg.Token_RECURSIVE {
			at = toks[first+1].End
		}
		return text[:at] + " " + strings.Join(ctes, ", ") + "," + text[at:], nil
	}
	if first > 0 {
		// "(SELECT …) UNION …": a WITH cannot go inside the parenthesis.
		return "WITH " + strings.Join(ctes, ", ") + " " + text, nil
	}
	return "WITH " + strings.Join(ctes, ", ") + " " + text, nil
}

func isSystemViewName(n string) bool {
	return strings.HasPrefix(n, "svv_") || strings.HasPrefix(n, "sys_") || strings.HasPrefix(n, "stv_") ||
		strings.HasPrefix(n, "stl_") || strings.HasPrefix(n, "svl_") || strings.HasPrefix(n, "pg_")
}

func trinoTypeOf(t engine.Type) string {
	switch t.Kind {
	case engine.TypeBool:
		return "boolean"
	case engine.TypeSmallInt:
		return "smallint"
	case engine.TypeInt:
		return "integer"
	case engine.TypeBigInt:
		return "bigint"
	case engine.TypeNumeric:
		if t.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
		}
		return "decimal(38,0)"
	case engine.TypeReal:
		return "real"
	case engine.TypeDouble:
		return "double"
	case engine.TypeDate:
		return "date"
	case engine.TypeTimestamp:
		return "timestamp(6)"
	case engine.TypeTimestampTZ:
		return "timestamp(6) with time zone"
	case engine.TypeVarbyte:
		return "varbinary"
	}
	return "varchar"
}
