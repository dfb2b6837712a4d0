// Package devtls makes the local HTTPS of `tipgate demo --tls`: a
// certificate authority of its own and a server certificate for localhost
// and 127.0.0.1 that it signs, created once in a directory (private keys
// owner-only) and reused on later starts. Clients trust the CA's
// certificate (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, AWS_CA_BUNDLE,
// NODE_EXTRA_CA_CERTS). It is for development only: `tipgate serve` takes
// real certificates. It holds no state and logs nothing.
package devtls
