package identity

// matchLike reports whether s matches a Redshift LIKE pattern: '%' is any
// run of characters, '_' exactly one, '\' escapes the next character, and
// the comparison is case-sensitive. Runs in O(len(p)·len(s)) without
// backtracking blow-up.
func matchLike(pattern, s string) bool {
	p := []rune(pattern)
	str := []rune(s)
	type tok struct {
		r   rune
		any bool // '%'
		one bool // '_'
	}
	var toks []tok
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			i++
			toks = append(toks, tok{r: p[i]})
		case p[i] == '%':
			toks = append(toks, tok{any: true})
		case p[i] == '_':
			toks = append(toks, tok{one: true})
		default:
			toks = append(toks, tok{r: p[i]})
		}
	}
	// cur[j]: toks[:i] matches str[:j].
	cur := make([]bool, len(str)+1)
	next := make([]bool, len(str)+1)
	cur[0] = true
	for _, t := range toks {
		clear(next)
		for j := 0; j <= len(str); j++ {
			switch {
			case t.any:
				next[j] = cur[j] || (j > 0 && next[j-1])
			case j == 0:
			case t.one:
				next[j] = cur[j-1]
			default:
				next[j] = cur[j-1] && str[j-1] == t.r
			}
		}
		cur, next = next, cur
	}
	return cur[len(str)]
}
