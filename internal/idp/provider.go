package idp

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/tipgate/tipgate/internal/store/memstore"
)

// Paths under the issuer served by this package rather than the library.
const (
	pathLogin     = "/login"
	pathDevice    = "/device"
	pathLoggedOut = "/logged-out"
)

// Provider is the development OpenID Provider.
type Provider struct {
	cfg     Config
	log     *slog.Logger
	op      *op.Provider
	store   *storage
	base    string // the issuer's path, without a trailing slash
	csrf    csrfGuard
	handler http.Handler
}

// New validates cfg, loads or creates the signing key and builds the
// provider. ctx only bounds construction.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("idp config: %w", err)
	}
	iss, _ := url.Parse(cfg.Issuer) // validated above
	p := &Provider{cfg: cfg, log: cfg.Logger, base: iss.Path}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	keys, name := cfg.Keys, cfg.KeyPath
	if keys == nil && name != "" {
		keys, name = memstore.FileKeys(filepath.Dir(name)), filepath.Base(name)
	}
	key, err := loadOrCreateKey(ctx, keys, name)
	if err != nil {
		return nil, err
	}
	loginURL := func(id string) string { return p.base + pathLogin + "?authRequestID=" + url.QueryEscape(id) }
	if p.store, err = newStorage(cfg, key, loginURL); err != nil {
		return nil, err
	}
	var cryptoKey [32]byte
	csrfKey := make([]byte, 32)
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, err
	}
	if _, err := rand.Read(csrfKey); err != nil {
		return nil, err
	}
	p.csrf = csrfGuard{key: csrfKey, secure: iss.Scheme == "https", path: p.base + "/"}
	opCfg := &op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: cfg.Issuer + pathLoggedOut,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.English},
		DeviceAuthorization: op.DeviceAuthorizationConfig{
			Lifetime:     10 * time.Minute,
			PollInterval: 5 * time.Second,
			UserFormPath: p.base + pathDevice,
			UserCode:     op.UserCodeBase20,
		},
	}
	opts := cfg.Layout.options()
	if iss.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	if p.op, err = op.NewProvider(opCfg, p.store, op.StaticIssuer(cfg.Issuer), opts...); err != nil {
		return nil, fmt.Errorf("idp: %w", err)
	}
	p.handler = p.routes()
	p.log.Info("development identity provider ready", "issuer", cfg.Issuer, "users", len(cfg.Users),
		"clients", len(cfg.Clients), "key_id", key.id, "password_grant", cfg.EnablePasswordGrant)
	return p, nil
}

// Handler serves the provider. Mount it at the issuer URL's path, e.g.
// mux.Handle("/idp/", p.Handler()) for the issuer http://host/idp; it expects
// the full request path.
func (p *Provider) Handler() http.Handler { return p.handler }

// Issuer returns the configured issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

func (p *Provider) routes() http.Handler {
	b := p.base
	lib := http.StripPrefix(b, p.op)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+b+pathLogin, p.loginPage)
	mux.HandleFunc("POST "+b+pathLogin, p.loginSubmit)
	mux.HandleFunc("GET "+b+pathDevice, p.devicePage)
	mux.HandleFunc("POST "+b+pathDevice, p.deviceSubmit)
	mux.HandleFunc("GET "+b+pathLoggedOut, p.loggedOut)
	mux.Handle("POST "+b+p.op.TokenEndpoint().Relative(), p.tokenEndpoint(lib))
	mux.Handle(b+"/", lib)
	return op.NewIssuerInterceptor(p.op.IssuerFromRequest).Handler(mux)
}
