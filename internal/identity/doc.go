// Package identity owns who a caller is: the Principal, created only from a
// verified token or credential (or, for the local "view as" tool, from an
// operator on the machine that owns the data directory).
//
// It holds:
//   - Verifier: ID tokens from trusted token issuers ([[identity.issuers]]),
//     checked with go-jose against keys from OpenID discovery, cached per
//     issuer and refreshed on unknown kids at a limited rate, then mapped to
//     a Principal ("<namespace>:<user claim>", groups, auto-create roles).
//   - Sessions: tipgate's own session tokens (ES256 or EdDSA JWTs) with
//     signing keys in <dataDir>/keys, rotated with an overlap window, and
//     revocations in <dataDir>/revocations shared by every process on the
//     directory. ES256 session tokens are signed and accepted with low s
//     only (lows.go), so each token has exactly one valid encoding.
//   - Error and Code: every refusal has a stable code and a message that
//     never contains the token.
//
// Token checks are deliberately stricter than the JOSE library alone:
// size, base64url alphabet, duplicate JSON members, forbidden header
// parameters and key/algorithm agreement are checked before go-jose
// verifies the signature, and claims are read by exact member name.
//
// It must not read or decide data access (policy's job), must not speak any
// wire protocol (tokenapi, awsapi and restapi do), must never build a
// Principal from request fields, and must never put a token, key or secret
// in a log line or error. Superuser is never set from a token.
package identity
