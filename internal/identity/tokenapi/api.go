package tokenapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/identity"
)

// SessionService issues, verifies and revokes tipgate sessions;
// *identity.Sessions implements it.
type SessionService interface {
	Issue(ctx context.Context, p identity.Principal) (identity.Session, error)
	Verify(ctx context.Context, raw string) (identity.Principal, error)
	Revoke(ctx context.Context, sid string, exp time.Time) error
	JWKS() jose.JSONWebKeySet
	Issuer() string
	Audience() string
}

var (
	_ SessionService = (*identity.Sessions)(nil)
)

// Options configure the API.
type Options struct {
	Verifier identity.TokenVerifier
	Sessions SessionService
	Logger   *slog.Logger
	// MaxBodyBytes bounds request bodies (default DefaultMaxBodyBytes).
	MaxBodyBytes int64
}

// API serves tipgate's OAuth endpoints.
type API struct {
	verifier identity.TokenVerifier
	sessions SessionService
	log      *slog.Logger
	maxBody  int64
}

// New checks opts and builds the API.
func New(opts Options) (*API, error) {
	if opts.Verifier == nil || opts.Sessions == nil {
		return nil, errors.New("tokenapi: a verifier and a session service are required")
	}
	a := &API{verifier: opts.Verifier, sessions: opts.Sessions, log: opts.Logger, maxBody: opts.MaxBodyBytes}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBodyBytes
	}
	return a, nil
}

// Paths of the endpoints, relative to the issuer URL.
const (
	PathToken     = "/oauth2/token"
	PathRevoke    = "/oauth2/revoke"
	PathDiscovery = "/.well-known/openid-configuration"
	PathJWKS      = "/.well-known/jwks.json"
)

// Register adds every endpoint to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle(PathToken, a.TokenHandler())
	mux.Handle(PathRevoke, a.RevokeHandler())
	mux.Handle(PathDiscovery, a.DiscoveryHandler())
	mux.Handle(PathJWKS, a.JWKSHandler())
}

// outcome is what an endpoint produced; serve writes and logs it.
type outcome struct {
	body    any // JSON body on success; nil for an empty 200
	headers map[string]string
	err     *oauthError
	// log attributes (never secrets)
	attrs []slog.Attr
}

type endpoint func(r *http.Request) outcome

// serve is the one place responses are written and requests logged.
func (a *API) serve(method string, cacheable bool, ep endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out outcome
		if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			out.err = &oauthError{Status: http.StatusMethodNotAllowed, Code: "invalid_request",
				Description: "method must be " + method}
		} else {
			out = ep(r)
		}
		h := w.Header()
		if !cacheable || out.err != nil {
			// RFC 6749 §5.1: token responses must not be cached.
			h.Set("Cache-Control", "no-store")
			h.Set("Pragma", "no-cache")
		}
		for k, v := range out.headers {
			h.Set(k, v)
		}
		status := http.StatusOK
		var body any = out.body
		if out.err != nil {
			status, body = out.err.Status, out.err
		}
		attrs := append([]slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
		}, out.attrs...)
		if out.err != nil {
			attrs = append(attrs, slog.String("error", out.err.Code))
			if out.err.cause != "" {
				attrs = append(attrs, slog.String("cause", out.err.cause))
			}
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		a.log.LogAttrs(r.Context(), level, "tokenapi: request", attrs...)
		writeJSON(w, status, body)
	})
}

// writeJSON is the package's only encoder.
func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	b, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":"server_error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// tokenResponse is RFC 6749 §5.1 plus RFC 8693 §2.2.1.
type tokenResponse struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
}

// TokenHandler serves POST /oauth2/token.
func (a *API) TokenHandler() http.Handler {
	grants := a.grants()
	return a.serve(http.MethodPost, false, func(r *http.Request) outcome {
		v, oerr := readForm(r, a.maxBody)
		if oerr != nil {
			return outcome{err: oerr}
		}
		return a.token(r.Context(), grants, v)
	})
}

// token is the grant pipeline.
func (a *API) token(ctx context.Context, grants map[string]grant, v map[string][]string) outcome {
	gt := first(v, "grant_type")
	if gt == "" {
		return outcome{err: errInvalidRequest("grant_type is required")}
	}
	g, ok := grants[gt]
	if !ok {
		return outcome{err: &oauthError{Status: http.StatusBadRequest, Code: "unsupported_grant_type",
			Description: "supported grant types are token exchange and JWT bearer"}}
	}
	attrs := []slog.Attr{slog.String("grant_type", gt)}
	raw, oerr := g.subject(v, a)
	if oerr != nil {
		return outcome{err: oerr, attrs: attrs}
	}
	p, err := a.verifier.Verify(ctx, raw)
	if err != nil {
		return outcome{err: fromIdentity(err), attrs: attrs}
	}
	attrs = append(attrs, slog.String("user", p.User), slog.String("idp", p.Issuer))
	sess, err := a.sessions.Issue(ctx, p)
	if err != nil {
		return outcome{err: fromIdentity(err), attrs: attrs}
	}
	attrs = append(attrs, slog.String("sid", sess.ID))
	resp := tokenResponse{
		AccessToken: sess.Token, TokenType: "Bearer",
		ExpiresIn: int64(sess.Expiry.Sub(sess.IssuedAt).Seconds()),
	}
	if g.issuedTokenType {
		resp.IssuedTokenType = TokenTypeJWT
	}
	return outcome{body: resp, attrs: attrs}
}

func first(v map[string][]string, k string) string {
	if vs := v[k]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// RevokeHandler serves POST /oauth2/revoke (RFC 7009) for session tokens.
// Invalid or unknown tokens get 200 as the RFC requires, so the endpoint
// tells nobody whether a token was valid.
func (a *API) RevokeHandler() http.Handler {
	return a.serve(http.MethodPost, false, func(r *http.Request) outcome {
		v, oerr := readForm(r, a.maxBody)
		if oerr != nil {
			return outcome{err: oerr}
		}
		tok := v.Get("token")
		if tok == "" {
			return outcome{err: errInvalidRequest("token is required")}
		}
		p, err := a.sessions.Verify(r.Context(), tok)
		if err != nil {
			code := identity.CodeOf(err)
			if code == identity.CodeInternal || code == "" {
				return outcome{err: fromIdentity(err)}
			}
			return outcome{attrs: []slog.Attr{slog.String("revoked", "no"), slog.String("cause", string(code))}}
		}
		if err := a.sessions.Revoke(r.Context(), p.SessionID, p.Expiry); err != nil {
			return outcome{err: &oauthError{Status: http.StatusInternalServerError, Code: "server_error",
				Description: "the session could not be revoked", cause: "revocation store"}}
		}
		return outcome{attrs: []slog.Attr{slog.String("revoked", "yes"), slog.String("sid", p.SessionID), slog.String("user", p.User)}}
	})
}

// DiscoveryHandler serves tipgate's OpenID configuration: enough for
// clients and resource servers to find the token endpoint and keys.
func (a *API) DiscoveryHandler() http.Handler {
	return a.serve(http.MethodGet, true, func(r *http.Request) outcome {
		iss := strings.TrimSuffix(a.sessions.Issuer(), "/")
		return outcome{
			headers: map[string]string{"Cache-Control": "public, max-age=300"},
			body: map[string]any{
				"issuer":                                a.sessions.Issuer(),
				"token_endpoint":                        iss + PathToken,
				"revocation_endpoint":                   iss + PathRevoke,
				"jwks_uri":                              iss + PathJWKS,
				"grant_types_supported":                 []string{GrantTokenExchange, GrantJWTBearer},
				"token_endpoint_auth_methods_supported": []string{"none"},
				"revocation_endpoint_auth_methods_supported": []string{"none"},
				"id_token_signing_alg_values_supported":      []string{"ES256", "EdDSA"},
				"response_types_supported":                   []string{},
				"subject_types_supported":                    []string{"public"},
			},
		}
	})
}

// JWKSHandler serves the public keys of every session signing key still
// in use. The short max-age lets verifiers pick up a rotation quickly.
func (a *API) JWKSHandler() http.Handler {
	return a.serve(http.MethodGet, true, func(r *http.Request) outcome {
		set := a.sessions.JWKS()
		if set.Keys == nil {
			set.Keys = []jose.JSONWebKey{}
		}
		return outcome{headers: map[string]string{"Cache-Control": "public, max-age=300"}, body: set}
	})
}
