package ddl

import "github.com/tipgate/tipgate/internal/sqlscan"

// QuoteName returns name as this grammar reads it back: bare when the lexer
// would fold it to itself and it is no reserved word, double-quoted
// otherwise. Generated statements (policy export and plans) stay readable
// without a name ever changing meaning on the way back in.
func QuoteName(name string) string {
	if name != "" && !reserved[name] && plainName(name) {
		return name
	}
	return sqlscan.QuoteIdent(name)
}

func plainName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || (c >= 'a' && c <= 'z'):
		case i > 0 && ((c >= '0' && c <= '9') || c == '$'):
		default:
			return false
		}
	}
	return true
}
