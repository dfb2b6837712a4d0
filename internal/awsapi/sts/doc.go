// Package sts is tipgate's AWS Security Token Service on the awsQuery
// protocol (form-encoded POST /, Action=…&Version=2011-06-15, XML
// responses): AssumeRoleWithWebIdentity (unsigned; an external ID token
// verified by identity.Verifier), AssumeRole (SigV4, service "sts"; with an
// IAM Identity Center context assertion in ProvidedContexts it returns
// identity-enhanced credentials) and GetCallerIdentity.
//
// Credentials come from tempcreds: the session token seals everything, so
// nothing is stored. Roles and their trust rules are configuration
// (Config); there is no IAM policy language.
//
// Principals of the credentials it issues:
//   - AssumeRoleWithWebIdentity, and AssumeRole without a context: the role
//     session, database user "IAMR:<role name>", no groups. The web
//     identity's user is NOT propagated: that is what the context is for.
//   - AssumeRole with a context assertion: the propagated user
//     ("<namespace>:<email>", the user's groups), as verified by SSO-OIDC.
//
// It must not run statements or decide data access, and never logs a
// token, secret or assertion.
package sts
