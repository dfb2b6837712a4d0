package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/awsapi/ssooidc"
	"github.com/tipgate/tipgate/internal/awsapi/sts"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
)

// SSOOIDCPath is the issuer path of the idTokens SSO-OIDC signs; their
// keys are at SSOOIDCPath+"/jwks".
const SSOOIDCPath = "/sso-oidc"

// stsConfig maps [awsapi] onto the STS configuration.
func stsConfig(c config.AWSAPI) sts.Config {
	out := sts.Config{Account: c.AccountID}
	for _, r := range c.Roles {
		role := sts.Role{ARN: r.ARN, MaxSessionDuration: r.MaxSessionDuration, Trust: sts.Trust{
			AssumeRole: slices.Clone(r.Trust.AssumeRole), SetContext: slices.Clone(r.Trust.SetContext),
			ContextApplications: slices.Clone(r.Trust.ContextApplications)}}
		for _, w := range r.Trust.WebIdentity {
			role.Trust.WebIdentity = append(role.Trust.WebIdentity, sts.WebIdentityTrust{Issuer: w.Issuer, Audiences: slices.Clone(w.Audiences)})
		}
		out.Roles = append(out.Roles, role)
	}
	return out
}

// ssooidcConfig maps [awsapi] onto the SSO-OIDC configuration.
func ssooidcConfig(c config.AWSAPI, issuer string) ssooidc.Config {
	out := ssooidc.Config{Account: c.AccountID, Issuer: issuer}
	for _, a := range c.Applications {
		out.Applications = append(out.Applications, ssooidc.Application{ARN: a.ARN, Name: a.Name, Issuer: a.Issuer,
			Audiences: slices.Clone(a.Audiences), UserClaim: a.UserClaim, Scopes: slices.Clone(a.Scopes),
			AuthorizedCallers: slices.Clone(a.AuthorizedCallers), TokenLifetime: a.TokenLifetime, RefreshLifetime: a.RefreshLifetime,
			AssignmentRequired: a.Assignment == "required", AssignedUsers: slices.Clone(a.AssignedUsers), AssignedGroups: slices.Clone(a.AssignedGroups)})
	}
	return out
}

// checkTrustedIssuers refuses trust rules naming an issuer (or an
// audience of it) the verifier does not trust: such a rule could never
// match, and the operator would only see InvalidIdentityToken at run time.
func checkTrustedIssuers(c config.AWSAPI, issuers []config.Issuer) error {
	var errs []error
	check := func(key, iss string, auds []string) {
		i := slices.IndexFunc(issuers, func(is config.Issuer) bool { return is.Issuer == iss })
		if i < 0 {
			errs = append(errs, fmt.Errorf("%s: issuer %s is not a trusted issuer ([[identity.issuers]] or the embedded IdP)", key, iss))
			return
		}
		for _, a := range auds {
			if !slices.Contains(issuers[i].Audiences, a) {
				errs = append(errs, fmt.Errorf("%s: audience %q is not one of issuer %s's audiences %v", key, a, iss, issuers[i].Audiences))
			}
		}
	}
	for i, r := range c.Roles {
		for j, w := range r.Trust.WebIdentity {
			check(fmt.Sprintf("awsapi.roles[%d].trust.web_identity[%d]", i, j), w.Issuer, w.Audiences)
		}
	}
	for i, a := range c.Applications {
		check(fmt.Sprintf("awsapi.applications[%d]", i), a.Issuer, a.Audiences)
	}
	return errors.Join(errs...)
}

// awsIdentity builds the STS and SSO-OIDC handlers and mounts SSO-OIDC
// (CreateTokenWithIAM at POST /token, its keys under /sso-oidc). STS is
// returned for the POST / dispatcher.
func (s *Server) awsIdentity(ctx context.Context, mux *http.ServeMux, verifier identity.TokenVerifier, issuers []config.Issuer, sealer *tempcreds.Sealer, creds awsapi.CredentialStore, prov *identity.Provisioning, replay store.Replay) (*sts.Handler, error) {
	c := s.cfg.AWSAPI
	stsCfg := s.sameIssuerSTS(stsConfig(c))
	oidcIssuer := strings.TrimSuffix(s.URL, "/") + SSOOIDCPath
	oidcCfg := s.sameIssuerSSOOIDC(ssooidcConfig(c, oidcIssuer))
	if err := errors.Join(stsCfg.Validate(), oidcCfg.Validate(), checkTrustedIssuers(c, issuers)); err != nil {
		return nil, fmt.Errorf("server: [awsapi]: %w", err)
	}
	stsH, err := sts.New(sts.Options{Config: stsCfg, Verifier: verifier, Sealer: sealer, Credentials: creds, Logger: s.log, Recheck: prov.Recheck, Replay: replay})
	if err != nil {
		return nil, fmt.Errorf("server: sts: %w", err)
	}
	signer, err := ssooidc.NewKeySigner(ctx, s.store.Keys(), ssooidc.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("server: sso-oidc signing key: %w", err)
	}
	oidcH, err := ssooidc.New(ssooidc.Options{Config: oidcCfg, Verifier: verifier, Sealer: sealer, Credentials: creds, Signer: signer, Logger: s.log,
		Recheck: prov.Recheck, Replay: replay})
	if err != nil {
		return nil, fmt.Errorf("server: sso-oidc: %w", err)
	}
	mux.Handle("POST "+ssooidc.Path, oidcH)
	jwks, err := json.Marshal(signer.JWKS())
	if err != nil {
		return nil, fmt.Errorf("server: sso-oidc keys: %w", err)
	}
	mux.HandleFunc("GET "+SSOOIDCPath+"/jwks", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(jwks)
	})
	// Enough discovery for OpenID libraries to verify the idTokens.
	disco, _ := json.Marshal(map[string]any{"issuer": oidcIssuer, "jwks_uri": oidcIssuer + "/jwks",
		"id_token_signing_alg_values_supported": []string{"ES256"}, "response_types_supported": []string{"id_token"},
		"subject_types_supported": []string{"public"}})
	mux.HandleFunc("GET "+SSOOIDCPath+"/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(disco)
	})
	return stsH, nil
}

// isSTS reports whether a POST / is an STS (awsQuery) call: a form post
// that is not a Data API call.
func isSTS(r *http.Request) bool {
	return !strings.HasPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.") &&
		strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded")
}
