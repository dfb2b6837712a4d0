package ssooidc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi"
	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/store"
)

// Path is where CreateTokenWithIAM is served (with the query aws_iam=t).
const Path = "/token"

// MaxBody bounds a request body.
const MaxBody = 64 << 10

// Options configure the handler.
type Options struct {
	Config   Config
	Verifier identity.TokenVerifier
	Sealer   *tempcreds.Sealer
	// Credentials verify the SigV4 signature (a tempcreds.Store over
	// Sealer, optionally chained with static keys).
	Credentials awsapi.CredentialStore
	// Replay, when set, is the replay cache replicas share.
	Replay store.Replay
	Signer Signer
	Now    func() time.Time
	Logger *slog.Logger
	// Recheck, when set, refreshes the user of every grant (and refuses a
	// deactivated or deleted one): identity.Provisioning.Recheck.
	Recheck func(context.Context, identity.Principal) (identity.Principal, error)
}

// Handler serves CreateTokenWithIAM.
type Handler struct {
	cfg     Config
	ver     identity.TokenVerifier
	sealer  *tempcreds.Sealer
	sig     *awsapi.SigV4
	signer  Signer
	now     func() time.Time
	log     *slog.Logger
	recheck func(context.Context, identity.Principal) (identity.Principal, error)
}

// New validates the configuration and returns the handler.
func New(opts Options) (*Handler, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Verifier == nil || opts.Sealer == nil || opts.Credentials == nil || opts.Signer == nil {
		return nil, errors.New("ssooidc: a verifier, a sealer, a credential store and a signer are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: opts.Config, ver: opts.Verifier, sealer: opts.Sealer, signer: opts.Signer, now: opts.Now, log: reqid.Logger(opts.Logger),
		sig: awsapi.NewSigV4("sso-oauth", opts.Credentials, opts.Now, opts.Replay), recheck: opts.Recheck}, nil
}

// request is CreateTokenWithIAM's input.
type request struct {
	ClientID           string   `json:"clientId"`
	GrantType          string   `json:"grantType"`
	Assertion          string   `json:"assertion"`
	RefreshToken       string   `json:"refreshToken"`
	Scope              []string `json:"scope"`
	Code               string   `json:"code"`
	RedirectURI        string   `json:"redirectUri"`
	CodeVerifier       string   `json:"codeVerifier"`
	SubjectToken       string   `json:"subjectToken"`
	SubjectTokenType   string   `json:"subjectTokenType"`
	RequestedTokenType string   `json:"requestedTokenType"`
}

// Response is CreateTokenWithIAM's output (every field of the model).
type Response struct {
	AccessToken          string                `json:"accessToken"`
	TokenType            string                `json:"tokenType"`
	ExpiresIn            int64                 `json:"expiresIn"`
	RefreshToken         string                `json:"refreshToken,omitempty"`
	IDToken              string                `json:"idToken"`
	IssuedTokenType      string                `json:"issuedTokenType"`
	Scope                []string              `json:"scope"`
	AWSAdditionalDetails *AWSAdditionalDetails `json:"awsAdditionalDetails,omitempty"`
}

// AWSAdditionalDetails carries the context assertion outside the idToken.
type AWSAdditionalDetails struct {
	IdentityContext string `json:"identityContext"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, rid := reqid.FromRequest(w, r)
	out, err := h.serve(r)
	if err != nil {
		h.log.InfoContext(r.Context(), "sso-oidc request refused", "type", err.Type, "code", err.Code, "status", err.Status, "remote", r.RemoteAddr)
		writeError(w, err, rid)
		return
	}
	b, merr := json.Marshal(out)
	if merr != nil {
		writeError(w, oauth("server_error", "the response could not be encoded"), rid)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set(reqid.AmznHeader, rid)
	w.Write(b)
}

// serve is the pipeline every grant goes through, in order: route,
// signature, body, client, caller authorisation, grant, scopes, issue.
func (h *Handler) serve(r *http.Request) (*Response, *oauthError) {
	if r.Method != http.MethodPost || r.URL.Path != Path || r.URL.Query().Get("aws_iam") != "t" {
		return nil, oauth("invalid_request", "CreateTokenWithIAM is served at POST /token?aws_iam=t")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, oauth("invalid_request", "the request body could not be read")
	}
	if len(body) > MaxBody {
		e := oauth("invalid_request", fmt.Sprintf("the request body is larger than %d bytes", MaxBody))
		e.Status = http.StatusRequestEntityTooLarge
		return nil, e
	}
	callerARN, aerr := h.authenticate(r, body)
	if aerr != nil {
		return nil, aerr
	}
	var in request
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil || dec.More() {
		return nil, oauth("invalid_request", "the request body is not a JSON object of CreateTokenWithIAM's members")
	}
	if in.ClientID == "" || in.GrantType == "" {
		return nil, oauth("invalid_request", "clientId and grantType are required")
	}
	app, ok := h.cfg.application(in.ClientID)
	if !ok {
		return nil, oauth("invalid_client", "Invalid client provided")
	}
	if !contains(app.AuthorizedCallers, callerARN) {
		return nil, oauth("access_denied", "the caller is not authorized to call CreateTokenWithIAM for this application")
	}
	g, gerr := h.grant(r.Context(), app, in)
	if gerr != nil {
		return nil, gerr
	}
	if h.recheck != nil {
		// A refresh token outlives a deactivation unless it is checked
		// here; groups (and so assignment) are the current ones.
		p, err := h.recheck(r.Context(), g.Identity.Principal())
		if err != nil {
			return nil, oauth("invalid_grant", "the user is deactivated or no longer provisioned")
		}
		g.Identity.Groups, g.Identity.AutoCreateRoles = p.Groups, p.AutoCreateRoles
	}
	if !app.assigned(g.Identity) {
		return nil, oauth("access_denied", "User is not assigned to the application")
	}
	return h.issue(r.Context(), app, g, in.Scope)
}

// authenticate verifies SigV4 for "sso-oauth" and returns the principal
// ARN authorisation names: the role of a session tipgate issued, or the
// IAM user of a static key.
func (h *Handler) authenticate(r *http.Request, body []byte) (string, *oauthError) {
	p, akid, fail := h.sig.Verify(r.Context(), r, body)
	if fail != nil {
		switch fail.Kind {
		case awsapi.AuthMissing:
			return "", authError(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
		case awsapi.AuthIncomplete:
			return "", authError(http.StatusForbidden, "IncompleteSignatureException", fail.Message)
		case awsapi.AuthUnknownKey:
			return "", authError(http.StatusForbidden, "UnrecognizedClientException", "The security token included in the request is invalid.")
		case awsapi.AuthExpired:
			return "", authError(http.StatusForbidden, "ExpiredTokenException", "The security token included in the request is expired")
		default:
			return "", authError(http.StatusForbidden, "InvalidSignatureException", fail.Message)
		}
	}
	if s, err := h.sealer.Open(akid, r.Header.Get("X-Amz-Security-Token"), h.now()); err == nil {
		return s.RoleARN, nil
	}
	name := p.Email
	if name == "" {
		name = p.User
	}
	return "arn:aws:iam::" + h.cfg.Account + ":user/" + strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r < 0x21 || r > 0x7e {
			return '_'
		}
		return r
	}, name), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
