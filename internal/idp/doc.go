// Package idp owns the embedded development OpenID Provider: a small,
// in-memory OIDC issuer for the demo and for tests, built on the certified
// zitadel/oidc "op" package. It serves discovery, JWKS, the authorization
// code flow (PKCE with S256 required), refresh tokens, userinfo,
// RP-initiated logout, the device authorization grant and, only when
// enabled, the resource-owner password grant. Users and groups come from a
// TOML file with bcrypt or argon2id password hashes; clients come from
// configuration.
//
// It is not a production identity provider: it keeps everything in memory,
// has no rate limiting, no single sign-on session and no consent screen.
// Production deployments point tipgate at an external IdP (Keycloak, Entra,
// Okta, IAM Identity Center). This package must not import tipgate's
// identity, policy or engine packages: consumers verify its tokens exactly
// as they verify any other issuer's.
package idp
