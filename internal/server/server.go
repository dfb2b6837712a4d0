package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/identity/tokenapi"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/restapi"
	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/web"
)

// IDPPath is where the embedded development IdP is mounted.
const IDPPath = "/idp"

// Options are what New needs besides the configuration.
type Options struct {
	Logger *slog.Logger
	// IDPUsers, when set, replace [idp].users_file (the demo's users).
	IDPUsers []idp.User
	// Listener, when set, is used instead of [server].listen (tests bind
	// port 0 first so the public URL is known).
	Listener net.Listener
	// WebClock, when set, is the dashboard's clock for its sessions and
	// sign-ins (tests move it forward to expire a session); time.Now
	// otherwise.
	WebClock func() time.Time
	// OktaListener, when set with the embedded IdP enabled, serves the
	// IdP a second time there with Okta's org authorization server paths
	// (okta.go); its URL is OktaURL.
	OktaListener net.Listener
}

// Server is a running tipgate: warehouse, Data API bindings, token
// endpoint and, in development, the embedded IdP, behind one HTTP server.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	ln       net.Listener
	engine   engine.Engine
	audit    *audit.Log
	svc      *dataapi.Service
	sessions *identity.Sessions
	web      *web.Handler
	store    store.Store
	// replica is this server's membership of a shared store (nil with
	// the embedded one).
	replica *replica
	metrics *metrics
	handler http.Handler
	ready   atomic.Bool
	readyc  chan struct{}
	readyO  sync.Once
	URL     string

	// The embedded IdP's Okta face (okta.go), when Options.OktaListener.
	oktaLn      net.Listener
	oktaHandler http.Handler
	OktaURL     string
}

// New opens everything the configuration names. The caller runs Serve.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Lines logged with a request's context carry its id (request_id).
	log = reqid.Logger(log)
	ln := opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", cfg.Server.Listen); err != nil {
			return nil, fmt.Errorf("server: listen on %s: %w", cfg.Server.Listen, err)
		}
	}
	s := &Server{cfg: cfg, log: log, ln: ln, oktaLn: opts.OktaListener, metrics: newMetrics(), readyc: make(chan struct{})}
	s.URL = cfg.Server.PublicURL
	// The default public URL is the listen address: with a listener given
	// or port 0, the one actually bound. A public_url set (a replica's
	// load balancer) stays.
	if (opts.Listener != nil || strings.HasSuffix(cfg.Server.Listen, ":0")) && cfg.Server.PublicURL == s.scheme()+"://"+cfg.Server.Listen {
		s.URL = s.scheme() + "://" + ln.Addr().String()
	}
	if err := s.open(ctx, opts); err != nil {
		s.Close()
		ln.Close()
		if s.oktaLn != nil {
			s.oktaLn.Close()
		}
		return nil, err
	}
	return s, nil
}

func (s *Server) open(ctx context.Context, opts Options) error {
	cfg := s.cfg
	dir := cfg.Server.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("server: data directory: %w", err)
	}
	var err error
	if s.store, err = openStore(ctx, cfg); err != nil {
		return err
	}
	// What replicas share comes from the store; with the embedded one
	// (no [store] dsn) everything stays where a single server kept it.
	shared := s.store.Shared()
	var (
		replay      store.Replay
		revocations identity.RevocationStore
		sessionKeys store.Keys
		webSessions store.WebSessions
		dataStore   store.Store
		// Results stay in the embedded result store unless the store
		// holds them for every replica.
		sharedResults store.ResultStore
	)
	if shared {
		replay, revocations, sessionKeys, webSessions, dataStore = s.store.Replay(), s.store.Revocations(), s.store.Keys(), s.store.WebSessions(), s.store
		rh, ok := s.store.(store.ResultHolder)
		if !ok {
			return errors.New("server: the shared store keeps no results")
		}
		sharedResults = rh.Results()
		s.audit, err = audit.OpenShared(filepath.Join(dir, "audit.log"), 10000, s.store.Audit())
	} else {
		s.audit, err = audit.Open(filepath.Join(dir, "audit.log"), 10000)
	}
	if err != nil {
		return err
	}
	// Provisioned users and groups (SCIM): issuers with groups_source
	// "scim" or "both" take principals' groups, and their existence, from
	// here, at every entry (tokens, sessions, temporary credentials).
	// Replicas share the directory through the store: what the IdP
	// provisions through one, every other applies at its next request.
	var scimStore *scim.FileStore
	if shared {
		scimStore, err = scim.OpenDocumentStore(ctx, scim.SharedDocument(s.store.Documents(), "scim"))
	} else {
		scimStore, err = scim.OpenFileStore(filepath.Join(dir, "scim"))
	}
	if err != nil {
		return err
	}
	var svc *dataapi.Service
	s.engine, err = engines.Open(ctx, engines.Config{Kind: cfg.Warehouse.Engine, DSN: cfg.Warehouse.DSN, DataDir: dir, S3Root: cfg.Warehouse.S3Root,
		Threads: cfg.Warehouse.Threads, Logger: s.log, QueryHistory: func() []engine.QueryRecord { return svc.History() },
		Directory: provisionedViews(scimStore)})
	if err != nil {
		return err
	}
	rid := replicaID(cfg.Store)
	svc, err = dataapi.New(s.engine, dataapi.Options{DataDir: dir, PageRows: cfg.DataAPI.PageRows, ResultCap: cfg.DataAPI.ResultCapBytes,
		MaxActive: cfg.DataAPI.MaxActiveStatements, StatementTimeout: cfg.DataAPI.StatementTimeout, MaxRunningTime: cfg.DataAPI.MaxRunningTime,
		MaxSessionsPerOwner: cfg.DataAPI.MaxSessionsPerPrincipal, Logger: s.log, Audit: s.audit,
		Observer: observer{s.metrics}, Store: dataStore, Replica: rid, Keys: s.store.Keys(), Results: sharedResults})
	if err != nil {
		return err
	}
	s.svc = svc
	if shared {
		s.replica = &replica{st: s.store, self: store.Replica{ID: rid, Engine: cfg.Warehouse.Engine}, lease: cfg.Store.Lease, svc: svc, log: s.log}
		if err := s.replica.join(ctx); err != nil {
			return err
		}
		s.log.Info("joined the shared store", "replica", rid)
	}
	s.metrics.activeGauge(svc.Active)
	mux := http.NewServeMux()
	issuers := cfg.Identity.Issuers
	if s.oktaLn != nil && !cfg.IDP.Enabled && opts.IDPUsers == nil {
		return errors.New("server: an Okta listener serves the embedded IdP, which is not enabled ([idp].enabled)")
	}
	if cfg.IDP.Enabled || opts.IDPUsers != nil {
		idpIssuers, err := s.mountIDP(ctx, mux, opts.IDPUsers)
		if err != nil {
			return err
		}
		issuers = append(issuers, idpIssuers...)
	}
	// The embedded IdP is reached in-process: the server is not serving
	// yet while the verifier reads its discovery document.
	self := map[string]http.Handler{hostOf(s.URL): mux}
	if s.oktaHandler != nil {
		self[hostOf(s.OktaURL)] = s.oktaHandler
	}
	// With replicas the public URL is the load balancer's: only reads
	// (discovery, keys: the same on every replica) are answered here; a
	// POST (the code exchange at the embedded IdP, which keeps sign-in
	// flows in the process that began them) goes through the balancer.
	client := &http.Client{Timeout: 10 * time.Second, Transport: selfTransport{hosts: self, next: http.DefaultTransport, readsOnly: shared}}
	prov, err := identity.NewProvisioning(scim.Directory{Store: scimStore}, issuers)
	if err != nil {
		return err
	}
	scimH, err := scim.New(scim.Options{Store: scimStore, Audit: s.audit, Logger: s.log, BaseURL: strings.TrimSuffix(s.URL, "/") + scim.Path})
	if err != nil {
		return err
	}
	mux.Handle(scim.Path+"/", scimH)
	mux.Handle(scim.Path, scimH)
	sessCfg := cfg.Sessions
	if sessCfg.Issuer == "" {
		sessCfg.Issuer = s.URL
	}
	if s.sessions, err = identity.NewSessions(identity.SessionOptions{DataDir: dir, Config: sessCfg, Logger: s.log, Provisioning: prov,
		Revocations: revocations, Keys: sessionKeys}); err != nil {
		return err
	}
	verifier, err := identity.NewVerifier(ctx, issuers, identity.VerifierOptions{Logger: s.log, HTTPClient: client, Provisioning: prov})
	if err != nil {
		return err
	}
	tapi, err := tokenapi.New(tokenapi.Options{Verifier: verifier, Sessions: s.sessions, Logger: s.log})
	if err != nil {
		return err
	}
	tapi.Register(mux)
	keys := awsapi.StaticCredentials{}
	for _, k := range cfg.AWSAPI.AccessKeys {
		p, err := identity.Simulated(k.User, k.Namespace, k.Groups)
		if err != nil {
			return fmt.Errorf("server: access key %s: %w", k.AccessKeyID, err)
		}
		p.Issuer = "awsapi-access-key"
		keys[k.AccessKeyID] = awsapi.Credential{SecretAccessKey: k.SecretAccessKey, Principal: p}
	}
	// Temporary credentials (STS) are verified by opening their session
	// token with the server key: no lookup, any replica answers.
	sealer, err := tempcreds.OpenKeys(ctx, s.store.Keys())
	if err != nil {
		return fmt.Errorf("server: temporary credentials key: %w", err)
	}
	creds := awsapi.ChainCredentials{keys, &tempcreds.Store{Sealer: sealer, Recheck: prov.Recheck}}
	stsH, err := s.awsIdentity(ctx, mux, verifier, issuers, sealer, creds, prov, replay)
	if err != nil {
		return err
	}
	if cfg.Web.Enabled {
		if err := s.mountWeb(mux, verifier, issuers, client, opts.WebClock, scimStore, webSessions); err != nil {
			return err
		}
	}
	aws := awsapi.NewDataAPI(svc, creds, awsapi.Options{Logger: s.log, Replay: replay,
		Target: awsapi.Target{AccountID: cfg.AWSAPI.AccountID, Workgroup: cfg.AWSAPI.Workgroup, Database: cfg.AWSAPI.Database}})
	mux.Handle("/v1/", restapi.New(svc, s.sessions, s.log))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !s.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		if s.replica != nil && !s.replica.healthy.Load() {
			// The load balancer sends no work here until the store answers.
			http.Error(w, "not ready: the shared store does not answer", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", s.metrics)
	// AWS SDKs post every call to "/": the X-Amz-Target header names a
	// Data API (JSON 1.1) operation; STS (awsQuery) posts a form instead.
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.") {
			aws.ServeHTTP(w, r)
			return
		}
		if isSTS(r) {
			stsH.ServeHTTP(w, r)
			return
		}
		w.Header().Set(reqid.AmznHeader, reqid.ID(r.Context()))
		http.Error(w, `{"__type":"UnknownOperationException","message":"unknown operation"}`, http.StatusBadRequest)
	})
	// One id per request for every binding (reqid): taken from a
	// well-formed X-Request-Id or X-Amzn-RequestId, made otherwise, and
	// answered in X-Request-Id (the AWS bindings add X-Amzn-RequestId).
	s.handler = reqid.Middleware(s.observe(mux))
	return nil
}

// mountWeb serves the dashboard. Its provider must be a trusted issuer
// that accepts the dashboard's client id, or no sign-in could ever be
// verified: that is a configuration error, reported at startup.
func (s *Server) mountWeb(mux *http.ServeMux, verifier *identity.Verifier, issuers []config.Issuer, client *http.Client, clock func() time.Time, scimStore scim.Store, webSessions store.WebSessions) error {
	wc := s.cfg.Web
	i := slices.IndexFunc(issuers, func(is config.Issuer) bool { return is.Issuer == wc.Issuer })
	if i < 0 {
		return fmt.Errorf("server: [web].issuer %s is not a trusted issuer: add it to [[identity.issuers]] (or enable the embedded [idp])", wc.Issuer)
	}
	if !slices.Contains(issuers[i].Audiences, wc.ClientID) {
		return fmt.Errorf("server: [web].client_id %q is not among the audiences of issuer %s", wc.ClientID, wc.Issuer)
	}
	h, err := web.New(web.Options{Config: wc, PublicURL: s.URL, Service: s.svc, Catalog: s.engine.Catalog, Verifier: verifier,
		Sessions: s.sessions, HTTPClient: client, Logger: s.log, Clock: clock, WebSessions: webSessions,
		Directory: func(ctx context.Context) (scim.DirectoryView, error) { return scim.Snapshot(ctx, scimStore) }})
	if err != nil {
		return err
	}
	h.Register(mux)
	s.web = h
	return nil
}

// mountIDP starts the embedded development IdP under /idp (and its Okta
// face when there is an Okta listener) and returns it as trusted issuers.
func (s *Server) mountIDP(ctx context.Context, mux *http.ServeMux, users []idp.User) ([]config.Issuer, error) {
	var err error
	if users == nil {
		if users, err = idp.LoadUsers(s.cfg.IDP.UsersFile); err != nil {
			return nil, err
		}
	}
	var clients []idp.Client
	for _, c := range s.cfg.IDP.Clients {
		clients = append(clients, idp.Client{ID: c.ID, Secret: c.Secret, Public: c.Public, RedirectURIs: c.RedirectURIs,
			PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Grants: c.Grants})
	}
	issuer := s.URL + IDPPath
	p, err := idp.New(ctx, idp.Config{Issuer: issuer, Users: users, Clients: clients, EnablePasswordGrant: s.cfg.IDP.EnablePasswordGrant,
		KeyPath: "idp-signing-key.pem", Keys: s.store.Keys(), Logger: s.log, OnSignInFailure: s.auditSignInFailure})
	if err != nil {
		return nil, err
	}
	mux.Handle(IDPPath+"/", p.Handler())
	var audiences []string
	for _, c := range clients {
		audiences = append(audiences, c.ID)
	}
	out := []config.Issuer{{Issuer: issuer, Audiences: audiences, UserClaim: config.DefaultUserClaim, GroupsClaim: config.DefaultGroupsClaim,
		Namespace: identity.DefaultNamespace, GroupsSource: s.cfg.IDP.GroupsSource, SCIMUserClaim: "email"}}
	if s.oktaLn != nil {
		okta, err := s.mountOkta(ctx, users, clients, audiences)
		if err != nil {
			return nil, err
		}
		// The same users at a second URL: their groups come from the same place.
		okta.GroupsSource, okta.SCIMUserClaim = s.cfg.IDP.GroupsSource, "email"
		out = append(out, okta)
	}
	return out, nil
}

// auditSignInFailure records a password the embedded IdP refused, so the
// audit log's failed sign-ins include those at its login page. The account
// is named only when it exists.
func (s *Server) auditSignInFailure(r *http.Request, f idp.SignInFailure) {
	rec := audit.Record{Time: time.Now(), Kind: "auth_failure", Binding: "idp", Source: r.RemoteAddr, RequestID: reqid.ID(r.Context()),
		Error: "bad_credentials (" + f.Flow + ", client " + f.ClientID + ")"}
	if f.User != "" {
		rec.User = identity.DefaultNamespace + ":" + f.User
	} else {
		rec.Error = "unknown_user (" + f.Flow + ", client " + f.ClientID + ")"
	}
	if err := s.audit.Write(rec); err != nil {
		s.log.ErrorContext(r.Context(), "audit write failed", "err", err)
	}
}

// Ready is closed once Serve answers requests (GET /readyz says "ready").
func (s *Server) Ready() <-chan struct{} { return s.readyc }

// DataDir is the server's data directory (the demo and tests open its
// provisioning store to make client tokens, as `tipgate scim-client` does).
func (s *Server) DataDir() string { return s.cfg.Server.DataDir }

// Engine exposes the warehouse (for the demo's setup).
func (s *Server) Engine() engine.Engine { return s.engine }

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers requests until ctx ends, then shuts down gracefully:
// requests in flight get ShutdownGrace to finish.
func (s *Server) Serve(ctx context.Context) error {
	hs := &http.Server{Handler: s.handler, ReadHeaderTimeout: s.readHeaderTimeout(), ErrorLog: s.errorLog()}
	errc := make(chan error, 2)
	go func() {
		if s.cfg.Server.TLSCert != "" {
			errc <- hs.ServeTLS(s.ln, s.cfg.Server.TLSCert, s.cfg.Server.TLSKey)
		} else {
			errc <- hs.Serve(s.ln)
		}
	}()
	var okta *http.Server
	if s.oktaHandler != nil {
		okta = s.serveOkta(errc)
	}
	if s.web != nil {
		go func() {
			t := time.NewTicker(time.Minute)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s.web.Sweep()
				}
			}
		}()
	}
	if s.replica != nil {
		rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { s.replica.run(rctx); close(done) }()
		// Leave the store after the statements are done (below), so the
		// others do not fail them meanwhile.
		defer func() { stop(); <-done }()
	}
	s.ready.Store(true)
	s.readyO.Do(func() { close(s.readyc) })
	s.log.Info("tipgate serving", "url", s.URL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.Store(false)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.Server.ShutdownGrace)
	defer cancel()
	// Running statements get the grace period, then are aborted and
	// marked so; requests in flight finish within the same period.
	s.svc.Shutdown(sctx)
	if okta != nil {
		if errors.Is(okta.Shutdown(sctx), context.DeadlineExceeded) {
			okta.Close()
		}
	}
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hs.Close()
	}
	return nil
}

func (s *Server) readHeaderTimeout() time.Duration { return 10 * time.Second }

func (s *Server) errorLog() *log.Logger { return slog.NewLogLogger(s.log.Handler(), slog.LevelWarn) }

// Close releases the warehouse and files.
func (s *Server) Close() error {
	var errs []error
	if s.engine != nil {
		errs = append(errs, s.engine.Close())
	}
	if s.audit != nil {
		errs = append(errs, s.audit.Close())
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	return errors.Join(errs...)
}

// observe logs every request's outcome with its id (never its headers or
// body: they carry tokens) and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		binding := bindingOf(r)
		s.metrics.observe(binding, sw.status, d)
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "binding", binding, "status", sw.status,
			"duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
	})
}

func bindingOf(r *http.Request) string {
	switch {
	case strings.HasPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData."):
		return "aws"
	case r.URL.Path == "/" && isSTS(r):
		return "sts"
	case r.URL.Path == ssooidc.Path, strings.HasPrefix(r.URL.Path, SSOOIDCPath+"/"):
		return "sso-oidc"
	case strings.HasPrefix(r.URL.Path, "/v1/"):
		return "rest"
	case strings.HasPrefix(r.URL.Path, IDPPath+"/"):
		return "idp"
	case r.URL.Path == scim.Path, strings.HasPrefix(r.URL.Path, scim.Path+"/"):
		return "scim"
	case strings.HasPrefix(r.URL.Path, web.AppPath), strings.HasPrefix(r.URL.Path, "/auth/"), r.URL.Path == web.SignInPath,
		r.URL.Path == web.SignedOutPath, r.Method == http.MethodGet && r.URL.Path == "/":
		return "web"
	case strings.HasPrefix(r.URL.Path, "/oauth2/"), strings.HasPrefix(r.URL.Path, "/.well-known/"):
		return "oauth"
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// ReadFrom passes io.Copy through to the response's own ReadFrom, which
// sends a file with sendfile (a spilled result as an Arrow stream).
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type observer struct{ m *metrics }

func (o observer) StatementEnded(binding, status string, d time.Duration) {
	o.m.statementEnded(binding, status, d)
}
func (o observer) AuthFailed(binding, reason string) { o.m.authFailed(binding, reason) }

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return ""
}

// selfTransport answers requests for the server's own hosts (its main
// listener, the Okta listener) from their handlers, without the network.
type selfTransport struct {
	hosts     map[string]http.Handler
	next      http.RoundTripper
	readsOnly bool // GET and HEAD only; the rest over the network
}

func (t selfTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h, ok := t.hosts[r.URL.Host]
	if t.readsOnly && r.Method != http.MethodGet && r.Method != http.MethodHead {
		ok = false
	}
	if !ok {
		return t.next.RoundTrip(r)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
