// Package awsapi holds tipgate's AWS wire bindings: the Redshift Data API
// on awsJson1_1 with SigV4 (verified with the AWS SDK's own signer), and
// later STS and SSO-OIDC. Bindings only translate: every statement goes
// through dataapi with the principal recovered from the signature, never
// from request fields such as DbUser.
package awsapi
