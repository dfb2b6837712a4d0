// Package cliauth is the command line's side of single sign-on: it
// discovers an OpenID Provider, signs a person in with the OAuth 2.0 device
// authorization grant (RFC 8628) or the loopback browser redirect with
// PKCE (RFC 8252, RFC 7636), exchanges the ID token at a tipgate server's
// token endpoint (RFC 8693) for a session token, and keeps that session in
// a private file in the user's configuration directory.
//
// It owns the session file and the client half of those protocols. It must
// not verify tokens (the server does) and must never write a token, code,
// verifier or password to a log, an error or the terminal: tokens are held
// as Secret, which prints as [REDACTED].
package cliauth
