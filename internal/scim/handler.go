package scim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	lib "github.com/elimity-com/scim"
	scimerr "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/reqid"
)

// Path is where the service provider is mounted; the SCIM base URL is
// <public URL>/scim/v2.
const Path = "/scim/v2"

// Auditor records provisioning changes and refusals (*audit.Log).
type Auditor interface {
	Write(audit.Record) error
}

// Options configure a Handler.
type Options struct {
	Store Store
	Audit Auditor
	// Logger gets refusals and failures, never a token or a request body.
	Logger *slog.Logger
	// BaseURL is the public SCIM base (https://host/scim/v2), used in
	// meta.location.
	BaseURL string
	Now     func() time.Time
	// MaxBodyBytes bounds a request body (default 1 MiB, as advertised in
	// ServiceProviderConfig).
	MaxBodyBytes int64
	// MaxResults bounds a page of a list (default 200).
	MaxResults int
	// MaxOperations bounds the operations of one PATCH (default 1000).
	MaxOperations int
}

// Handler serves /scim/v2. Safe for concurrent use.
type Handler struct {
	opts Options
	srv  lib.Server
	log  *slog.Logger
}

type ctxKey struct{}

// clientOf is the authenticated provisioning client of a request.
func clientOf(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// New builds the handler.
func New(opts Options) (*Handler, error) {
	if opts.Store == nil || opts.Audit == nil {
		return nil, errors.New("scim: a store and an audit log are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.MaxResults <= 0 {
		opts.MaxResults = 200
	}
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = 1000
	}
	h := &Handler{opts: opts, log: opts.Logger}
	users := lib.ResourceType{
		ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
		Description: optional.NewString("Users provisioned by the identity provider"),
		Schema:      schema.CoreUserSchema(),
		SchemaExtensions: []lib.SchemaExtension{
			{Schema: schema.ExtensionEnterpriseUser()},
		},
	}
	groups := lib.ResourceType{
		ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
		Description: optional.NewString("Groups; their names are the warehouse roles <namespace>:<displayName>"),
		Schema:      schema.CoreGroupSchema(),
	}
	users.Handler = &resources{h: h, kind: KindUser, rt: users}
	groups.Handler = &resources{h: h, kind: KindGroup, rt: groups}
	cfg := &lib.ServiceProviderConfig{
		DocumentationURI: optional.NewString("https://github.com/tipgate/tipgate/blob/main/docs/scim.md"),
		AuthenticationSchemes: []lib.AuthenticationScheme{{
			Type: lib.AuthenticationTypeOauthBearerToken, Name: "Bearer token",
			Description: "A provisioning client token made with `tipgate scim-client create`.", Primary: true,
		}},
		MaxResults: opts.MaxResults, SupportFiltering: true, SupportPatch: true,
	}
	srv, err := lib.NewServer(&lib.ServerArgs{ServiceProviderConfig: cfg, ResourceTypes: []lib.ResourceType{users, groups}},
		lib.WithBaseURL(strings.TrimRight(opts.BaseURL, "/")), lib.WithLogger(libLogger{opts.Logger}))
	if err != nil {
		return nil, fmt.Errorf("scim: %w", err)
	}
	h.srv = srv
	return h, nil
}

// serviceProviderConfig is served here rather than by the library, which
// always reports ETags as unsupported; tipgate versions every resource
// and honours If-Match.
func (h *Handler) serviceProviderConfig(w http.ResponseWriter) {
	doc := map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://github.com/tipgate/tipgate/blob/main/docs/scim.md",
		"patch":            map[string]bool{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": h.opts.MaxBodyBytes},
		"filter":           map[string]any{"supported": true, "maxResults": h.opts.MaxResults},
		"changePassword":   map[string]bool{"supported": false},
		"sort":             map[string]bool{"supported": false},
		"etag":             map[string]bool{"supported": true},
		"authenticationSchemes": []map[string]any{{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "A provisioning client token made with `tipgate scim-client create`.",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig",
			"location": strings.TrimRight(h.opts.BaseURL, "/") + "/ServiceProviderConfig"},
	}
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/scim+json")
	w.Write(b)
}

// libLogger passes the library's (rare, failure-only) log lines on.
type libLogger struct{ l *slog.Logger }

func (l libLogger) Error(args ...any) {
	l.l.Error("scim: library error", "detail", fmt.Sprint(args...))
}

// writeError writes a SCIM error (RFC 7644 §3.12) — the library's own
// encoding is not reachable before it routes, so this mirrors it.
func writeError(w http.ResponseWriter, e scimerr.ScimError) {
	w.Header().Set("Content-Type", "application/scim+json")
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tipgate-scim"`)
	}
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(e)
	w.Write(b)
}

// HashToken is how a provisioning token is stored: SHA-256, hex. Tokens
// are 256-bit random values, so a fast hash is enough to make a stolen
// store useless for authentication.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != "" && len(tok) <= 256
}

// ServeHTTP authenticates the provisioning client, bounds and normalises
// the body, and hands the request to the library.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	tok, ok := bearer(r)
	var client Client
	var err error
	if ok {
		client, err = h.opts.Store.ClientByTokenHash(ctx, HashToken(tok))
	}
	if !ok || err != nil {
		reason := "no bearer token"
		if ok {
			reason = "unknown provisioning token"
			if !errors.Is(err, ErrNotFound) {
				reason = "provisioning clients unavailable"
				h.log.ErrorContext(ctx, "scim: client lookup failed", "err", err)
			}
		}
		h.record(ctx, audit.Record{Kind: "auth_failure", Source: r.Method + " " + r.URL.Path, Status: "refused", Error: reason})
		writeError(w, scimerr.ScimError{Status: http.StatusUnauthorized, Detail: "a valid provisioning bearer token is required"})
		return
	}
	ctx = context.WithValue(ctx, ctxKey{}, client.Name)
	sub := strings.TrimPrefix(r.URL.Path, Path)
	for _, d := range []string{"/ServiceProviderConfig", "/Schemas", "/ResourceTypes"} {
		if (sub == d || strings.HasPrefix(sub, d+"/")) && r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, scimerr.ScimError{Status: http.StatusMethodNotAllowed, Detail: d[1:] + " is read-only: only GET is allowed"})
			return
		}
	}
	if sub == "" || sub == "/" || sub == "/.search" {
		writeError(w, scimerr.ScimError{Status: http.StatusNotImplemented,
			Detail: "queries across resource types are not supported: query /Users or /Groups"})
		return
	}
	if f := r.URL.Query().Get("filter"); f != "" {
		if e := checkFilterSize(f); e != nil {
			writeError(w, *e)
			return
		}
	}
	var body []byte
	if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodDelete {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, h.opts.MaxBodyBytes+1))
		if err != nil {
			writeError(w, scimerr.ScimError{Status: http.StatusBadRequest, ScimType: scimerr.ScimTypeInvalidSyntax, Detail: "the request body could not be read"})
			return
		}
		if int64(len(body)) > h.opts.MaxBodyBytes {
			writeError(w, scimerr.ScimError{Status: http.StatusRequestEntityTooLarge,
				Detail: fmt.Sprintf("the request body exceeds %d bytes", h.opts.MaxBodyBytes)})
			return
		}
		if e := h.precheck(r, body); e != nil {
			writeError(w, *e)
			return
		}
		if r.Method == http.MethodPatch {
			var extOps map[int]string
			if body, extOps, err = normalizePatch(body, h.opts.MaxOperations, extensionURNs()); err != nil {
				se := scimerr.ScimErrorInternal
				errors.As(err, &se)
				writeError(w, se)
				return
			}
			ctx = context.WithValue(ctx, extOpsKey{}, extOps)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	r = r.WithContext(ctx)
	if r.URL.Path == Path+"/ServiceProviderConfig" && r.Method == http.MethodGet {
		h.serviceProviderConfig(w)
		return
	}
	// The library routes on paths below /v2.
	r2 := r.Clone(ctx)
	r2.URL.Path = strings.TrimPrefix(r.URL.Path, "/scim")
	proj := projectionOf(r, body)
	if proj.empty() {
		h.srv.ServeHTTP(w, r2)
		return
	}
	bw := &bufferedWriter{h: w.Header()}
	h.srv.ServeHTTP(bw, r2)
	out := bw.buf.Bytes()
	if bw.status == 0 || bw.status < 300 {
		out = projectBody(out, proj, extensionURNs())
	}
	w.Header().Del("Content-Length")
	if bw.status != 0 {
		w.WriteHeader(bw.status)
	}
	w.Write(out)
}

// extOpsKey carries PATCH operations that target a whole extension by its
// URN (see normalizePatch).
type extOpsKey struct{}

func extensionURNs() []string { return []string{schema.ExtensionEnterpriseUser().ID} }

// Filter bounds: the parser is recursive, so depth is bounded before it
// runs; no IdP sends filters anywhere near these.
const (
	maxFilterLen   = 4096
	maxFilterDepth = 16
)

func checkFilterSize(f string) *scimerr.ScimError {
	depth, deepest := 0, 0
	for _, c := range f {
		switch c {
		case '(', '[':
			depth++
			deepest = max(deepest, depth)
		case ')', ']':
			depth--
		}
	}
	if len(f) <= maxFilterLen && deepest <= maxFilterDepth {
		return nil
	}
	e := scimerr.ScimErrorInvalidFilter
	e.Detail = fmt.Sprintf("the filter is longer than %d characters or nested deeper than %d", maxFilterLen, maxFilterDepth)
	return &e
}

// precheck refuses what the library would silently accept: bodies that
// are not one JSON object without duplicate members, and create or
// replace bodies with attributes no schema of the resource defines (the
// library would drop them; a client that sends them means something
// tipgate would not do).
func (h *Handler) precheck(r *http.Request, body []byte) *scimerr.ScimError {
	if err := checkJSON(body); err != nil {
		e := scimerr.ScimErrorInvalidSyntax
		e.Detail = "the request body is not valid JSON: " + err.Error()
		return &e
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return nil
	}
	var rt lib.ResourceType
	switch p := strings.TrimPrefix(r.URL.Path, Path); {
	case p == "/Users" || strings.HasPrefix(p, "/Users/"):
		rt = lib.ResourceType{Schema: schema.CoreUserSchema(), SchemaExtensions: []lib.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}}}
	case p == "/Groups" || strings.HasPrefix(p, "/Groups/"):
		rt = lib.ResourceType{Schema: schema.CoreGroupSchema()}
	default:
		return nil
	}
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	for k := range m {
		if !knownTopLevel(rt, k) {
			e := scimerr.ScimErrorInvalidSyntax
			e.Detail = fmt.Sprintf("unknown attribute %q", k)
			return &e
		}
	}
	return nil
}

func knownTopLevel(rt lib.ResourceType, k string) bool {
	for _, c := range []string{"schemas", "id", "externalId", "meta"} {
		if strings.EqualFold(k, c) {
			return true
		}
	}
	if _, ok := findAttr(rt.Schema, k); ok {
		return true
	}
	return slices.ContainsFunc(rt.SchemaExtensions, func(e lib.SchemaExtension) bool { return strings.EqualFold(e.Schema.ID, k) })
}

// checkJSON accepts exactly one JSON value without duplicate object
// members: with duplicates, which one counts depends on the parser, and
// a filter or access decision must never depend on that.
func checkJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := walkJSON(d, 0); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

func walkJSON(d *json.Decoder, depth int) error {
	if depth > 32 {
		return errors.New("nested too deeply")
	}
	t, err := d.Token()
	if err != nil {
		return err
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			lk := strings.ToLower(k)
			if seen[lk] {
				return fmt.Errorf("member %q appears twice", k)
			}
			seen[lk] = true
			if err := walkJSON(d, depth+1); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	case json.Delim('['):
		for d.More() {
			if err := walkJSON(d, depth+1); err != nil {
				return err
			}
		}
		_, err = d.Token()
		return err
	}
	return nil
}

// record writes an audit record with the request's id and client.
func (h *Handler) record(ctx context.Context, rec audit.Record) {
	rec.Time = h.opts.Now().UTC()
	rec.Binding = "scim"
	rec.RequestID = reqid.ID(ctx)
	if c := clientOf(ctx); c != "" {
		rec.Actor = "scim-client:" + c
	}
	if err := h.opts.Audit.Write(rec); err != nil {
		h.log.ErrorContext(ctx, "scim: audit write failed", "err", err)
	}
}
