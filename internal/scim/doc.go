// Package scim is tipgate's SCIM 2.0 service provider (RFC 7643/7644) at
// /scim/v2: the identity provider pushes users and groups here, and the
// identity package reads them back (Directory) to decide whether a
// principal is still active and which groups, and so which warehouse
// roles, it holds.
//
// It holds:
//   - Store: provisioned users, groups and provisioning clients, one
//     interface with an embedded implementation (FileStore, a JSON file in
//     the data directory written atomically) and a conformance suite
//     (storetest) that every implementation passes.
//   - Handler: the protocol, on github.com/elimity-com/scim (routing,
//     schemas, filter and PATCH path validation, list and error encoding),
//     with what the library leaves to its user: applying PATCH operations,
//     evaluating filters over stored resources, ETags and If-Match, the
//     request shapes Okta and Entra ID send, limits, bearer authentication
//     of provisioning clients and the audit of every change.
//   - Directory: the read side for identity (match a token's user, its
//     active flag and group names).
//
// Provisioning tokens are 256-bit random secrets shown once; only their
// SHA-256 is stored. No token, and no password an IdP sends with a user,
// is ever stored or logged. It must not decide data access (policy's job)
// and must not build a Principal (identity's job).
package scim
