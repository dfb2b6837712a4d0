package config

import (
	"fmt"
	"net"
	"regexp"
	"time"
)

// Server is the [server] section.
type Server struct {
	// Listen is the address the HTTP server binds (default 127.0.0.1:8080).
	Listen string
	// PublicURL is how clients reach the server; it is tipgate's issuer
	// unless [sessions].issuer says otherwise. Default http://<listen>.
	PublicURL string
	// DataDir holds the warehouse, keys, revocations, results and audit.
	DataDir string
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert, TLSKey string
	// ShutdownGrace is how long running statements may finish on shutdown.
	ShutdownGrace time.Duration
}

// Warehouse is the [warehouse] section.
type Warehouse struct {
	Engine  string // "duckdb"
	S3Root  string
	Threads int
}

// DataAPI is the [dataapi] section.
type DataAPI struct {
	ResultCapBytes      int64
	PageRows            int
	StatementTimeout    time.Duration
	MaxActiveStatements int
}

// AccessKey is one [[awsapi.access_keys]] entry: SigV4 credentials of a
// service principal.
type AccessKey struct {
	AccessKeyID     string
	SecretAccessKey string
	// User is the database user the key acts as; Groups its IdP-style groups.
	User      string
	Namespace string
	Groups    []string
}

// AWSAPI is the [awsapi] section.
type AWSAPI struct {
	AccessKeys []AccessKey
}

// IDPClient is one [[idp.clients]] entry.
type IDPClient struct {
	ID, Secret             string
	Public                 bool
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Grants                 []string
}

// IDP is the [idp] section: the embedded development OpenID Provider.
type IDP struct {
	Enabled             bool
	UsersFile           string
	EnablePasswordGrant bool
	Clients             []IDPClient
}

type rawServer struct {
	Listen        any `toml:"listen"`
	PublicURL     any `toml:"public_url"`
	DataDir       any `toml:"data_dir"`
	TLSCert       any `toml:"tls_cert"`
	TLSKey        any `toml:"tls_key"`
	ShutdownGrace any `toml:"shutdown_grace"`
}

type rawWarehouse struct {
	Engine  any `toml:"engine"`
	S3Root  any `toml:"s3_root"`
	Threads any `toml:"threads"`
}

type rawDataAPI struct {
	ResultCapBytes      any `toml:"result_cap_bytes"`
	PageRows            any `toml:"page_rows"`
	StatementTimeout    any `toml:"statement_timeout"`
	MaxActiveStatements any `toml:"max_active_statements"`
}

type rawAccessKey struct {
	AccessKeyID     any `toml:"access_key_id"`
	SecretAccessKey any `toml:"secret_access_key"`
	User            any `toml:"user"`
	Namespace       any `toml:"namespace"`
	Groups          any `toml:"groups"`
}

type rawAWSAPI struct {
	AccessKeys []rawAccessKey `toml:"access_keys"`
}

type rawIDPClient struct {
	ID                     any `toml:"id"`
	Secret                 any `toml:"secret"`
	Public                 any `toml:"public"`
	RedirectURIs           any `toml:"redirect_uris"`
	PostLogoutRedirectURIs any `toml:"post_logout_redirect_uris"`
	Grants                 any `toml:"grants"`
}

type rawIDP struct {
	Enabled             any            `toml:"enabled"`
	UsersFile           any            `toml:"users_file"`
	EnablePasswordGrant any            `toml:"enable_password_grant"`
	Clients             []rawIDPClient `toml:"clients"`
}

func integer(p *problems, key string, v any, def, min, max int64) int64 {
	if v == nil {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		p.add(key, "must be an integer, not %s", tomlType(v))
		return def
	}
	if n < min || n > max {
		p.add(key, "must be between %d and %d", min, max)
		return def
	}
	return n
}

func (r rawServer) validate(p *problems, key string) Server {
	s := Server{
		Listen:  str(p, key+".listen", r.Listen, "127.0.0.1:8080"),
		DataDir: str(p, key+".data_dir", r.DataDir, "./tipgate-data"),
		TLSCert: str(p, key+".tls_cert", r.TLSCert, ""),
		TLSKey:  str(p, key+".tls_key", r.TLSKey, ""),
	}
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		p.add(key+".listen", "must be host:port, e.g. 127.0.0.1:8080")
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		p.add(key+".tls_cert", "tls_cert and tls_key go together")
	}
	scheme := "http"
	if s.TLSCert != "" {
		scheme = "https"
	}
	s.PublicURL = str(p, key+".public_url", r.PublicURL, scheme+"://"+s.Listen)
	if _, ok := r.PublicURL.(string); ok {
		issuerURL(p, key+".public_url", s.PublicURL)
	}
	s.ShutdownGrace, _ = duration(p, key+".shutdown_grace", r.ShutdownGrace, 30*time.Second)
	return s
}

func (r rawWarehouse) validate(p *problems, key string) Warehouse {
	w := Warehouse{
		Engine:  str(p, key+".engine", r.Engine, "duckdb"),
		S3Root:  str(p, key+".s3_root", r.S3Root, ""),
		Threads: int(integer(p, key+".threads", r.Threads, 0, 0, 1024)),
	}
	if w.Engine != "duckdb" {
		p.add(key+".engine", "must be \"duckdb\" (the engines this build has)")
	}
	return w
}

func (r rawDataAPI) validate(p *problems, key string) DataAPI {
	d := DataAPI{
		ResultCapBytes:      integer(p, key+".result_cap_bytes", r.ResultCapBytes, 100<<20, 1, 1<<40),
		PageRows:            int(integer(p, key+".page_rows", r.PageRows, 1000, 1, 1_000_000)),
		MaxActiveStatements: int(integer(p, key+".max_active_statements", r.MaxActiveStatements, 200, 1, 100_000)),
	}
	d.StatementTimeout, _ = duration(p, key+".statement_timeout", r.StatementTimeout, 24*time.Hour)
	return d
}

var reAccessKeyID = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)

func (r rawAWSAPI) validate(p *problems, key string) AWSAPI {
	var out AWSAPI
	seen := map[string]bool{}
	for i, rk := range r.AccessKeys {
		k := fmt.Sprintf("%s.access_keys[%d]", key, i)
		ak := AccessKey{
			AccessKeyID:     str(p, k+".access_key_id", rk.AccessKeyID, ""),
			SecretAccessKey: str(p, k+".secret_access_key", rk.SecretAccessKey, ""),
			User:            str(p, k+".user", rk.User, ""),
			Namespace:       str(p, k+".namespace", rk.Namespace, "IAM"),
			Groups:          strList(p, k+".groups", rk.Groups),
		}
		switch {
		case !reAccessKeyID.MatchString(ak.AccessKeyID):
			p.add(k+".access_key_id", "must be 16 to 128 upper-case letters and digits")
		case seen[ak.AccessKeyID]:
			p.add(k+".access_key_id", "is listed twice")
		}
		seen[ak.AccessKeyID] = true
		if len(ak.SecretAccessKey) < 20 {
			// The value itself is never echoed.
			p.add(k+".secret_access_key", "must be at least 20 characters")
		}
		if ak.User == "" {
			p.add(k+".user", "is required")
		}
		out.AccessKeys = append(out.AccessKeys, ak)
	}
	return out
}

func (r rawIDP) validate(p *problems, key string) IDP {
	d := IDP{
		Enabled:             boolean(p, key+".enabled", r.Enabled, false),
		UsersFile:           str(p, key+".users_file", r.UsersFile, ""),
		EnablePasswordGrant: boolean(p, key+".enable_password_grant", r.EnablePasswordGrant, false),
	}
	if d.Enabled && d.UsersFile == "" {
		p.add(key+".users_file", "is required when the embedded IdP is enabled")
	}
	for i, rc := range r.Clients {
		k := fmt.Sprintf("%s.clients[%d]", key, i)
		c := IDPClient{
			ID:                     str(p, k+".id", rc.ID, ""),
			Secret:                 str(p, k+".secret", rc.Secret, ""),
			Public:                 boolean(p, k+".public", rc.Public, false),
			RedirectURIs:           strList(p, k+".redirect_uris", rc.RedirectURIs),
			PostLogoutRedirectURIs: strList(p, k+".post_logout_redirect_uris", rc.PostLogoutRedirectURIs),
			Grants:                 strList(p, k+".grants", rc.Grants),
		}
		if c.ID == "" {
			p.add(k+".id", "is required")
		}
		if c.Public == (c.Secret != "") {
			p.add(k+".secret", "a public client has no secret; a confidential one needs one")
		}
		d.Clients = append(d.Clients, c)
	}
	return d
}
