package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// projection is the attributes / excludedAttributes of a request (RFC
// 7644 §3.4.2.5, §3.9), which the library parses for .search only and
// applies nowhere; tipgate applies it to the response.
type projection struct {
	include, exclude []string
}

func (p projection) empty() bool { return len(p.include) == 0 && len(p.exclude) == 0 }

func splitList(s string) []string {
	var out []string
	for _, a := range strings.Split(s, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// projectionOf reads the query parameters, or for POST .search the body.
func projectionOf(r *http.Request, body []byte) projection {
	q := r.URL.Query()
	p := projection{include: splitList(q.Get("attributes")), exclude: splitList(q.Get("excludedAttributes"))}
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/.search") {
		var sr struct {
			Attributes         []string `json:"attributes"`
			ExcludedAttributes []string `json:"excludedAttributes"`
		}
		if json.Unmarshal(body, &sr) == nil {
			p.include, p.exclude = sr.Attributes, sr.ExcludedAttributes
		}
	}
	return p
}

// alwaysReturned are attributes a projection never removes.
func alwaysReturned(name string) bool {
	switch strings.ToLower(name) {
	case "id", "schemas", "meta":
		return true
	}
	return false
}

// apply projects a resource document in place.
func (p projection) apply(doc map[string]any, extURNs []string) {
	for _, a := range p.exclude {
		removePath(doc, a, extURNs)
	}
	if len(p.include) == 0 {
		return
	}
	keep := map[string]any{}
	for k, v := range doc {
		if alwaysReturned(k) {
			keep[k] = v
		}
	}
	for _, a := range p.include {
		copyPath(doc, keep, a, extURNs)
	}
	for k := range doc {
		delete(doc, k)
	}
	for k, v := range keep {
		doc[k] = v
	}
}

// splitPath turns "urn:…:User:employeeNumber" into (urn, "employeeNumber")
// for a known extension, "name.givenName" into ("", "name", "givenName").
func splitPath(a string, extURNs []string) (urn, attr, sub string) {
	for _, u := range extURNs {
		if strings.EqualFold(a, u) {
			return u, "", ""
		}
		if len(a) > len(u)+1 && strings.EqualFold(a[:len(u)+1], u+":") {
			urn, a = u, a[len(u)+1:]
			break
		}
	}
	if i := strings.LastIndex(a, ":"); i >= 0 && urn == "" {
		a = a[i+1:] // core schema URN prefix
	}
	attr, sub, _ = strings.Cut(a, ".")
	return urn, attr, sub
}

func containerOf(doc map[string]any, urn string) map[string]any {
	if urn == "" {
		return doc
	}
	m, _ := doc[key(doc, urn)].(map[string]any)
	return m
}

func removePath(doc map[string]any, a string, extURNs []string) {
	urn, attr, sub := splitPath(a, extURNs)
	if attr == "" {
		delete(doc, key(doc, urn))
		return
	}
	m := containerOf(doc, urn)
	if m == nil || alwaysReturned(attr) && urn == "" {
		return
	}
	k := key(m, attr)
	if sub == "" {
		delete(m, k)
		return
	}
	switch v := m[k].(type) {
	case map[string]any:
		delete(v, key(v, sub))
	case []any:
		for _, e := range v {
			if em, ok := e.(map[string]any); ok {
				delete(em, key(em, sub))
			}
		}
	}
}

func copyPath(from, to map[string]any, a string, extURNs []string) {
	urn, attr, sub := splitPath(a, extURNs)
	if attr == "" {
		if v, ok := from[key(from, urn)]; ok {
			to[key(from, urn)] = v
		}
		return
	}
	src := containerOf(from, urn)
	if src == nil {
		return
	}
	dst := to
	if urn != "" {
		k := key(from, urn)
		d, _ := to[k].(map[string]any)
		if d == nil {
			d = map[string]any{}
			to[k] = d
		}
		dst = d
	}
	k := key(src, attr)
	v, ok := src[k]
	if !ok {
		return
	}
	if sub == "" {
		dst[k] = v
		return
	}
	switch t := v.(type) {
	case map[string]any:
		d, _ := dst[k].(map[string]any)
		if d == nil {
			d = map[string]any{}
			dst[k] = d
		}
		if sv, ok := t[key(t, sub)]; ok {
			d[key(t, sub)] = sv
		}
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if em, ok := e.(map[string]any); ok {
				if sv, ok := em[key(em, sub)]; ok {
					out = append(out, map[string]any{key(em, sub): sv})
				}
			}
		}
		dst[k] = out
	}
}

// projectBody applies p to a response body: one resource or a list.
func projectBody(b []byte, p projection, extURNs []string) []byte {
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if d.Decode(&doc) != nil {
		return b
	}
	if list, ok := doc["Resources"].([]any); ok {
		for _, r := range list {
			if m, ok := r.(map[string]any); ok {
				p.apply(m, extURNs)
			}
		}
	} else if _, isErr := doc["scimType"]; !isErr && doc["id"] != nil {
		p.apply(doc, extURNs)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return b
	}
	return out
}

// bufferedWriter holds a response so it can be projected before it is
// sent.
type bufferedWriter struct {
	h      http.Header
	status int
	buf    bytes.Buffer
}

func (w *bufferedWriter) Header() http.Header         { return w.h }
func (w *bufferedWriter) Write(b []byte) (int, error) { return w.buf.Write(b) }
func (w *bufferedWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
