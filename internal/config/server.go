package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
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
	Engine string // "duckdb", "postgres" or "trino"
	// DSN is the PostgreSQL engine's database (postgres://…) or the Trino
	// engine's cluster (https://…/catalog/schema?rules_path=…&store=…,
	// docs/trino.md). It may hold a password: never log it.
	DSN     string
	S3Root  string
	Threads int
}

// DataAPI is the [dataapi] section: result limits and the limits on each
// principal's statements and sessions.
type DataAPI struct {
	ResultCapBytes int64
	PageRows       int
	// StatementTimeout ends a statement (default 5m, at most 24h).
	StatementTimeout time.Duration
	// MaxActiveStatements bounds a principal's statements running at once.
	MaxActiveStatements int
	// MaxRunningTime is a principal's running-time budget: no new statement
	// while its running statements have together run this long (default
	// three times StatementTimeout).
	MaxRunningTime time.Duration
	// MaxSessionsPerPrincipal bounds one principal's open sessions (default
	// 50; all principals together have the Data API's 500).
	MaxSessionsPerPrincipal int
}

// Defaults and bounds of the [dataapi] limits.
const (
	DefaultStatementTimeout        = 5 * time.Minute
	MaxStatementTimeout            = 24 * time.Hour
	DefaultMaxSessionsPerPrincipal = 50
	maxSessionsTotal               = 500
)

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

// AWSAPI is the [awsapi] section: the AWS wire bindings (Data API, STS,
// SSO-OIDC) and the IAM / IAM Identity Center objects they serve.
type AWSAPI struct {
	// AccountID is the 12-digit account every role and application belongs
	// to (default "000000000000").
	AccountID string
	// Workgroup and Database are the names clients pass to the Data API
	// (defaults "redshift-tip-enabled" and "dev").
	Workgroup  string
	Database   string
	AccessKeys []AccessKey
	// Roles are the IAM roles STS issues sessions for.
	Roles []Role
	// Applications are the customer-managed IAM Identity Center
	// applications SSO-OIDC's CreateTokenWithIAM serves.
	Applications []Application
}

// Role is one [[awsapi.roles]] entry.
type Role struct {
	ARN string
	// MaxSessionDuration bounds DurationSeconds (default 1h, at most 12h).
	MaxSessionDuration time.Duration
	Trust              RoleTrust
}

// RoleTrust is [awsapi.roles.trust]: the role's trust policy. Whatever it
// does not list is denied.
type RoleTrust struct {
	// WebIdentity: issuers (with audiences) whose ID tokens may
	// sts:AssumeRoleWithWebIdentity the role.
	WebIdentity []WebIdentityTrust
	// AssumeRole: principal ARNs (roles, or arn:aws:iam::ACCOUNT:user/NAME
	// for static keys) allowed sts:AssumeRole.
	AssumeRole []string
	// SetContext: principal ARNs also allowed sts:SetContext (identity-
	// enhanced sessions); each must be in AssumeRole too.
	SetContext []string
	// ContextApplications: application ARNs whose context assertions the
	// role accepts.
	ContextApplications []string
}

// WebIdentityTrust is one [[awsapi.roles.trust.web_identity]] entry.
type WebIdentityTrust struct {
	Issuer    string
	Audiences []string
}

// Application is one [[awsapi.applications]] entry: a customer-managed
// IAM Identity Center application with a trusted token issuer.
type Application struct {
	ARN  string
	Name string
	// Issuer and Audiences: the trusted token issuer and the aud values
	// accepted from it.
	Issuer    string
	Audiences []string
	// UserClaim is the attribute mapping: the claim naming the user
	// (default "email").
	UserClaim string
	// Scopes granted when a request names none (empty: the service's
	// defaults).
	Scopes []string
	// AuthorizedCallers: role or user ARNs allowed CreateTokenWithIAM.
	AuthorizedCallers []string
	// TokenLifetime (default 1h) and RefreshLifetime (default 8h).
	TokenLifetime   time.Duration
	RefreshLifetime time.Duration
	// Assignment is "none" (every user of the issuer) or "required": only
	// AssignedUsers (user names, case-insensitive) and members of
	// AssignedGroups get tokens, as with IAM Identity Center's "user and
	// group assignment required".
	Assignment     string
	AssignedUsers  []string
	AssignedGroups []string
}

// Defaults of the [awsapi] section: the reference setup's names.
const (
	DefaultAccountID = "000000000000"
	DefaultWorkgroup = "redshift-tip-enabled"
	DefaultDatabase  = "dev"
)

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
	// GroupsSource is the embedded IdP's groups_source as a trusted
	// issuer ("token", "scim" or "both"; see Issuer).
	GroupsSource string
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
	DSN     any `toml:"dsn"`
	S3Root  any `toml:"s3_root"`
	Threads any `toml:"threads"`
}

type rawDataAPI struct {
	ResultCapBytes          any `toml:"result_cap_bytes"`
	PageRows                any `toml:"page_rows"`
	StatementTimeout        any `toml:"statement_timeout"`
	MaxActiveStatements     any `toml:"max_active_statements"`
	MaxRunningTime          any `toml:"max_running_time"`
	MaxSessionsPerPrincipal any `toml:"max_sessions_per_principal"`
}

type rawAccessKey struct {
	AccessKeyID     any `toml:"access_key_id"`
	SecretAccessKey any `toml:"secret_access_key"`
	User            any `toml:"user"`
	Namespace       any `toml:"namespace"`
	Groups          any `toml:"groups"`
}

type rawAWSAPI struct {
	AccountID    any              `toml:"account_id"`
	Workgroup    any              `toml:"workgroup"`
	Database     any              `toml:"database"`
	AccessKeys   []rawAccessKey   `toml:"access_keys"`
	Roles        []rawRole        `toml:"roles"`
	Applications []rawApplication `toml:"applications"`
}

type rawRole struct {
	ARN                any      `toml:"arn"`
	MaxSessionDuration any      `toml:"max_session_duration"`
	Trust              rawTrust `toml:"trust"`
}

type rawTrust struct {
	WebIdentity         []rawWebIdentity `toml:"web_identity"`
	AssumeRole          any              `toml:"assume_role"`
	SetContext          any              `toml:"set_context"`
	ContextApplications any              `toml:"context_applications"`
}

type rawWebIdentity struct {
	Issuer    any `toml:"issuer"`
	Audiences any `toml:"audiences"`
}

type rawApplication struct {
	ARN               any `toml:"arn"`
	Name              any `toml:"name"`
	Issuer            any `toml:"issuer"`
	Audiences         any `toml:"audiences"`
	UserClaim         any `toml:"user_claim"`
	Scopes            any `toml:"scopes"`
	AuthorizedCallers any `toml:"authorized_callers"`
	TokenLifetime     any `toml:"token_lifetime"`
	RefreshLifetime   any `toml:"refresh_lifetime"`
	Assignment        any `toml:"assignment"`
	AssignedUsers     any `toml:"assigned_users"`
	AssignedGroups    any `toml:"assigned_groups"`
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
	GroupsSource        any            `toml:"groups_source"`
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
		DSN:     str(p, key+".dsn", r.DSN, ""),
		S3Root:  str(p, key+".s3_root", r.S3Root, ""),
		Threads: int(integer(p, key+".threads", r.Threads, 0, 0, 1024)),
	}
	switch w.Engine {
	case "duckdb":
		if w.DSN != "" {
			p.add(key+".dsn", "is for engine = \"postgres\"; the embedded duckdb engine keeps its data in the data directory")
		}
	case "postgres":
		if w.DSN == "" {
			p.add(key+".dsn", "is required with engine = \"postgres\" (postgres://user@host:5432/database)")
		}
	case "trino":
		if !strings.HasPrefix(w.DSN, "https://") {
			p.add(key+".dsn", "is required with engine = \"trino\" (https://user:password@host:8443/catalog/schema?rules_path=FILE&store=postgres://…)")
		}
	default:
		p.add(key+".engine", "must be \"duckdb\", \"postgres\" or \"trino\" (the engines this build has)")
	}
	return w
}

func (r rawDataAPI) validate(p *problems, key string) DataAPI {
	d := DataAPI{
		ResultCapBytes:      integer(p, key+".result_cap_bytes", r.ResultCapBytes, 100<<20, 1, 1<<40),
		PageRows:            int(integer(p, key+".page_rows", r.PageRows, 10000, 1, 1_000_000)),
		MaxActiveStatements: int(integer(p, key+".max_active_statements", r.MaxActiveStatements, 200, 1, 100_000)),
		MaxSessionsPerPrincipal: int(integer(p, key+".max_sessions_per_principal", r.MaxSessionsPerPrincipal,
			DefaultMaxSessionsPerPrincipal, 1, maxSessionsTotal)),
	}
	d.StatementTimeout, _ = duration(p, key+".statement_timeout", r.StatementTimeout, DefaultStatementTimeout)
	if d.StatementTimeout < time.Second || d.StatementTimeout > MaxStatementTimeout {
		p.add(key+".statement_timeout", "must be between 1s and 24h")
		d.StatementTimeout = DefaultStatementTimeout
	}
	d.MaxRunningTime, _ = duration(p, key+".max_running_time", r.MaxRunningTime, 3*d.StatementTimeout)
	if d.MaxRunningTime < time.Minute || d.MaxRunningTime > 240*time.Hour {
		p.add(key+".max_running_time", "must be between 1m and 240h")
	}
	return d
}

var reAccessKeyID = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)

var (
	reAccountID    = regexp.MustCompile(`^[0-9]{12}$`)
	reWorkgroup    = regexp.MustCompile(`^[a-z0-9-]{3,64}$`)
	reDatabase     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]{0,126}$`)
	reRoleARN      = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}$`)
	rePrincipalARN = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:(role|user)/[\w+=,.@/-]{1,512}$`)
	reAppARN       = regexp.MustCompile(`^arn:aws:sso::([0-9]{12}):application/[a-zA-Z0-9-]+/apl-[a-zA-Z0-9]+$`)
)

func (r rawAWSAPI) validate(p *problems, key string) AWSAPI {
	out := AWSAPI{
		AccountID: str(p, key+".account_id", r.AccountID, DefaultAccountID),
		Workgroup: str(p, key+".workgroup", r.Workgroup, DefaultWorkgroup),
		Database:  str(p, key+".database", r.Database, DefaultDatabase),
	}
	if !reAccountID.MatchString(out.AccountID) {
		p.add(key+".account_id", "must be 12 digits")
	}
	if !reWorkgroup.MatchString(out.Workgroup) {
		p.add(key+".workgroup", "must be 3 to 64 lower-case letters, digits and hyphens")
	}
	if !reDatabase.MatchString(out.Database) {
		p.add(key+".database", "must be a database name (letters, digits, _ and $, not starting with a digit)")
	}
	out.AccessKeys = r.validateKeys(p, key)
	apps := map[string]bool{}
	for i, ra := range r.Applications {
		a := ra.validate(p, fmt.Sprintf("%s.applications[%d]", key, i), out.AccountID)
		if apps[a.ARN] && a.ARN != "" {
			p.add(fmt.Sprintf("%s.applications[%d].arn", key, i), "is listed twice")
		}
		apps[a.ARN] = true
		out.Applications = append(out.Applications, a)
	}
	roles := map[string]bool{}
	for i, rr := range r.Roles {
		ro := rr.validate(p, fmt.Sprintf("%s.roles[%d]", key, i), out.AccountID)
		if roles[ro.ARN] && ro.ARN != "" {
			p.add(fmt.Sprintf("%s.roles[%d].arn", key, i), "is listed twice")
		}
		roles[ro.ARN] = true
		out.Roles = append(out.Roles, ro)
	}
	return out
}

func (r rawRole) validate(p *problems, key, account string) Role {
	ro := Role{ARN: str(p, key+".arn", r.ARN, "")}
	ro.MaxSessionDuration, _ = duration(p, key+".max_session_duration", r.MaxSessionDuration, time.Hour)
	if ro.MaxSessionDuration < time.Hour || ro.MaxSessionDuration > 12*time.Hour {
		p.add(key+".max_session_duration", "must be between 1h and 12h")
	}
	if m := reRoleARN.FindStringSubmatch(ro.ARN); m == nil {
		p.add(key+".arn", "must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
	} else if m[1] != account && reAccountID.MatchString(account) {
		p.add(key+".arn", "is not in account %s (awsapi.account_id)", account)
	}
	tk := key + ".trust"
	t := &ro.Trust
	for j, rw := range r.Trust.WebIdentity {
		k := fmt.Sprintf("%s.web_identity[%d]", tk, j)
		w := WebIdentityTrust{Issuer: str(p, k+".issuer", rw.Issuer, ""), Audiences: strList(p, k+".audiences", rw.Audiences)}
		if rw.Issuer == nil {
			p.add(k+".issuer", "is required")
		} else if _, ok := rw.Issuer.(string); ok {
			issuerURL(p, k+".issuer", w.Issuer)
		}
		audiences(p, k+".audiences", rw.Audiences, w.Audiences)
		t.WebIdentity = append(t.WebIdentity, w)
	}
	t.AssumeRole = principalARNs(p, tk+".assume_role", r.Trust.AssumeRole)
	t.SetContext = principalARNs(p, tk+".set_context", r.Trust.SetContext)
	t.ContextApplications = strList(p, tk+".context_applications", r.Trust.ContextApplications)
	for i, a := range t.ContextApplications {
		if !reAppARN.MatchString(a) {
			p.add(fmt.Sprintf("%s.context_applications[%d]", tk, i), "must be an application ARN (arn:aws:sso::ACCOUNT:application/ssoins-ID/apl-ID)")
		}
	}
	for i, sc := range t.SetContext {
		if !slices.Contains(t.AssumeRole, sc) {
			p.add(fmt.Sprintf("%s.set_context[%d]", tk, i), "may set context but not assume the role: add it to assume_role")
		}
	}
	if len(t.SetContext) > 0 && len(t.ContextApplications) == 0 {
		p.add(tk+".context_applications", "is required with set_context (whose context assertions the role accepts)")
	}
	return ro
}

func (r rawApplication) validate(p *problems, key, account string) Application {
	a := Application{
		ARN:               str(p, key+".arn", r.ARN, ""),
		Name:              str(p, key+".name", r.Name, ""),
		Issuer:            str(p, key+".issuer", r.Issuer, ""),
		Audiences:         strList(p, key+".audiences", r.Audiences),
		UserClaim:         str(p, key+".user_claim", r.UserClaim, DefaultUserClaim),
		Scopes:            strList(p, key+".scopes", r.Scopes),
		AuthorizedCallers: principalARNs(p, key+".authorized_callers", r.AuthorizedCallers),
	}
	a.TokenLifetime, _ = duration(p, key+".token_lifetime", r.TokenLifetime, time.Hour)
	a.RefreshLifetime, _ = duration(p, key+".refresh_lifetime", r.RefreshLifetime, 8*time.Hour)
	a.Assignment, a.AssignedUsers, a.AssignedGroups = assignment(p, key, r.Assignment, r.AssignedUsers, r.AssignedGroups)
	if m := reAppARN.FindStringSubmatch(a.ARN); m == nil {
		p.add(key+".arn", "must be an application ARN (arn:aws:sso::ACCOUNT:application/ssoins-ID/apl-ID)")
	} else if m[1] != account && reAccountID.MatchString(account) {
		p.add(key+".arn", "is not in account %s (awsapi.account_id)", account)
	}
	if r.Issuer == nil {
		p.add(key+".issuer", "is required (the trusted token issuer)")
	} else if _, ok := r.Issuer.(string); ok {
		issuerURL(p, key+".issuer", a.Issuer)
	}
	audiences(p, key+".audiences", r.Audiences, a.Audiences)
	if !claimRE.MatchString(a.UserClaim) {
		p.add(key+".user_claim", "must be a non-empty claim name without spaces")
	}
	if r.AuthorizedCallers == nil || isEmptyArray(r.AuthorizedCallers) {
		p.add(key+".authorized_callers", "must name at least one role or user ARN")
	}
	if a.TokenLifetime < 5*time.Minute || a.TokenLifetime > 12*time.Hour {
		p.add(key+".token_lifetime", "must be between 5m and 12h")
	}
	if a.RefreshLifetime < a.TokenLifetime || a.RefreshLifetime > 90*24*time.Hour {
		p.add(key+".refresh_lifetime", "must be between token_lifetime and 90 days")
	}
	return a
}

// audiences checks a required, non-empty list of distinct client ids.
func audiences(p *problems, key string, raw any, list []string) {
	switch {
	case raw == nil:
		p.add(key, "is required (the client ids tokens are issued to)")
	case isEmptyArray(raw):
		p.add(key, "must list at least one client id")
	}
	dup := map[string]bool{}
	for i, a := range list {
		if strings.TrimSpace(a) == "" {
			p.add(fmt.Sprintf("%s[%d]", key, i), "must not be empty")
		}
		if dup[a] {
			p.add(fmt.Sprintf("%s[%d]", key, i), "duplicate audience")
		}
		dup[a] = true
	}
}

// principalARNs reads a list of IAM role or user ARNs.
func principalARNs(p *problems, key string, v any) []string {
	list := strList(p, key, v)
	for i, a := range list {
		if !rePrincipalARN.MatchString(a) {
			p.add(fmt.Sprintf("%s[%d]", key, i), "must be an IAM role or user ARN (arn:aws:iam::ACCOUNT:role/NAME or :user/NAME)")
		}
	}
	return list
}

func (r rawAWSAPI) validateKeys(p *problems, key string) []AccessKey {
	var out []AccessKey
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
		out = append(out, ak)
	}
	return out
}

func (r rawIDP) validate(p *problems, key string) IDP {
	d := IDP{
		Enabled:             boolean(p, key+".enabled", r.Enabled, false),
		UsersFile:           str(p, key+".users_file", r.UsersFile, ""),
		EnablePasswordGrant: boolean(p, key+".enable_password_grant", r.EnablePasswordGrant, false),
		GroupsSource:        str(p, key+".groups_source", r.GroupsSource, GroupsFromToken),
	}
	switch d.GroupsSource {
	case GroupsFromToken, GroupsFromSCIM, GroupsFromBoth:
	default:
		p.add(key+".groups_source", "must be \"token\", \"scim\" or \"both\"")
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

// assignment reads assignment, assigned_users and assigned_groups.
func assignment(p *problems, key string, mode, users, groups any) (string, []string, []string) {
	m := str(p, key+".assignment", mode, "none")
	us := strList(p, key+".assigned_users", users)
	gs := strList(p, key+".assigned_groups", groups)
	switch m {
	case "none":
		if len(us)+len(gs) > 0 {
			p.add(key+".assignment", "is \"none\": assigned_users and assigned_groups have no effect unless it is \"required\"")
		}
	case "required":
		if len(us)+len(gs) == 0 {
			p.add(key+".assignment", "is \"required\" but assigns no one (assigned_users, assigned_groups)")
		}
	default:
		p.add(key+".assignment", "must be \"none\" or \"required\"")
	}
	return m, us, gs
}
