package sts

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of an awsQuery request.
const (
	MaxBody    = 1 << 20
	maxParams  = 256
	maxMembers = 32
)

// form is a parsed awsQuery body: each parameter exactly once.
type form map[string]string

// parseForm decodes an application/x-www-form-urlencoded body strictly:
// no repeated parameter, no empty name, valid UTF-8 everywhere.
func parseForm(body []byte) (form, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("the request body is not form-encoded")
	}
	if len(vals) > maxParams {
		return nil, fmt.Errorf("the request has more than %d parameters", maxParams)
	}
	f := make(form, len(vals))
	for k, vs := range vals {
		if k == "" || !utf8.ValidString(k) {
			return nil, fmt.Errorf("the request has a parameter with an empty or invalid name")
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("parameter %s is given %d times", safe(k), len(vs))
		}
		if !utf8.ValidString(vs[0]) {
			return nil, fmt.Errorf("parameter %s is not valid UTF-8", safe(k))
		}
		f[k] = vs[0]
	}
	return f, nil
}

// members reads the list prefix.member.N.field (N from 1, consecutive),
// each member a map of the given fields. A field not in fields, an index
// that is not a positive decimal without leading zeros, or a gap is an
// error.
func (f form) members(prefix string, fields ...string) ([]map[string]string, error) {
	byIndex := map[int]map[string]string{}
	p := prefix + ".member."
	for k, v := range f {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			if strings.HasPrefix(k, prefix+".") {
				return nil, fmt.Errorf("parameter %s is not of the form %sN.field", safe(k), p)
			}
			continue
		}
		idx, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(idx)
		if !ok || err != nil || n < 1 || n > maxMembers || strconv.Itoa(n) != idx {
			return nil, fmt.Errorf("parameter %s has an invalid member index (1 to %d)", safe(k), maxMembers)
		}
		known := false
		for _, fl := range fields {
			known = known || fl == field
		}
		if !known {
			return nil, fmt.Errorf("parameter %s names an unknown member field", safe(k))
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = v
	}
	idxs := make([]int, 0, len(byIndex))
	for n := range byIndex {
		idxs = append(idxs, n)
	}
	sort.Ints(idxs)
	out := make([]map[string]string, 0, len(idxs))
	for i, n := range idxs {
		if n != i+1 {
			return nil, fmt.Errorf("%s members must be numbered from 1 without gaps", prefix)
		}
		out = append(out, byIndex[n])
	}
	return out, nil
}

// has reports whether any parameter is name or starts with name + ".".
func (f form) has(name string) bool {
	for k := range f {
		if k == name || strings.HasPrefix(k, name+".") {
			return true
		}
	}
	return false
}

// safe shortens a parameter name for an error message.
func safe(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}
