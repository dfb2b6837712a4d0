package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/secretfile"
	"github.com/tipgate/tipgate/internal/store"
)

// Paths the dashboard owns.
const (
	AppPath       = "/app/"
	SignInPath    = "/signin"
	SignedOutPath = "/signed-out"
	LoginPath     = "/auth/login"
	CallbackPath  = "/auth/callback"
	LogoutPath    = "/auth/logout"
)

// dist is the frontend build (web/ → internal/web/dist by `npm run build`).
//
//go:embed dist
var dist embed.FS

// Options are what the dashboard needs from the server.
type Options struct {
	Config config.Web
	// PublicURL is how browsers reach tipgate (no trailing slash); the
	// redirect URIs registered at the provider are derived from it.
	PublicURL string
	Service   *dataapi.Service
	// Catalog returns the current policy catalog (for "Your access" and
	// to tell a person with no access so, politely).
	Catalog  func() *policy.Catalog
	Verifier *identity.Verifier
	Sessions *identity.Sessions
	// HTTPClient reaches the provider (discovery and code exchange).
	HTTPClient *http.Client
	Logger     *slog.Logger
	Clock      func() time.Time
	// Sessions, when set, keeps signed-in browsers and sign-ins in
	// progress where every replica finds them (the shared store); memory
	// otherwise.
	WebSessions store.WebSessions
	// Directory, when set, is what was provisioned over SCIM, for the
	// admin console's Users & groups (GET /app/api/admin/directory).
	Directory func(context.Context) (scim.DirectoryView, error)
}

// Handler serves the dashboard, its sign-in and its API.
type Handler struct {
	cfg       config.Web
	publicURL string
	secure    bool
	secret    string
	svc       *dataapi.Service
	catalog   func() *policy.Catalog
	verifier  *identity.Verifier
	sessions  *identity.Sessions
	client    *http.Client
	log       *slog.Logger
	now       func() time.Time
	disc      *discovery
	directory func(context.Context) (scim.DirectoryView, error)
	store     *sessionStore
	cache     *cache
	// flight runs a bundle once per (policy context, filters) at a time:
	// the panels of one page load, requested in parallel, share one
	// statement.
	flight singleflight.Group
	// prefetched are page loads' bundles started with the page itself
	// (prefetch), each taken by that load's first dashboard request.
	prefetched *cache
	index      []byte
	assets     map[string]asset
}

// New checks the configuration and prepares the handler. The provider is
// discovered at the first sign-in, so it may start after tipgate.
func New(opts Options) (*Handler, error) {
	if opts.Service == nil || opts.Catalog == nil || opts.Verifier == nil || opts.Sessions == nil {
		return nil, errors.New("web: service, catalog, verifier and sessions are required")
	}
	u, err := url.Parse(opts.PublicURL)
	if err != nil || !u.IsAbs() {
		return nil, fmt.Errorf("web: public URL %q is not absolute", opts.PublicURL)
	}
	h := &Handler{cfg: opts.Config, publicURL: strings.TrimSuffix(opts.PublicURL, "/"), secure: u.Scheme == "https",
		svc: opts.Service, catalog: opts.Catalog, verifier: opts.Verifier, sessions: opts.Sessions, client: opts.HTTPClient,
		log: opts.Logger, now: opts.Clock, directory: opts.Directory}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	h.store = newStore(opts.WebSessions, h.log)
	if h.now == nil {
		h.now = time.Now
	}
	if h.client == nil {
		h.client = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Config.ClientSecretFile != "" {
		b, err := secretfile.Read(opts.Config.ClientSecretFile)
		if err != nil {
			return nil, fmt.Errorf("web: client secret: %w", err)
		}
		h.secret = strings.TrimSpace(string(b))
	}
	h.disc = &discovery{issuer: opts.Config.Issuer, client: h.client}
	h.cache = newCache(opts.Config.CacheEntries, opts.Config.CacheTTL, h.now)
	h.prefetched = newCache(opts.Config.CacheEntries, prefetchTTL, h.now)
	if h.index, h.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	return h, nil
}

// Register mounts the dashboard's routes.
func (h *Handler) Register(mux *http.ServeMux) {
	page := func(f http.HandlerFunc) http.Handler { return h.headers(f) }
	mux.Handle("GET /{$}", page(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, AppPath, http.StatusFound) }))
	mux.Handle("GET /app", page(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, AppPath, http.StatusFound) }))
	mux.Handle("GET "+AppPath+"{$}", page(h.serveIndex))
	mux.Handle("GET "+AppPath+"assets/{name}", page(h.serveAsset))
	mux.Handle("GET "+SignInPath, page(h.serveSignIn))
	mux.Handle("GET "+SignedOutPath, page(h.serveSignedOut))
	mux.Handle("GET "+LoginPath, page(h.startLogin))
	mux.Handle("GET "+CallbackPath, page(h.callback))
	mux.Handle("POST "+LogoutPath, page(h.logout))

	api := func(f apiFunc) http.Handler { return h.headers(h.authed(f)) }
	mux.Handle("GET "+AppPath+"api/me", api(h.apiMe))
	mux.Handle("GET "+AppPath+"api/filters", api(h.apiFilters))
	mux.Handle("GET "+AppPath+"api/dashboard", api(h.apiDashboard))
	mux.Handle("GET "+AppPath+"api/panels/{name}", api(h.apiPanel))
	mux.Handle("GET "+AppPath+"api/export.csv", api(h.apiExport))
	mux.Handle("GET "+AppPath+"api/orders", api(h.apiOrders))
	mux.Handle("GET "+AppPath+"api/orders.csv", api(h.apiOrdersCSV))
	mux.Handle("GET "+AppPath+"api/access", api(h.apiAccess))
	mux.Handle("POST "+AppPath+"api/admin/sql", api(h.admin(h.apiAdminSQL)))
	mux.Handle("GET "+AppPath+"api/admin/audit", api(h.admin(h.apiAdminAudit)))
	mux.Handle("GET "+AppPath+"api/admin/directory", api(h.admin(h.apiAdminDirectory)))
	mux.Handle("GET "+AppPath+"api/admin/view-as/options", api(h.admin(h.apiViewAsOptions)))
	mux.Handle("POST "+AppPath+"api/admin/view-as", api(h.admin(h.apiViewAs)))
	mux.Handle("DELETE "+AppPath+"api/admin/view-as", api(h.admin(h.apiViewAsClear)))
	mux.Handle(AppPath+"api/", h.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such dashboard API: "+r.Method+" "+r.URL.Path)
	})))
}

// Sweep forgets stale sign-ins and sessions; the server calls it
// periodically.
func (h *Handler) Sweep() { h.store.sweep(h.now(), h.cfg.LoginTimeout) }

// contentSecurityPolicy allows only the dashboard's own scripts, styles
// and API: no inline code, no third-party origin, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (h *Handler) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if h.secure {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	ws, p, err := h.sessionOf(r)
	if err != nil {
		reason := ""
		switch {
		case errors.Is(err, errExpired):
			reason = "expired"
		case errors.Is(err, errNotAssigned):
			reason = "not_assigned"
		}
		http.Redirect(w, r, signInURL(AppPath, reason), http.StatusFound)
		return
	}
	h.prefetch(r, h.callOf(r, ws, p))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(h.index)
}

// asset is one file of the build, with what its answers need.
type asset struct {
	body        []byte
	etag        string
	contentType string
}

// loadAssets reads the embedded build once: index.html (served only to
// signed-in people) and the public files under /app/assets/, each with
// its ETag. The files are named without content hashes, so browsers
// revalidate them by ETag.
func loadAssets() ([]byte, map[string]asset, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, nil, fmt.Errorf("web: embedded build: %w", err)
	}
	index, err := fs.ReadFile(sub, "index.html")
	if err != nil {
		return nil, nil, fmt.Errorf("web: the embedded frontend build has no index.html (run `make web`): %w", err)
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("web: embedded build: %w", err)
	}
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
		".json": "application/json", ".svg": "image/svg+xml"}
	assets := map[string]asset{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == "index.html" || strings.HasPrefix(name, ".") {
			continue
		}
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			return nil, nil, fmt.Errorf("web: embedded build: %w", err)
		}
		ct, ok := types[path.Ext(name)]
		if !ok {
			ct = "text/plain; charset=utf-8"
		}
		sum := sha256.Sum256(b)
		assets[name] = asset{body: b, etag: fmt.Sprintf(`"%x"`, sum[:12]), contentType: ct}
	}
	return index, assets, nil
}

func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := h.assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("ETag", a.etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Write(a.body)
}

// safeReturn keeps a post-sign-in destination only if it is a path of the
// dashboard on this server; anything else (another host, a scheme, "//",
// backslashes that browsers read as slashes) becomes the dashboard's home.
func safeReturn(ret string) string {
	if ret == "" || len(ret) > 2048 || strings.ContainsAny(ret, "\\\x00\r\n\t") || strings.HasPrefix(ret, "//") {
		return AppPath
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, AppPath) {
		return AppPath
	}
	if strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
		return AppPath
	}
	out := &url.URL{Path: u.Path, RawQuery: u.RawQuery, Fragment: u.Fragment}
	return out.String()
}

func signInURL(ret, reason string) string {
	q := url.Values{"return": {safeReturn(ret)}}
	if reason != "" {
		q.Set("reason", reason)
	}
	return SignInPath + "?" + q.Encode()
}

// requestContext tags statements run for the dashboard for the audit log.
func requestContext(r *http.Request, actor string) context.Context {
	return dataapi.WithRequestInfo(r.Context(), dataapi.RequestInfo{Binding: "web", Source: r.RemoteAddr, Actor: actor})
}
