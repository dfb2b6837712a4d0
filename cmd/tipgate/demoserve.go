package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/idp"
	"github.com/tipgate/tipgate/internal/server"
)

// demoServe runs the server with the embedded IdP and the four demo users
// until ctx ends.
func demoServe(ctx context.Context, dataDir, s3root, listen, password string, stdout, stderr io.Writer) error {
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
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
[server]
listen = %s
data_dir = %s
[warehouse]
s3_root = %s
[idp]
enabled = true
users_file = "(demo users)"
enable_password_grant = true
[[idp.clients]]
id = "tipgate-cli"
public = true
redirect_uris = ["http://127.0.0.1/callback"]
grants = ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "password"]
`, strconv.Quote(listen), strconv.Quote(abs), strconv.Quote(root))))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log, IDPUsers: users})
	if err != nil {
		return err
	}
	defer srv.Close()
	u := srv.URL
	fmt.Fprintf(stdout, "\ntipgate is serving at %s (Ctrl-C stops it)\n", u)
	fmt.Fprintf(stdout, "  embedded IdP (OpenID Connect): %s/idp   client id: tipgate-cli\n", u)
	fmt.Fprintf(stdout, "  demo users (password %q):\n", password)
	for _, d := range demo.Users() {
		fmt.Fprintf(stdout, "    %-20s %-12v sees %s\n", d.Email, d.Groups, d.Sees)
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
  ./bin/tipgate login --server %[1]s --issuer %[1]s/idp --client-id tipgate-cli
  ./bin/tipgate sql --remote %[1]s -c 'SELECT city, count(*) FROM sales_data GROUP BY 1 ORDER BY 2 DESC LIMIT 5'
`, u, password)
	return srv.Serve(ctx)
}
