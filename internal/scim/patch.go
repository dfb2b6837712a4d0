package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	lib "github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	libfilter "github.com/elimity-com/scim/filter"
	"github.com/elimity-com/scim/schema"
	"github.com/scim2/filter-parser/v2"
)

// patcher applies PATCH operations the library has parsed and validated
// (RFC 7644 §3.5.2) to a resource's attributes. The library checks paths
// and value types against the schema but leaves applying them to its
// user; this is that part, kept to the schema so every step is typed.
type patcher struct {
	core schema.Schema
	exts []schema.Schema
}

func badValue(format string, a ...any) error {
	e := scimerr.ScimErrorInvalidValue
	e.Detail = fmt.Sprintf(format, a...)
	return e
}

func noTarget(format string, a ...any) error {
	e := scimerr.ScimErrorNoTarget
	e.Detail = fmt.Sprintf(format, a...)
	return e
}

// container returns the map that holds attributes of the schema the path
// names (the core attributes, or an extension's object) and that
// schema, creating the extension object if create is set.
func (p patcher) container(attrs map[string]any, uri string, create bool) (map[string]any, schema.Schema, error) {
	if uri == "" || strings.EqualFold(uri, p.core.ID) {
		return attrs, p.core, nil
	}
	for _, e := range p.exts {
		if strings.EqualFold(uri, e.ID) {
			m, _ := attrs[e.ID].(map[string]any)
			if m == nil {
				m = map[string]any{}
				if create {
					attrs[e.ID] = m
				}
			}
			return m, e, nil
		}
	}
	return nil, schema.Schema{}, badValue("unknown schema %q", uri)
}

func findAttr(s schema.Schema, name string) (schema.CoreAttribute, bool) {
	attrs := s.Attributes
	if !strings.Contains(s.ID, ":extension:") {
		// externalId (and the read-only id and meta) are common to
		// every resource (RFC 7643 §3.1).
		attrs = append(slices.Clone(attrs), schema.CommonAttributes()...)
	}
	for _, a := range attrs {
		if strings.EqualFold(a.Name(), name) {
			return a, true
		}
	}
	return schema.CoreAttribute{}, false
}

// key finds the stored key of an attribute (names are case-insensitive).
func key(m map[string]any, name string) string {
	if _, ok := m[name]; ok {
		return name
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

func (p patcher) apply(attrs map[string]any, ops []lib.PatchOperation, extOps map[int]string) error {
	for i, op := range ops {
		if urn, ok := extOps[i]; ok {
			delete(attrs, key(attrs, urn))
			continue
		}
		if err := p.applyOne(attrs, op); err != nil {
			return fmt.Errorf("operation %d (%s): %w", i+1, op.Op, err)
		}
	}
	return nil
}

func (p patcher) applyOne(attrs map[string]any, op lib.PatchOperation) error {
	if op.Path == nil {
		// add/replace without a path: the value is an object of
		// attributes (and extension objects keyed by their URN).
		vals, ok := op.Value.(map[string]any)
		if !ok {
			return badValue("an operation without a path needs an object value")
		}
		for name, v := range vals {
			if _, s, err := p.container(attrs, name, false); err == nil && s.ID != p.core.ID {
				ext, ok := v.(map[string]any)
				if !ok {
					return badValue("the value of %s must be an object", name)
				}
				for sub, sv := range ext {
					if err := p.set(attrs, name, sub, nil, "", sv, op.Op); err != nil {
						return err
					}
				}
				continue
			}
			if err := p.set(attrs, "", name, nil, "", v, op.Op); err != nil {
				return err
			}
		}
		return nil
	}
	path := op.Path
	sub := path.AttributePath.SubAttributeName()
	if path.SubAttribute != nil {
		sub = *path.SubAttribute
	}
	if op.Op == PatchRemove {
		return p.remove(attrs, path.AttributePath.URI(), path.AttributePath.AttributeName, path.ValueExpression, sub, op.Value)
	}
	return p.set(attrs, path.AttributePath.URI(), path.AttributePath.AttributeName, path.ValueExpression, sub, op.Value, op.Op)
}

// Patch operation names as the library reports them (lower case).
const (
	PatchAdd     = lib.PatchOperationAdd
	PatchRemove  = lib.PatchOperationRemove
	PatchReplace = lib.PatchOperationReplace
)

// set performs add or replace of one attribute (or sub-attribute, or the
// elements a value filter selects).
func (p patcher) set(attrs map[string]any, uri, name string, filt filter.Expression, sub string, v any, op string) error {
	m, s, err := p.container(attrs, uri, true)
	if err != nil {
		return err
	}
	def, ok := findAttr(s, name)
	if !ok {
		return badValue("unknown attribute %q", name)
	}
	if def.Mutability() == "readOnly" {
		return mutability(def.Name())
	}
	k := key(m, def.Name())
	if filt != nil {
		return p.setFiltered(m, k, def, filt, sub, v)
	}
	if sub != "" {
		obj, _ := m[k].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
			m[k] = obj
		}
		obj[key(obj, sub)] = v
		return nil
	}
	if def.MultiValued() {
		list := asList(v)
		if op == PatchReplace {
			m[k] = list
			return nil
		}
		cur, _ := m[k].([]any)
		for _, e := range list {
			if !containsValue(cur, e) {
				cur = append(cur, e)
			}
		}
		m[k] = cur
		return nil
	}
	if def.HasSubAttributes() && op == PatchAdd {
		// add merges into a complex attribute (RFC 7644 §3.5.2.1).
		obj, _ := m[k].(map[string]any)
		in, ok := v.(map[string]any)
		if obj != nil && ok {
			for sk, sv := range in {
				obj[key(obj, sk)] = sv
			}
			return nil
		}
	}
	m[k] = v
	return nil
}

func mutability(name string) error {
	e := scimerr.ScimErrorMutability
	e.Detail = fmt.Sprintf("attribute %q is read-only", name)
	return e
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	if v == nil {
		return nil
	}
	return []any{v}
}

// containsValue: for complex elements with a "value", equal values are
// the same element (adding a member twice is one membership).
func containsValue(list []any, e any) bool {
	for _, c := range list {
		if sameElement(c, e) {
			return true
		}
	}
	return false
}

func sameElement(a, b any) bool {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		av, ah := am[key(am, "value")]
		bv, bh := bm[key(bm, "value")]
		if ah && bh {
			return reflect.DeepEqual(av, bv)
		}
	}
	return reflect.DeepEqual(a, b)
}

// matcher evaluates a value filter on an element of a multi-valued
// attribute, with the attribute's own case-exactness.
func matcher(def schema.CoreAttribute, filt filter.Expression) func(any) bool {
	v := libfilter.NewFilterValidator(filt, schema.Schema{Attributes: libfilter.MultiValuedFilterAttributes(def)})
	return func(e any) bool {
		m, ok := e.(map[string]any)
		if !ok {
			m = map[string]any{"value": e}
		}
		return v.PassesFilter(m) == nil
	}
}

func (p patcher) setFiltered(m map[string]any, k string, def schema.CoreAttribute, filt filter.Expression, sub string, v any) error {
	if !def.MultiValued() {
		return noTarget("attribute %q is not multi-valued", def.Name())
	}
	list, _ := m[k].([]any)
	match := matcher(def, filt)
	hit := false
	for i, e := range list {
		if !match(e) {
			continue
		}
		hit = true
		if sub == "" {
			list[i] = v
			continue
		}
		obj, ok := e.(map[string]any)
		if !ok {
			return noTarget("element of %q is not complex", def.Name())
		}
		obj[key(obj, sub)] = v
	}
	if !hit {
		// Entra ID replaces emails[type eq "work"].value on a user that
		// has no work email yet: with a plain equality filter the
		// element is created, as Entra expects; anything else has no
		// target (RFC 7644 §3.5.2.3).
		ae, ok := filt.(*filter.AttributeExpression)
		if !ok || ae.Operator != filter.EQ || sub == "" || ae.AttributePath.SubAttribute != nil {
			return noTarget("no element of %q matches the filter", def.Name())
		}
		list = append(list, map[string]any{ae.AttributePath.AttributeName: ae.CompareValue, sub: v})
	}
	m[k] = list
	return nil
}

func (p patcher) remove(attrs map[string]any, uri, name string, filt filter.Expression, sub string, v any) error {
	m, s, err := p.container(attrs, uri, false)
	if err != nil {
		return err
	}
	def, ok := findAttr(s, name)
	if !ok {
		return badValue("unknown attribute %q", name)
	}
	if def.Mutability() == "readOnly" {
		return mutability(def.Name())
	}
	if def.Required() && filt == nil && sub == "" {
		return badValue("attribute %q is required and cannot be removed", def.Name())
	}
	k := key(m, def.Name())
	switch {
	case filt != nil:
		list, _ := m[k].([]any)
		match := matcher(def, filt)
		out := list[:0:0]
		for _, e := range list {
			if !match(e) {
				out = append(out, e)
				continue
			}
			if sub != "" {
				if obj, ok := e.(map[string]any); ok {
					delete(obj, key(obj, sub))
				}
				out = append(out, e)
			}
		}
		// Removing what is not there is done already: Okta removes a
		// member it believes present, and a retry must not fail.
		m[k] = out
	case sub != "":
		if obj, ok := m[k].(map[string]any); ok {
			delete(obj, key(obj, sub))
		}
	case v != nil && def.MultiValued():
		// Entra ID removes members with path "members" and the members
		// to remove as the value, not a filter.
		list, _ := m[k].([]any)
		drop := asList(v)
		out := list[:0:0]
		for _, e := range list {
			if !containsValue(drop, e) {
				out = append(out, e)
			}
		}
		m[k] = out
	default:
		delete(m, k)
	}
	return nil
}

// normalizePatch rewrites a PATCH body before the library reads it: Entra
// ID sends booleans as strings ("False") for active. The library can only
// accept that through a process-wide switch (schema.SetAllowStringValues),
// which would loosen every attribute of every schema; this converts just
// the one attribute Entra sends that way. It also bounds the number of
// operations.
//
// A path that is an extension's URN itself (the whole enterprise object)
// is not a path the library's parser accepts; add and replace become the
// equivalent operation without a path ({"<URN>": value}), and remove
// becomes an empty add whose index is returned, for the patcher to remove
// the extension object in its place in the sequence.
func normalizePatch(body []byte, maxOps int, extURNs []string) ([]byte, map[int]string, error) {
	var req map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&req); err != nil {
		return body, nil, nil // the library reports the syntax error
	}
	opsKey := key(req, "Operations")
	ops, ok := req[opsKey].([]any)
	if !ok {
		return body, nil, nil
	}
	if len(ops) > maxOps {
		return nil, nil, badValue("%d operations in one request, at most %d are accepted", len(ops), maxOps)
	}
	changed := false
	var extOps map[int]string
	for i, o := range ops {
		op, ok := o.(map[string]any)
		if !ok {
			continue
		}
		pk := key(op, "path")
		path, _ := op[pk].(string)
		if len(path) > maxFilterLen || checkFilterSize(path) != nil {
			e := scimerr.ScimErrorInvalidPath
			e.Detail = fmt.Sprintf("operation %d: the path is longer than %d characters or nested deeper than %d", i+1, maxFilterLen, maxFilterDepth)
			return nil, nil, e
		}
		vk := key(op, "value")
		for _, u := range extURNs {
			if !strings.EqualFold(strings.TrimSpace(path), u) {
				continue
			}
			ok := key(op, "op")
			name, _ := op[ok].(string)
			delete(op, pk)
			if strings.EqualFold(name, PatchRemove) {
				op[ok], op[vk] = PatchAdd, map[string]any{}
				if extOps == nil {
					extOps = map[int]string{}
				}
				extOps[i] = u
			} else {
				if m, ok := op[vk].(map[string]any); ok {
					// scim2-tester and some clients repeat the extension's
					// "schemas" inside it; it is not an attribute.
					delete(m, key(m, "schemas"))
				}
				op[vk] = map[string]any{u: op[vk]}
			}
			path, changed = "", true
		}
		if strings.EqualFold(path, "active") {
			if b, ok := stringBool(op[vk]); ok {
				op[vk], changed = b, true
			}
		}
		if path == "" {
			if vals, ok := op[vk].(map[string]any); ok {
				ak := key(vals, "active")
				if b, ok := stringBool(vals[ak]); ok {
					vals[ak], changed = b, true
				}
			}
		}
	}
	if !changed {
		return body, nil, nil
	}
	out, err := json.Marshal(req)
	return out, extOps, err
}

func stringBool(v any) (bool, bool) {
	s, ok := v.(string)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}
