package identity

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/config"
)

// VerifierOptions tune a Verifier. Zero values take the defaults noted.
type VerifierOptions struct {
	// HTTPClient fetches discovery documents and key sets
	// (default: a client with a 10 s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives key refresh events; never token contents.
	Logger *slog.Logger
	// ClockSkew tolerated for exp, nbf and iat against an IdP's clock
	// (default 60 s).
	ClockSkew time.Duration
	// MinRefreshInterval is the least time between key fetches for one
	// issuer (default 30 s); ColdRefreshInterval applies while no keys are
	// cached (default 5 s).
	MinRefreshInterval  time.Duration
	ColdRefreshInterval time.Duration
	// KeyMaxAge is how long a fetched key set is used before a refresh is
	// attempted, so keys an IdP withdraws stop verifying (default 1 h).
	KeyMaxAge time.Duration
	// FetchTimeout bounds one discovery + key set fetch (default 10 s).
	FetchTimeout time.Duration
	// Provisioning applies issuers' groups_source; required when any
	// issuer takes groups from SCIM.
	Provisioning *Provisioning
}

func (o *VerifierOptions) withDefaults() {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ClockSkew == 0 {
		o.ClockSkew = 60 * time.Second
	}
	if o.MinRefreshInterval == 0 {
		o.MinRefreshInterval = 30 * time.Second
	}
	if o.ColdRefreshInterval == 0 {
		o.ColdRefreshInterval = 5 * time.Second
	}
	if o.KeyMaxAge == 0 {
		o.KeyMaxAge = time.Hour
	}
	if o.FetchTimeout == 0 {
		o.FetchTimeout = 10 * time.Second
	}
}

// TokenVerifier is what takes an external ID token to a principal;
// *Verifier is the implementation, tests substitute their own.
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (Principal, error)
}

var _ TokenVerifier = (*Verifier)(nil)

// Verifier checks ID tokens from the configured trusted token issuers and
// maps them to Principals. It is safe for concurrent use.
type Verifier struct {
	opts    VerifierOptions
	issuers map[string]*trustedIssuer
}

type trustedIssuer struct {
	cfg  config.Issuer
	keys *issuerKeys
}

// NewVerifier builds a Verifier and tries to fetch every issuer's keys. An
// unreachable IdP is logged, not fatal: keys are fetched again when a
// token needs them.
func NewVerifier(ctx context.Context, issuers []config.Issuer, opts VerifierOptions) (*Verifier, error) {
	opts.withDefaults()
	v := &Verifier{opts: opts, issuers: make(map[string]*trustedIssuer, len(issuers))}
	for _, is := range issuers {
		if is.Issuer == "" || len(is.Audiences) == 0 {
			return nil, fmt.Errorf("identity: issuer %q: issuer URL and at least one audience are required", is.Issuer)
		}
		if _, dup := v.issuers[is.Issuer]; dup {
			return nil, fmt.Errorf("identity: issuer %q configured twice", is.Issuer)
		}
		if is.UserClaim == "" {
			is.UserClaim = config.DefaultUserClaim
		}
		if is.GroupsClaim == "" {
			is.GroupsClaim = config.DefaultGroupsClaim
		}
		if is.Namespace == "" {
			is.Namespace = config.DefaultNamespace
		}
		if err := config.CheckLike(is.IncludeGroupsLike); err != nil {
			return nil, fmt.Errorf("identity: issuer %q: include_groups_like: %w", is.Issuer, err)
		}
		if err := config.CheckLike(is.ExcludeGroupsLike); err != nil {
			return nil, fmt.Errorf("identity: issuer %q: exclude_groups_like: %w", is.Issuer, err)
		}
		v.issuers[is.Issuer] = &trustedIssuer{cfg: is, keys: &issuerKeys{
			issuer: is.Issuer, client: opts.HTTPClient, log: opts.Logger, now: opts.Now, opts: &v.opts,
		}}
	}
	if v.opts.Provisioning == nil {
		pv, err := NewProvisioning(nil, issuers)
		if err != nil {
			return nil, err
		}
		v.opts.Provisioning = pv
	}
	for _, ti := range v.issuers {
		if ti.cfg.GroupsSource != "" && ti.cfg.GroupsSource != config.GroupsFromToken {
			if _, ok := v.opts.Provisioning.provisioned(ti.cfg.Issuer); !ok {
				return nil, fmt.Errorf("identity: issuer %q takes groups from SCIM but provisioning does not know it", ti.cfg.Issuer)
			}
		}
	}
	for _, ti := range v.issuers {
		_, _ = ti.keys.refresh(ctx, true)
	}
	return v, nil
}

// Verify checks raw, an external ID token (or RFC 7523 assertion), and
// returns the Principal it proves. Every refusal is an *Error.
func (v *Verifier) Verify(ctx context.Context, raw string) (Principal, error) {
	p, err := v.verify(ctx, raw)
	if err != nil {
		return Principal{}, err
	}
	return p, nil
}

func (v *Verifier) verify(ctx context.Context, raw string) (Principal, *Error) {
	t, err := parseToken(raw, externalAlgs())
	if err != nil {
		return Principal{}, err
	}
	return v.verifyParsed(ctx, t)
}

// verifyParsed checks a parsed token's issuer, signature and claims.
func (v *Verifier) verifyParsed(ctx context.Context, t *parsedToken) (Principal, *Error) {
	iss, ok, err := t.claimString("iss")
	if err != nil {
		return Principal{}, err
	}
	if !ok {
		return Principal{}, newError(CodeMissingClaim, "token has no \"iss\" claim")
	}
	ti, ok := v.issuers[iss]
	if !ok {
		return Principal{}, newError(CodeWrongIssuer, "token issuer is not a trusted token issuer")
	}
	if err := ti.checkSignature(ctx, t); err != nil {
		return Principal{}, err
	}
	p, err := ti.principal(t, v.opts.Now(), v.opts.ClockSkew)
	if err != nil {
		return Principal{}, err
	}
	if _, ok := v.opts.Provisioning.provisioned(iss); !ok {
		return p, nil
	}
	claim := ti.cfg.SCIMUserClaim
	if claim == "" {
		claim = "email"
	}
	key, err := t.requireString(claim)
	if err != nil {
		return Principal{}, err
	}
	if claim == "email" && t.emailUnverified() {
		return Principal{}, newError(CodeEmailUnverified, "the issuer marks the token's email as unverified")
	}
	return v.opts.Provisioning.resolve(ctx, p, key)
}

// checkSignature finds the token's key, refreshing the issuer's key set
// when the kid is unknown or the set is old, and verifies with go-jose.
func (ti *trustedIssuer) checkSignature(ctx context.Context, t *parsedToken) *Error {
	set, fetched := ti.keys.load()
	if set != nil && ti.keys.now().Sub(fetched) > ti.keys.opts.KeyMaxAge {
		// Stale: one caller refreshes, the rest carry on with what is
		// cached rather than queue behind the IdP.
		_, _ = ti.keys.refresh(ctx, false)
		set, _ = ti.keys.load()
	}
	cands, found := set.candidates(t)
	if !found {
		didFetch, ferr := ti.keys.refresh(ctx, true)
		set, _ = ti.keys.load()
		cands, found = set.candidates(t)
		if !found {
			if set == nil && ferr != nil {
				return wrapError(CodeIssuerUnreachable, "issuer keys could not be fetched", ferr)
			}
			if set == nil && !didFetch {
				return newError(CodeIssuerUnreachable, "issuer keys are not available yet")
			}
			return newError(CodeUnknownKey, "token key id is not in the issuer's key set")
		}
	}
	if len(cands) == 0 {
		return newError(CodeAlgNotAllowed, "token algorithm does not match the issuer key's type or algorithm")
	}
	return verifySignature(t, cands)
}

// principal applies the issuer's claim checks and mapping to a token whose
// signature has been verified.
func (ti *trustedIssuer) principal(t *parsedToken, now time.Time, skew time.Duration) (Principal, *Error) {
	auds, err := t.audiences()
	if err != nil {
		return Principal{}, err
	}
	if !slices.ContainsFunc(auds, func(a string) bool { return slices.Contains(ti.cfg.Audiences, a) }) {
		return Principal{}, newError(CodeWrongAudience, "token audience is not a configured client id")
	}
	// Only ID tokens are accepted: an access token that happens to name
	// tipgate in aud (an audience mapper does that) is not a sign-in.
	// RFC 9068 marks access tokens with typ at+jwt; Keycloak says so in a
	// typ claim ("Bearer" versus "ID").
	if ht := strings.ToLower(t.typ); ht == "at+jwt" || ht == "application/at+jwt" {
		return Principal{}, newError(CodeInvalidClaim, "the token is an access token (typ at+jwt), not an ID token")
	}
	if typ, ok, err := t.claimString("typ"); err != nil {
		return Principal{}, err
	} else if ok && typ != "ID" {
		return Principal{}, newError(CodeInvalidClaim, "the token's typ claim says it is not an ID token")
	}
	// OpenID Connect Core §3.1.3.7: when present, the authorized party must
	// be one of our clients (Google and Azure AD set azp).
	if azp, ok, err := t.claimString("azp"); err != nil {
		return Principal{}, err
	} else if ok && !slices.Contains(ti.cfg.Audiences, azp) {
		return Principal{}, newError(CodeWrongAudience, "token authorized party (azp) is not a configured client id")
	}
	exp, iat, err := t.checkTimes(now, skew, skew)
	if err != nil {
		return Principal{}, err
	}
	if _, err := t.requireString("sub"); err != nil {
		return Principal{}, err
	}
	user, err := t.requireString(ti.cfg.UserClaim)
	if err != nil {
		return Principal{}, err
	}
	email := ""
	if ti.cfg.UserClaim == "email" {
		if t.emailUnverified() {
			return Principal{}, newError(CodeEmailUnverified, "the issuer marks the token's email as unverified")
		}
		email = user
	} else if e, ok, err := t.claimString("email"); err == nil && ok && !hasControl(e) {
		email = e
	}
	groups, err := t.groups(ti.cfg.GroupsClaim, ti.cfg.GroupPrefix)
	if err != nil {
		return Principal{}, err
	}
	authTime, ok, err := t.claimTime("auth_time")
	if err != nil {
		return Principal{}, err
	}
	if !ok {
		authTime = iat
	}
	sid, _, _ := t.claimString("sid")
	if hasControl(sid) {
		sid = ""
	}
	return Principal{
		User:            ti.cfg.Namespace + ":" + user,
		Email:           email,
		Namespace:       ti.cfg.Namespace,
		Groups:          groups,
		Issuer:          ti.cfg.Issuer,
		SessionID:       sid,
		Expiry:          exp,
		AuthTime:        authTime,
		AutoCreateRoles: autoCreateRoles(ti.cfg, groups),
	}, nil
}

// autoCreateRoles are the roles Redshift's AUTO_CREATE_ROLES would create
// for these groups: all of them, narrowed by INCLUDE, minus EXCLUDE.
func autoCreateRoles(cfg config.Issuer, groups []string) []string {
	if !cfg.AutoCreateRoles {
		return nil
	}
	var out []string
	for _, g := range groups {
		if cfg.IncludeGroupsLike != "" && !matchLike(cfg.IncludeGroupsLike, g) {
			continue
		}
		if cfg.ExcludeGroupsLike != "" && matchLike(cfg.ExcludeGroupsLike, g) {
			continue
		}
		out = append(out, cfg.Namespace+":"+g)
	}
	return out
}

// VerifySignIn checks an ID token received at the end of an authorization
// code flow that this server started: besides everything Verify checks,
// the token must be addressed to clientID and carry the nonce the flow
// was started with (OpenID Connect Core §3.1.3.7), so a token obtained
// for another client or another sign-in cannot be injected.
func (v *Verifier) VerifySignIn(ctx context.Context, raw, clientID, nonce string) (Principal, error) {
	if nonce == "" {
		return Principal{}, newError(CodeInvalidClaim, "sign-in has no nonce")
	}
	t, err := parseToken(raw, externalAlgs())
	if err != nil {
		return Principal{}, err
	}
	p, err := v.verifyParsed(ctx, t)
	if err != nil {
		return Principal{}, err
	}
	auds, err := t.audiences()
	if err != nil {
		return Principal{}, err
	}
	if !slices.Contains(auds, clientID) {
		return Principal{}, newError(CodeWrongAudience, "ID token is not addressed to the dashboard's client id")
	}
	got, ok, err := t.claimString("nonce")
	if err != nil {
		return Principal{}, err
	}
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(nonce)) != 1 {
		return Principal{}, newError(CodeInvalidClaim, "ID token nonce does not match the sign-in")
	}
	return p, nil
}
