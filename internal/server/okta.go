package server

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/sts"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/idp"
)

// The embedded IdP's Okta face: the same users and clients, answering at
// the paths of Okta's org authorization server (/oauth2/v1/…) on a
// listener of its own. Okta's issuer is the origin itself, and the root of
// the main listener already belongs to tipgate's own token issuer
// (/.well-known/openid-configuration), hence a second origin.

// mountOkta builds the Okta-layout provider for Options.OktaListener and
// returns it as a trusted issuer with the same audiences as /idp.
func (s *Server) mountOkta(ctx context.Context, users []idp.User, clients []idp.Client, audiences []string) (config.Issuer, error) {
	issuer := s.scheme() + "://" + s.oktaLn.Addr().String()
	p, err := idp.New(ctx, idp.Config{Issuer: issuer, Layout: idp.LayoutOkta, Users: users, Clients: clients,
		EnablePasswordGrant: s.cfg.IDP.EnablePasswordGrant,
		KeyPath:             "idp-okta-signing-key.pem", Keys: s.store.Keys(), Logger: s.log, OnSignInFailure: s.auditSignInFailure})
	if err != nil {
		return config.Issuer{}, fmt.Errorf("server: the embedded IdP's Okta layout: %w", err)
	}
	s.oktaHandler = p.Handler()
	s.OktaURL = issuer
	return config.Issuer{Issuer: issuer, Audiences: slices.Clone(audiences), UserClaim: config.DefaultUserClaim,
		GroupsClaim: config.DefaultGroupsClaim, Namespace: identity.DefaultNamespace}, nil
}

func (s *Server) scheme() string {
	if s.cfg.Server.TLSCert != "" {
		return "https"
	}
	return "http"
}

// sameIssuerSTS makes every role that trusts the embedded IdP at /idp
// trust its Okta face for the same audiences: it is one IdP at two URLs.
func (s *Server) sameIssuerSTS(c sts.Config) sts.Config {
	if s.OktaURL == "" {
		return c
	}
	for i := range c.Roles {
		for _, w := range c.Roles[i].Trust.WebIdentity {
			if w.Issuer == s.URL+IDPPath {
				c.Roles[i].Trust.WebIdentity = append(c.Roles[i].Trust.WebIdentity,
					sts.WebIdentityTrust{Issuer: s.OktaURL, Audiences: slices.Clone(w.Audiences)})
			}
		}
	}
	return c
}

// sameIssuerSSOOIDC does the same for the applications' trusted token
// issuer.
func (s *Server) sameIssuerSSOOIDC(c ssooidc.Config) ssooidc.Config {
	if s.OktaURL == "" {
		return c
	}
	for i := range c.Applications {
		if c.Applications[i].Issuer == s.URL+IDPPath {
			c.Applications[i].SameIssuers = append(c.Applications[i].SameIssuers, s.OktaURL)
		}
	}
	return c
}

// serveOkta answers on the Okta listener until the returned server is
// shut down.
func (s *Server) serveOkta(errc chan<- error) *http.Server {
	hs := &http.Server{Handler: s.observe(s.oktaHandler), ReadHeaderTimeout: s.readHeaderTimeout(), ErrorLog: s.errorLog()}
	go func() {
		if s.cfg.Server.TLSCert != "" {
			errc <- hs.ServeTLS(s.oktaLn, s.cfg.Server.TLSCert, s.cfg.Server.TLSKey)
		} else {
			errc <- hs.Serve(s.oktaLn)
		}
	}()
	return hs
}
