package idp

import (
	"fmt"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Layout is the set of endpoint paths a Provider answers at, under its
// issuer.
type Layout int

const (
	// LayoutDefault is the library's own: /authorize, /oauth/token,
	// /keys, /userinfo, /revoke, /end_session, /device_authorization.
	LayoutDefault Layout = iota
	// LayoutOkta is Okta's org authorization server: the issuer is the
	// origin (https://host:port, no path) and the endpoints are
	// /oauth2/v1/authorize, /token, /revoke, /logout, /keys, /userinfo,
	// /introspect and /device/authorize, with the discovery document at
	// /.well-known/openid-configuration. An app written for Okta then
	// needs only its OKTA_DOMAIN set to the provider's host:port.
	LayoutOkta
)

// The endpoints of LayoutOkta, relative to the issuer.
const (
	oktaAuthorize  = "oauth2/v1/authorize"
	oktaToken      = "oauth2/v1/token"
	oktaRevoke     = "oauth2/v1/revoke"
	oktaLogout     = "oauth2/v1/logout"
	oktaKeys       = "oauth2/v1/keys"
	oktaUserinfo   = "oauth2/v1/userinfo"
	oktaIntrospect = "oauth2/v1/introspect"
	oktaDevice     = "oauth2/v1/device/authorize"
)

func (l Layout) String() string {
	switch l {
	case LayoutDefault:
		return "default"
	case LayoutOkta:
		return "okta"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// options are the library options that put the endpoints where the
// layout wants them.
func (l Layout) options() []op.Option {
	if l != LayoutOkta {
		return nil
	}
	return []op.Option{
		op.WithCustomEndpoints(op.NewEndpoint(oktaAuthorize), op.NewEndpoint(oktaToken), op.NewEndpoint(oktaUserinfo),
			op.NewEndpoint(oktaRevoke), op.NewEndpoint(oktaLogout), op.NewEndpoint(oktaKeys)),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint(oktaIntrospect)),
		op.WithCustomDeviceAuthorizationEndpoint(op.NewEndpoint(oktaDevice)),
	}
}

// validate reports a layout the issuer cannot have: Okta's org
// authorization server is the origin itself, so its issuer has no path.
func (l Layout) validate(issuerPath string) error {
	switch l {
	case LayoutDefault:
		return nil
	case LayoutOkta:
		if issuerPath != "" {
			return fmt.Errorf("layout okta: the issuer must be an origin (https://host:port) without a path, not one ending in %q", issuerPath)
		}
		return nil
	}
	return fmt.Errorf("unknown layout %d", int(l))
}
