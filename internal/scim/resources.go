package scim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	lib "github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"github.com/google/uuid"

	"github.com/tipgate/tipgate/internal/audit"
)

// resources is the library's ResourceHandler for one kind over the Store.
type resources struct {
	h    *Handler
	kind Kind
	rt   lib.ResourceType
}

var (
	_ lib.ResourceHandler  = (*resources)(nil)
	_ lib.ResourceSearcher = (*resources)(nil)
)

func (rs *resources) patcher() patcher {
	p := patcher{core: rs.rt.Schema}
	for _, e := range rs.rt.SchemaExtensions {
		p.exts = append(p.exts, e.Schema)
	}
	return p
}

// ETag is a resource's entity tag.
func ETag(r Resource) string { return `W/"` + strconv.FormatInt(r.Version, 10) + `"` }

// clean drops what is not stored: attributes with fields of their own,
// the derived "groups" and any password (tipgate authenticates no one by
// password; a password Okta syncs is dropped, never kept or logged). For
// groups it keeps only the parts of a member that identify it.
func (rs *resources) clean(attrs lib.ResourceAttributes) (map[string]any, string) {
	out := map[string]any{}
	ext := ""
	for k, v := range attrs {
		switch strings.ToLower(k) {
		case "id", "meta", "schemas", "groups", "password":
			continue
		case "externalid":
			ext, _ = v.(string)
			continue
		}
		if l, ok := v.([]any); v == nil || ok && len(l) == 0 {
			// An empty or null value is an absent one (RFC 7643 §2.5).
			continue
		}
		out[k] = v
	}
	if rs.kind == KindGroup {
		if list, ok := out[key(out, "members")].([]any); ok {
			for i, e := range list {
				if m, ok := e.(map[string]any); ok {
					el := map[string]any{"value": m[key(m, "value")], "type": "User"}
					if d, ok := m[key(m, "display")].(string); ok && d != "" {
						el["display"] = d
					}
					list[i] = el
				}
			}
		}
	}
	return out, ext
}

// storeError maps Store errors to SCIM errors.
func storeError(id string, err error) error {
	var se scimerr.ScimError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, ErrNotFound):
		return scimerr.ScimErrorResourceNotFound(id)
	case errors.Is(err, ErrConflict):
		e := scimerr.ScimErrorUniqueness
		e.Detail = strings.TrimPrefix(err.Error(), "scim: ")
		return e
	case errors.Is(err, ErrInvalidMember):
		e := scimerr.ScimErrorInvalidValue
		e.Detail = strings.TrimPrefix(err.Error(), "scim: ") + " (members must be users provisioned here; nested groups are not supported)"
		return e
	}
	return err
}

// precondition checks If-Match (RFC 7644 §3.14).
func precondition(r *http.Request, cur Resource) error {
	im := strings.TrimSpace(r.Header.Get("If-Match"))
	if im == "" || im == "*" {
		return nil
	}
	for _, t := range strings.Split(im, ",") {
		t = strings.TrimSpace(t)
		if t == ETag(cur) || `W/`+t == ETag(cur) {
			return nil
		}
	}
	return scimerr.ScimError{Status: http.StatusPreconditionFailed,
		Detail: fmt.Sprintf("If-Match %s does not match the current version %s", im, ETag(cur))}
}

// related answers what a view derives from other resources: a user's
// groups, a member's name. A single resource asks the store; a list asks
// it once for everything (prefetch).
type related struct {
	groupsOf func(userID string) ([]Resource, error)
	user     func(id string) (Resource, bool)
}

func (rs *resources) fromStore(ctx context.Context) related {
	return related{
		groupsOf: func(id string) ([]Resource, error) { return rs.h.opts.Store.GroupsOf(ctx, id) },
		user: func(id string) (Resource, bool) {
			u, err := rs.h.opts.Store.Get(ctx, KindUser, id)
			return u, err == nil
		},
	}
}

func (rs *resources) prefetch(ctx context.Context) (related, error) {
	groups, err := rs.h.opts.Store.List(ctx, KindGroup)
	if err != nil {
		return related{}, err
	}
	users, err := rs.h.opts.Store.List(ctx, KindUser)
	if err != nil {
		return related{}, err
	}
	byID := make(map[string]Resource, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	memberOf := map[string][]Resource{}
	for _, g := range groups {
		for _, m := range g.MemberIDs() {
			memberOf[m] = append(memberOf[m], g)
		}
	}
	return related{
		groupsOf: func(id string) ([]Resource, error) { return memberOf[id], nil },
		user:     func(id string) (Resource, bool) { u, ok := byID[id]; return u, ok },
	}, nil
}

// view is the resource as a SCIM response: a user gets its derived
// groups, a group's members their $ref (and display, unless the client
// gave one: Okta sends the user name, scim2-tester a value of its own).
func (rs *resources) view(ctx context.Context, r Resource) (lib.Resource, error) {
	return rs.viewWith(r, rs.fromStore(ctx))
}

func (rs *resources) viewWith(r Resource, rel related) (lib.Resource, error) {
	attrs := lib.ResourceAttributes(deepCopyMap(r.Attrs))
	base := strings.TrimRight(rs.h.opts.BaseURL, "/")
	if r.Kind == KindUser {
		gs, err := rel.groupsOf(r.ID)
		if err != nil {
			return lib.Resource{}, err
		}
		var list []any
		for _, g := range gs {
			list = append(list, map[string]any{"value": g.ID, "display": g.Name(), "type": "direct", "$ref": base + "/Groups/" + g.ID})
		}
		if list != nil {
			attrs["groups"] = list
		}
	}
	if r.Kind == KindGroup {
		list, _ := attrs[key(attrs, "members")].([]any)
		for _, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				continue
			}
			id, _ := m["value"].(string)
			m["$ref"] = base + "/Users/" + id
			if d, _ := m["display"].(string); d != "" {
				continue
			}
			if u, ok := rel.user(id); ok {
				if dn, ok := attr(u.Attrs, "displayName").(string); ok && dn != "" {
					m["display"] = dn
				} else {
					m["display"] = u.Name()
				}
			}
		}
	}
	out := lib.Resource{ID: r.ID, Attributes: attrs,
		Meta: lib.Meta{Created: &r.Created, LastModified: &r.Modified, Version: ETag(r)}}
	if r.ExternalID != "" {
		out.ExternalID = optional.NewString(r.ExternalID)
	}
	return out, nil
}

func (rs *resources) Create(r *http.Request, attrs lib.ResourceAttributes) (lib.Resource, error) {
	ctx := r.Context()
	clean, ext := rs.clean(attrs)
	now := rs.h.opts.Now().UTC().Truncate(time.Second)
	res := Resource{Kind: rs.kind, ID: uuid.NewString(), ExternalID: ext, Attrs: clean, Created: now, Modified: now,
		Version: 1, Client: clientOf(ctx)}
	if err := rs.h.opts.Store.Create(ctx, res); err != nil {
		rs.audit(ctx, "create", res, nil, err)
		return lib.Resource{}, storeError(res.ID, err)
	}
	rs.audit(ctx, "create", res, nil, nil)
	return rs.view(ctx, res)
}

func (rs *resources) Get(r *http.Request, id string) (lib.Resource, error) {
	res, err := rs.h.opts.Store.Get(r.Context(), rs.kind, id)
	if err != nil {
		return lib.Resource{}, storeError(id, err)
	}
	return rs.view(r.Context(), res)
}

func (rs *resources) GetAll(r *http.Request, params lib.ListRequestParams) (lib.Page, error) {
	ctx := r.Context()
	all, err := rs.h.opts.Store.List(ctx, rs.kind)
	if err != nil {
		return lib.Page{}, err
	}
	rel, err := rs.prefetch(ctx)
	if err != nil {
		return lib.Page{}, err
	}
	var hits []lib.Resource
	for _, res := range all {
		v, err := rs.viewWith(res, rel)
		if err != nil {
			return lib.Page{}, err
		}
		if params.FilterValidator != nil && params.FilterValidator.PassesFilter(filterDoc(v)) != nil {
			continue
		}
		hits = append(hits, v)
	}
	page := lib.Page{TotalResults: len(hits), Resources: []lib.Resource{}}
	start := max(params.StartIndex, 1) - 1
	if start < len(hits) {
		page.Resources = hits[start:min(len(hits), start+max(params.Count, 0))]
	}
	return page, nil
}

// filterDoc is what a filter sees: the attributes with id, externalId and
// meta, as in the response.
func filterDoc(v lib.Resource) map[string]any {
	doc := map[string]any{}
	for k, a := range v.Attributes {
		doc[k] = a
	}
	doc["id"] = v.ID
	if v.ExternalID.Present() {
		doc["externalId"] = v.ExternalID.Value()
	}
	meta := map[string]any{"version": v.Meta.Version}
	if v.Meta.Created != nil {
		meta["created"] = v.Meta.Created.Format(time.RFC3339)
		meta["lastModified"] = v.Meta.LastModified.Format(time.RFC3339)
	}
	doc["meta"] = meta
	return doc
}

// Search serves POST /.search (RFC 7644 §3.4.3) as GetAll.
func (rs *resources) Search(r *http.Request, params lib.SearchParams) (lib.Page, error) {
	return rs.GetAll(r, lib.ListRequestParams{Count: params.Count, StartIndex: params.StartIndex, FilterValidator: params.FilterValidator})
}

func (rs *resources) Replace(r *http.Request, id string, attrs lib.ResourceAttributes) (lib.Resource, error) {
	ctx := r.Context()
	clean, ext := rs.clean(attrs)
	var before Resource
	res, err := rs.h.opts.Store.Update(ctx, rs.kind, id, func(cur *Resource) error {
		before = copyResource(cur)
		if err := precondition(r, *cur); err != nil {
			return err
		}
		cur.Attrs, cur.ExternalID = clean, ext
		cur.Modified, cur.Client = rs.h.opts.Now().UTC().Truncate(time.Second), clientOf(ctx)
		return nil
	})
	rs.audit(ctx, "replace", resOr(res, before, id, rs.kind), &before, err)
	if err != nil {
		return lib.Resource{}, storeError(id, err)
	}
	return rs.view(ctx, res)
}

func resOr(res, before Resource, id string, kind Kind) Resource {
	if res.ID != "" {
		return res
	}
	if before.ID != "" {
		return before
	}
	return Resource{Kind: kind, ID: id}
}

func (rs *resources) Delete(r *http.Request, id string) error {
	ctx := r.Context()
	var before Resource
	err := rs.h.opts.Store.Delete(ctx, rs.kind, id, func(cur Resource) error {
		before = cur
		return precondition(r, cur)
	})
	rs.audit(ctx, "delete", resOr(Resource{}, before, id, rs.kind), nil, err)
	if err != nil {
		return storeError(id, err)
	}
	return nil
}

func (rs *resources) Patch(r *http.Request, id string, ops []lib.PatchOperation) (lib.Resource, error) {
	ctx := r.Context()
	var before Resource
	res, err := rs.h.opts.Store.Update(ctx, rs.kind, id, func(cur *Resource) error {
		before = copyResource(cur)
		if err := precondition(r, *cur); err != nil {
			return err
		}
		ext := cur.ExternalID
		doc := deepCopyMap(cur.Attrs)
		if ext != "" {
			doc["externalId"] = ext
		}
		extOps, _ := ctx.Value(extOpsKey{}).(map[int]string)
		if err := rs.patcher().apply(doc, ops, extOps); err != nil {
			return err
		}
		// The patched resource is validated as a whole, as a PUT of it
		// would be: a sequence of valid operations can still leave an
		// invalid resource (a required attribute removed).
		valid, err := rs.validate(doc)
		if err != nil {
			return err
		}
		cur.Attrs, cur.ExternalID = rs.clean(valid)
		cur.Modified, cur.Client = rs.h.opts.Now().UTC().Truncate(time.Second), clientOf(ctx)
		return nil
	})
	rs.audit(ctx, "patch", resOr(res, before, id, rs.kind), &before, err)
	if err != nil {
		return lib.Resource{}, storeError(id, err)
	}
	return rs.view(ctx, res)
}

func (rs *resources) validate(doc map[string]any) (lib.ResourceAttributes, error) {
	core := rs.rt.Schema
	attrs := make([]schema.CoreAttribute, 0, len(core.Attributes)+3)
	attrs = append(attrs, core.Attributes...)
	core.Attributes = append(attrs, schema.CommonAttributes()...)
	// Validate wants the "schemas" a request body carries.
	withSchemas := maps.Clone(doc)
	withSchemas["schemas"] = []any{core.ID}
	out, serr := core.Validate(withSchemas)
	if serr != nil {
		return nil, *serr
	}
	for _, e := range rs.rt.SchemaExtensions {
		v, ok := doc[e.Schema.ID]
		if !ok {
			continue
		}
		ev, serr := e.Schema.ValidateExtension(v)
		if serr != nil {
			return nil, *serr
		}
		out[e.Schema.ID] = ev
	}
	return out, nil
}

// audit records a provisioning change, naming the resource and what
// changed for identity: activation and membership.
func (rs *resources) audit(ctx context.Context, op string, res Resource, before *Resource, err error) {
	rec := audit.Record{Kind: "scim", Source: fmt.Sprintf("%s %s %s", op, rs.kind, res.ID), Status: "ok"}
	if rs.kind == KindUser {
		rec.User = res.Name()
	} else if res.Name() != "" {
		rec.Groups = []string{res.Name()}
	}
	if err != nil {
		rec.Status, rec.Error = "refused", err.Error()
	} else {
		if d := describeChange(op, res, before); d != "" {
			rec.Source += ": " + d
		}
		if c := clientOf(ctx); c != "" {
			if terr := rs.h.opts.Store.TouchClient(ctx, c, rs.h.opts.Now()); terr != nil {
				rs.h.log.WarnContext(ctx, "scim: recording the client's last provisioning time failed", "err", terr)
			}
		}
	}
	rs.h.record(ctx, rec)
}

// describeChange says in words what changed for identity.
func describeChange(op string, res Resource, before *Resource) string {
	var parts []string
	if res.Kind == KindUser {
		if before == nil || before.Active() != res.Active() {
			parts = append(parts, fmt.Sprintf("active=%t", res.Active()))
		}
		if before != nil && !strings.EqualFold(before.Name(), res.Name()) {
			parts = append(parts, fmt.Sprintf("userName %q → %q", before.Name(), res.Name()))
		}
	} else {
		var old []string
		if before != nil {
			old = before.MemberIDs()
		}
		cur := res.MemberIDs()
		for _, m := range cur {
			if !slices.Contains(old, m) {
				parts = append(parts, "+member "+m)
			}
		}
		for _, m := range old {
			if !slices.Contains(cur, m) {
				parts = append(parts, "-member "+m)
			}
		}
		if before != nil && before.Name() != res.Name() {
			parts = append(parts, fmt.Sprintf("displayName %q → %q", before.Name(), res.Name()))
		}
	}
	if op == "delete" {
		return "deleted"
	}
	return strings.Join(parts, "; ")
}
