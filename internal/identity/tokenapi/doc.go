// Package tokenapi is tipgate's OAuth 2.0 surface for its own issuer: the
// token endpoint (RFC 8693 token exchange and RFC 7523 JWT bearer grants,
// both turning a verified external ID token into a tipgate session token),
// revocation (RFC 7009), and the discovery document and JWKS that let
// others verify session tokens.
//
// Every grant runs through one pipeline (parse form → grant-specific
// parameter checks → external token verification → session issue), so a
// new grant cannot skip verification, and every OAuth error is written by
// one encoder in RFC 6749 §5.2 form.
//
// It owns HTTP parsing and the OAuth wire format only. It must not verify
// tokens or sign anything itself (identity does), must not read request
// fields as identity, and must never log, echo or wrap a token.
package tokenapi
