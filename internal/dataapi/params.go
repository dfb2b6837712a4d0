package dataapi

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlscan"
)

var reParamName = regexp.MustCompile(`^[0-9a-zA-Z_]+$`)

// bindParameters replaces :name placeholders with positional parameters,
// so values are bound by the engine and never spliced into SQL text: a
// parameter can only ever be a value. Every parameter must be used, every
// placeholder must have a value.
func bindParameters(sql string, params []Parameter) (string, []any, error) {
	values := map[string]string{}
	for _, p := range params {
		if !reParamName.MatchString(p.Name) {
			return "", nil, validation("parameter name %q must match ^[0-9a-zA-Z_]+$", p.Name)
		}
		if p.Value == "" {
			return "", nil, validation("parameter %q has an empty value", p.Name)
		}
		if _, dup := values[p.Name]; dup {
			return "", nil, validation("parameter %q is given twice", p.Name)
		}
		values[p.Name] = p.Value
	}
	if len(params) == 0 && !strings.Contains(sql, ":") {
		// No placeholder can be spelt without a colon: nothing to bind.
		return sql, nil, nil
	}
	toks, err := sqlscan.Tokens(sql)
	if err != nil {
		// Let the engine report the syntax error as a FAILED statement.
		return sql, nil, nil
	}
	var b strings.Builder
	var args []any
	index := map[string]int{}
	last := 0
	for _, t := range toks {
		if t.Kind != sqlscan.Param || strings.HasPrefix(t.Text, "$") {
			continue
		}
		v, ok := values[t.Value]
		if !ok {
			return "", nil, validation("no value for parameter :%s", t.Value)
		}
		n, seen := index[t.Value]
		if !seen {
			args = append(args, v)
			n = len(args)
			index[t.Value] = n
		}
		b.WriteString(sql[last:t.Pos])
		b.WriteString("$" + strconv.Itoa(n))
		last = t.End
	}
	b.WriteString(sql[last:])
	for name := range values {
		if _, used := index[name]; !used {
			return "", nil, validation("parameter %q is not used by the statement", name)
		}
	}
	return b.String(), args, nil
}
