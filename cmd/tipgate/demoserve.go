package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/devtls"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/server"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/pgstore"
)

// demoServe runs the server with the embedded IdP and the four demo users
// until ctx ends.
func demoServe(ctx context.Context, wh engines.Config, dataDir, s3root string, ln net.Listener, password string, more demoServeOptions, stdout, stderr io.Writer) error {
	listen := ln.Addr().String()
	if password == "" {
		var b [12]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		password = base64.RawURLEncoding.EncodeToString(b[:])
	}
	users, err := idp.DemoUsers(password)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	root, _ := filepath.Abs(s3root)
	// The main listener is bound before anything else (runDemo): the
	// embedded IdP's issuer, which the roles and the application trust, is
	// the server's URL (port 0 picks a free port).
	oktaAddr, err := oktaListen(listen, more.OktaListen)
	if err != nil {
		return err
	}
	oktaLn, err := net.Listen("tcp", oktaAddr)
	if err != nil {
		return fmt.Errorf("demo: listen on %s (the Okta-shaped IdP; --okta-listen picks another address): %w", oktaAddr, err)
	}
	scheme, tlsLines := "http", ""
	var tlsFiles devtls.Files
	if more.TLS {
		if tlsFiles, tlsLines, err = demoTLS(abs); err != nil {
			oktaLn.Close()
			return err
		}
		scheme = "https"
	}
	u := scheme + "://" + ln.Addr().String()
	var shared *pgstore.Store
	if more.StoreDSN != "" {
		// Every replica signs in the dashboard with the same client
		// secret and provisions the same SCIM directory: both in the store.
		if shared, err = pgstore.Open(ctx, pgstore.Options{DSN: more.StoreDSN}); err != nil {
			ln.Close()
			oktaLn.Close()
			return fmt.Errorf("demo: %w", err)
		}
		defer shared.Close()
		if more.PublicURL != "" {
			u = strings.TrimRight(more.PublicURL, "/")
			tlsLines += "public_url = " + strconv.Quote(u) + "\n"
		}
	}
	names := demoNames(u)
	names.OktaDomain = oktaLn.Addr().String()
	names.OktaIssuer = scheme + "://" + names.OktaDomain
	if more.TLS {
		names.CAFile = tlsFiles.CACert
	}
	// The dashboard is a confidential client of the embedded IdP; its
	// secret is new on every start and lives only in the data directory.
	secretFile := filepath.Join(abs, "dashboard-client-secret")
	var secret string
	if shared != nil {
		secret, names.StreamlitSecret, err = sharedDemoSecrets(ctx, shared, secretFile, abs)
	} else {
		secret, err = newDashboardSecret(secretFile)
		if err == nil {
			names.StreamlitSecret, err = streamlitSecret(abs)
		}
	}
	if err != nil {
		ln.Close()
		oktaLn.Close()
		return err
	}
	cfg, err := config.Parse([]byte(strings.Replace(fmt.Sprintf(`
[server]
listen = %s
data_dir = %s
%[11]s[warehouse]
s3_root = %[3]s
[idp]
enabled = true
users_file = "(demo users)"
enable_password_grant = true
groups_source = "scim"
[[idp.clients]]
id = "tipgate-cli"
public = true
redirect_uris = ["http://127.0.0.1/callback"]
grants = ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "password"]
[[idp.clients]]
id = %[5]s
secret = %[6]s
redirect_uris = [%[7]s]
post_logout_redirect_uris = [%[8]s]
grants = ["authorization_code"]
%[12]s[web]
enabled = true
issuer = %[9]s
client_id = %[5]s
client_secret_file = %[10]s
scopes = ["openid", "email", "profile", "groups"]
%[4]s`, strconv.Quote(listen), strconv.Quote(abs), strconv.Quote(root), names.config(), strconv.Quote(demoDashboardClient), strconv.Quote(secret),
		strconv.Quote(u+"/auth/callback"), strconv.Quote(u+"/signed-out"), strconv.Quote(names.IDPIssuer), strconv.Quote(secretFile),
		tlsLines, streamlitClientConfig(names.StreamlitSecret))+storeConfig(more),
		"[warehouse]\n", "[warehouse]\n"+demoWarehouseConfig(wh), 1)))
	if err != nil {
		ln.Close()
		oktaLn.Close()
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log, IDPUsers: users, Listener: ln, OktaListener: oktaLn})
	if err != nil {
		ln.Close() // server.New closed oktaLn
		return err
	}
	defer srv.Close()
	u = srv.URL
	fmt.Fprintf(stdout, "\ntipgate is serving at %s (Ctrl-C stops it)\n", u)
	fmt.Fprintf(stdout, "  dashboard: %s/app/   (sign in as any demo user below)\n", u)
	fmt.Fprintf(stdout, "  embedded IdP (OpenID Connect): %s/idp   client id: tipgate-cli\n", u)
	fmt.Fprintf(stdout, "  the same IdP at Okta's paths (OKTA_DOMAIN=%s): %s/oauth2/v1/authorize, …   client id: %s (secret in demo.env)\n",
		names.OktaDomain, srv.OktaURL, demoStreamlitClient)
	fmt.Fprintf(stdout, "  demo users (password %q):\n", password)
	for _, d := range demo.Users() {
		fmt.Fprintf(stdout, "    %-20s %-18v sees %s\n", d.Email, d.Groups, d.Sees)
	}
	fmt.Fprintf(stdout, `
Sign in as ming and query through the Data API (REST binding):
  ID=$(curl -s %[1]s/idp/oauth/token -d grant_type=password -d client_id=tipgate-cli \
        -d username=ming@example.com -d password='%[2]s' -d scope='openid email profile groups' | jq -r .id_token)
  TOKEN=$(curl -s %[1]s/oauth2/token -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \
        -d subject_token_type=urn:ietf:params:oauth:token-type:id_token -d subject_token="$ID" | jq -r .access_token)
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/v1/statements \
        -d '{"Sql":"SELECT city, count(*) FROM sales_data GROUP BY 1 ORDER BY 2 DESC LIMIT 5","WaitTimeSeconds":10}'
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/v1/statements/<Id>/result
The API contract: %[1]s/v1/openapi.json

Or sign in from the command line (device flow) and query:
  ./bin/tipgate login --server %[1]s
  ./bin/tipgate sql --remote %[1]s -c 'SELECT city, count(*) FROM sales_data GROUP BY 1 ORDER BY 2 DESC LIMIT 5'
`, u, password)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx) }()
	select {
	case <-srv.Ready():
	case err := <-errc:
		return err
	}
	// The reference lifecycle: the demo's IdP provisions its users and
	// groups over SCIM (its groups_source is "scim"), with a provisioning
	// token made anew on every start and kept in the data directory.
	names.SCIMTokenFile = filepath.Join(abs, DemoSCIMTokenFile)
	// Pushed to this server itself (u may be a load balancer not up yet).
	if err := provisionDemo(ctx, abs, shared, scheme+"://"+ln.Addr().String(), names.SCIMTokenFile, names.CAFile, users); err != nil {
		return fmt.Errorf("demo: provisioning the demo users over SCIM: %w", err)
	}
	if more.TLS {
		printTLS(stdout, tlsFiles.CACert)
	}
	// Only now: a client that sources demo.env finds a server answering.
	envFile := filepath.Join(abs, DemoEnvFile)
	if err := writeFileAtomic(envFile, []byte(names.env(password))); err != nil {
		fmt.Fprintf(stderr, "demo: could not write %s: %v\n", envFile, err)
	} else {
		fmt.Fprintf(stdout, `
Trusted identity propagation with unmodified AWS SDK code (STS, SSO-OIDC, Redshift Data API):
  . %[1]s
  (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_REDSHIFT_DATA point the SDKs at tipgate)
  bridge role  %[2]s   (web identity: %[4]s, audience %[5]s)
  client role  %[3]s   (AssumeRole + SetContext from the bridge role)
  application  %[6]s   (RedshiftStreamlitDemo)
  workgroup %[7]s, database %[8]s, namespace %[9]s
The Streamlit example (an app written for Okta): examples/streamlit/README.md
`, envFile, names.BridgeRole, names.ClientRole, names.IDPIssuer, names.ClientID, names.AppARN, names.Workgroup, names.Database, names.Namespace)
	}
	return <-errc
}

// DemoSCIMTokenFile is the demo IdP's provisioning token, in the data
// directory (mode 0600).
const DemoSCIMTokenFile = "scim-token"

// provisionDemo makes (or rotates) the demo IdP's provisioning client and
// pushes the demo users and groups to the running server over SCIM.
// caFile, when set, is the local CA of demo --tls, which the push trusts.
// With replicas (shared set) the client and the directory are the
// shared store's.
func provisionDemo(ctx context.Context, dataDir string, shared *pgstore.Store, base, tokenFile, caFile string, users []idp.User) error {
	var store *scim.FileStore
	var sharedAudit audit.Backend
	var err error
	if shared != nil {
		store, err = scim.OpenDocumentStore(ctx, scim.SharedDocument(shared.Documents(), "scim"))
		sharedAudit = shared.Audit()
	} else {
		store, err = scim.OpenFileStore(filepath.Join(dataDir, "scim"))
	}
	if err != nil {
		return err
	}
	tok, err := scim.IssueClientToken(ctx, store, "demo-idp", time.Now())
	if err != nil {
		return err
	}
	if err := auditClientChange(ctx, dataDir, sharedAudit, "rotate", "demo-idp"); err != nil {
		return err
	}
	if err := writeFileAtomic(tokenFile, []byte(tok+"\n")); err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s holds no certificate", caFile)
		}
		client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	}
	return idp.PushSCIM(ctx, client, base+scim.Path, tok, users)
}

// storeConfig is the [store] section of a replica.
func storeConfig(more demoServeOptions) string {
	if more.StoreDSN == "" {
		return ""
	}
	return fmt.Sprintf("\n[store]\ndsn = %s\nreplica_id = %s\n", strconv.Quote(more.StoreDSN), strconv.Quote(more.ReplicaID))
}

// sharedDemoSecrets are the dashboard's and the Streamlit example's client
// secrets of replicas: made once in the shared store, written where the
// configuration reads the dashboard's.
func sharedDemoSecrets(ctx context.Context, st *pgstore.Store, secretFile, dataDir string) (dashboard, streamlit string, err error) {
	gen := func() ([]byte, error) {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		return []byte(base64.RawURLEncoding.EncodeToString(b[:])), nil
	}
	d, err := store.KeyMaterial(ctx, st.Keys(), "demo-dashboard-client-secret", gen)
	if err != nil {
		return "", "", err
	}
	sl, err := store.KeyMaterial(ctx, st.Keys(), "demo-streamlit-client-secret", gen)
	if err != nil {
		return "", "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", "", err
	}
	if err := writeFileAtomic(secretFile, append(d, '\n')); err != nil {
		return "", "", err
	}
	return string(d), string(sl), nil
}

// newDashboardSecret makes the dashboard's client secret and writes it,
// owner-readable only, where [web].client_secret_file reads it.
func newDashboardSecret(path string) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, []byte(secret+"\n")); err != nil {
		return "", fmt.Errorf("demo: dashboard client secret: %w", err)
	}
	return secret, nil
}

// DemoEnvFile is the file in the data directory with the demo's endpoints
// and names as shell export lines.
const DemoEnvFile = "demo.env"

// The reference setup's names, which the demo configures.
const (
	demoAccount    = "000000000000"
	demoBridgeRole = "arn:aws:iam::000000000000:role/IDCBridgeRole"
	demoClientRole = "arn:aws:iam::000000000000:role/RedshiftDataAPIClientRole"
	demoAppName    = "RedshiftStreamlitDemo"
	demoAppARN     = "arn:aws:sso::000000000000:application/ssoins-tipgatedemo0001/apl-tipgatedemo0001"
	demoWorkgroup  = "redshift-tip-enabled"
	demoDatabase   = "dev"
	demoRegion     = "us-east-1"
	demoClientID   = "tipgate-cli"
	// demoDashboardClient is the dashboard's client at the embedded IdP.
	demoDashboardClient = "tipgate-dashboard"
)

// demoSetup is everything the demo configures for trusted identity
// propagation and tells clients in demo.env.
type demoSetup struct {
	URL, IDPIssuer, ClientID               string
	OktaDomain, OktaIssuer                 string // the IdP's Okta face: host:port and its URL
	StreamlitSecret                        string // the Streamlit client's secret
	CAFile                                 string // the local CA with --tls
	SCIMTokenFile                          string
	Account, BridgeRole, ClientRole        string
	AppName, AppARN                        string
	Workgroup, Database, Namespace, Region string
}

func demoNames(url string) demoSetup {
	return demoSetup{URL: url, IDPIssuer: url + server.IDPPath, ClientID: demoClientID, Account: demoAccount,
		BridgeRole: demoBridgeRole, ClientRole: demoClientRole, AppName: demoAppName, AppARN: demoAppARN,
		Workgroup: demoWorkgroup, Database: demoDatabase, Namespace: identity.DefaultNamespace, Region: demoRegion}
}

// config is the [awsapi] part of the demo's configuration: the reference
// setup against the embedded IdP.
func (d demoSetup) config() string {
	q := strconv.Quote
	return fmt.Sprintf(`
[awsapi]
account_id = %[1]s
workgroup = %[2]s
database = %[3]s

[[awsapi.applications]]
arn = %[4]s
name = %[5]s
issuer = %[6]s
audiences = [%[7]s, %[10]s]
user_claim = "email"
authorized_callers = [%[8]s]

[[awsapi.roles]]
arn = %[8]s
[[awsapi.roles.trust.web_identity]]
issuer = %[6]s
audiences = [%[7]s, %[10]s]

[[awsapi.roles]]
arn = %[9]s
[awsapi.roles.trust]
assume_role = [%[8]s]
set_context = [%[8]s]
context_applications = [%[4]s]
`, q(d.Account), q(d.Workgroup), q(d.Database), q(d.AppARN), q(d.AppName), q(d.IDPIssuer), q(d.ClientID), q(d.BridgeRole), q(d.ClientRole), q(demoStreamlitClient))
}

// env is demo.env: shell export lines a client sources.
func (d demoSetup) env(password string) string {
	var b strings.Builder
	b.WriteString("# tipgate demo: source this file (. ./demo.env) to point unmodified AWS SDK code at tipgate.\n")
	b.WriteString("# Written by `tipgate demo` once the server was ready; it is rewritten on every start.\n")
	line := func(k, v string) { fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v)) }
	line("AWS_REGION", d.Region)
	// boto3 (botocore) reads the region only from AWS_DEFAULT_REGION.
	line("AWS_DEFAULT_REGION", d.Region)
	b.WriteString("# The SDKs' standard per-service endpoint settings: every service is the same tipgate server.\n")
	line("AWS_ENDPOINT_URL_STS", d.URL)
	line("AWS_ENDPOINT_URL_SSO_OIDC", d.URL)
	line("AWS_ENDPOINT_URL_REDSHIFT_DATA", d.URL)
	b.WriteString("# The reference setup's names.\n")
	line("TIPGATE_URL", d.URL)
	line("TIPGATE_ACCOUNT_ID", d.Account)
	line("TIPGATE_APP_ARN", d.AppARN)
	line("TIPGATE_APP_NAME", d.AppName)
	line("TIPGATE_BRIDGE_ROLE_ARN", d.BridgeRole)
	line("TIPGATE_CLIENT_ROLE_ARN", d.ClientRole)
	line("TIPGATE_WORKGROUP", d.Workgroup)
	line("TIPGATE_DATABASE", d.Database)
	line("TIPGATE_NAMESPACE", d.Namespace)
	b.WriteString("# The external IdP (tipgate's embedded development IdP) and its client.\n")
	line("TIPGATE_IDP_ISSUER", d.IDPIssuer)
	line("TIPGATE_IDP_TOKEN_ENDPOINT", d.IDPIssuer+"/oauth/token")
	line("TIPGATE_IDP_CLIENT_ID", d.ClientID)
	b.WriteString("# Empty on purpose: " + d.ClientID + " is a public client (PKCE, device code and password grants), it has no secret.\n")
	line("TIPGATE_IDP_CLIENT_SECRET", "")
	b.WriteString("# SCIM 2.0: the demo IdP provisions users and groups here; any SCIM client can use the token in the file.\n")
	line("TIPGATE_SCIM_URL", d.URL+scim.Path)
	line("TIPGATE_SCIM_TOKEN_FILE", d.SCIMTokenFile)
	b.WriteString("# The demo users' password (development only: the file is readable by its owner only).\n")
	line("TIPGATE_DEMO_PASSWORD", password)
	if d.OktaDomain != "" {
		b.WriteString("# The same IdP at the paths of Okta's org authorization server, for apps written for Okta\n")
		b.WriteString("# (https://$TIPGATE_OKTA_DOMAIN/oauth2/v1/authorize, …; discovery at the issuer root).\n")
		line("TIPGATE_OKTA_DOMAIN", d.OktaDomain)
		line("TIPGATE_OKTA_ISSUER", d.OktaIssuer)
		b.WriteString("# The Streamlit example's confidential client (redirect and sign-out URI " + demoStreamlitURL + ").\n")
		line("TIPGATE_STREAMLIT_CLIENT_ID", demoStreamlitClient)
		line("TIPGATE_STREAMLIT_CLIENT_SECRET", d.StreamlitSecret)
		line("TIPGATE_STREAMLIT_REDIRECT_URI", demoStreamlitURL)
	}
	if d.CAFile != "" {
		b.WriteString("# HTTPS with tipgate's local CA (demo --tls): how Python (requests, boto3, httpx), Node and curl trust it.\n")
		b.WriteString("# SSL_CERT_FILE replaces the system roots for OpenSSL and Go in this shell: local work only.\n")
		for _, k := range []string{"SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "CURL_CA_BUNDLE"} {
			line(k, d.CAFile)
		}
	}
	return b.String()
}

// shellQuote quotes v for POSIX shells.
func shellQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// writeFileAtomic writes path (mode 0600) so that readers see either no
// file or the whole of it.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// demoWarehouseConfig is the [warehouse] section's engine lines, when it
// is not the embedded one.
func demoWarehouseConfig(wh engines.Config) string {
	if wh.Kind == "" || wh.Kind == "duckdb" {
		return ""
	}
	return "engine = " + strconv.Quote(wh.Kind) + "\ndsn = " + strconv.Quote(wh.DSN) + "\n"
}
