// Package ssooidc is tipgate's IAM Identity Center OIDC service, reduced to
// what trusted identity propagation needs: CreateTokenWithIAM at
// POST /token?aws_iam=t (restJson1, SigV4 with signing name "sso-oauth").
//
// A customer-managed application (Application: ARN, trusted token issuer,
// audiences, attribute mapping, authorized callers) exchanges an external
// ID token (grant urn:ietf:params:oauth:grant-type:jwt-bearer) or one of
// its own refresh tokens for an access token, a refresh token and an
// idToken signed by tipgate whose sts:identity_context claim (also in
// awsAdditionalDetails.identityContext) is a context assertion sealed by
// tempcreds: bound to the user, the application and an expiry. STS opens
// it in AssumeRole.
//
// It runs every grant through one pipeline (signature, client, caller
// authorisation, grant, scopes, issue) so no grant skips a check. It must
// not issue AWS credentials (sts does) and never logs a token or assertion.
package ssooidc
