package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/devtls"
	"github.com/tipgate/tipgate/internal/secretfile"
)

// What the demo adds for apps written against Okta (examples/streamlit):
// the embedded IdP's Okta face on a second port, a confidential client for
// the Streamlit app, and with --tls a local CA so that everything is
// served over HTTPS as Okta and AWS are.

const (
	// demoStreamlitClient is the Streamlit example's client at the IdP.
	demoStreamlitClient = "tipgate-streamlit"
	// demoStreamlitURL is the app's address: its redirect and sign-out
	// URI, matched exactly.
	demoStreamlitURL = "http://localhost:8501"
	// streamlitSecretFile holds the client's secret in the data directory.
	streamlitSecretFile = "streamlit-client-secret"
	// tlsDir is the local CA's directory in the data directory.
	tlsDir = "tls"
)

// demoServeOptions are demo flags beyond the basic ones.
type demoServeOptions struct {
	TLS        bool
	OktaListen string // "": the port after --listen's (0 stays 0)
	// Replicas behind a load balancer (the dashboard's browser tests run
	// so): the shared store, this replica's id and the balancer's URL.
	StoreDSN, ReplicaID, PublicURL string
}

// oktaListen is where the Okta face listens: the flag when given, else
// the main address's host with the next port.
func oktaListen(listen, flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("demo: --listen %q: %w", listen, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65534 {
		return "", fmt.Errorf("demo: --listen %q: the port must be a number below 65535 (the Okta face takes the next one; or set --okta-listen)", listen)
	}
	if n == 0 {
		return net.JoinHostPort(host, "0"), nil
	}
	return net.JoinHostPort(host, strconv.Itoa(n+1)), nil
}

// streamlitSecret returns the Streamlit client's secret, made once and
// kept owner-only in the data directory, so that an app configured from
// demo.env keeps working across demo restarts.
func streamlitSecret(dataDir string) (string, error) {
	path := filepath.Join(dataDir, streamlitSecretFile)
	b, err := secretfile.Read(path)
	if err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 32 {
			return s, nil
		}
		return "", fmt.Errorf("demo: %s does not hold a client secret: delete it to make a new one", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("demo: Streamlit client secret: %w", err)
	}
	var r [32]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", err
	}
	s := base64.RawURLEncoding.EncodeToString(r[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, []byte(s+"\n")); err != nil {
		return "", fmt.Errorf("demo: Streamlit client secret: %w", err)
	}
	return s, nil
}

// demoTLS makes (once) the local CA and server certificate and returns
// the [server] lines that serve them.
func demoTLS(dataDir string) (devtls.Files, string, error) {
	f, err := devtls.Ensure(filepath.Join(dataDir, tlsDir), time.Now())
	if err != nil {
		return f, "", err
	}
	return f, fmt.Sprintf("tls_cert = %s\ntls_key = %s\n", strconv.Quote(f.ServerCert), strconv.Quote(f.ServerKey)), nil
}

// streamlitClientConfig is the [[idp.clients]] entry of the Streamlit app.
func streamlitClientConfig(secret string) string {
	q := strconv.Quote
	return fmt.Sprintf(`
[[idp.clients]]
id = %s
secret = %s
redirect_uris = [%s]
post_logout_redirect_uris = [%[3]s]
grants = ["authorization_code", "refresh_token"]
`, q(demoStreamlitClient), q(secret), q(demoStreamlitURL))
}

// printTLS tells how clients trust the local CA.
func printTLS(w io.Writer, ca string) {
	fmt.Fprintf(w, `
HTTPS: tipgate's local CA is %[1]s (made once for this data directory; its key never leaves it).
  Programs: . demo.env sets SSL_CERT_FILE, REQUESTS_CA_BUNDLE, AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS and CURL_CA_BUNDLE to it
    (SSL_CERT_FILE replaces the system's roots for OpenSSL and Go in that shell: use it for local work only).
  Browsers: import %[1]s as an authority ("Manage certificates" → Authorities in Chromium; Firefox: Settings →
    Certificates → Authorities), or for the whole machine (Debian):
    sudo cp %[1]s /usr/local/share/ca-certificates/tipgate-demo.crt && sudo update-ca-certificates
`, ca)
}
