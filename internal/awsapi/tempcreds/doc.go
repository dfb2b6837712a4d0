// Package tempcreds issues and opens tipgate's AWS temporary credentials
// and IAM Identity Center context assertions without shared storage.
//
// A session token is the AEAD seal (XChaCha20-Poly1305, a subkey derived
// with HKDF from one server key) of everything needed to verify a SigV4
// request: the secret access key, the role and session name, the expiry
// and, for identity-enhanced sessions, the propagated identity. The access
// key id is bound as associated data, so a token answers only for its own
// key id. Any replica holding the same key file verifies any other's
// credentials. Context assertions (the sts:identity_context value) and
// SSO-OIDC access and refresh tokens are sealed under their own subkeys,
// so one kind can never be presented as another.
//
// Store implements awsapi.CredentialStore over the sealer.
//
// It must not speak a wire protocol (sts, ssooidc and awsapi do), decide
// trust (sts and ssooidc do), or log a token, secret or key.
package tempcreds
