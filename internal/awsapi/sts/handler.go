package sts

import (
	"context"
	"errors"
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
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// Version is the only API version served.
const Version = "2011-06-15"

// Options configure the handler.
type Options struct {
	Config   Config
	Verifier identity.TokenVerifier
	Sealer   *tempcreds.Sealer
	// Credentials verify signed calls. It must resolve the credentials
	// Sealer issues (a tempcreds.Store over it), and may chain static keys.
	Credentials awsapi.CredentialStore
	// Replay, when set, is the replay cache replicas share.
	Replay store.Replay
	Now    func() time.Time
	Logger *slog.Logger
	// Recheck, when set, refuses a context assertion whose user has since
	// been deactivated or deleted (identity.Provisioning.Recheck).
	Recheck func(context.Context, identity.Principal) (identity.Principal, error)
}

// Handler serves STS on POST /.
type Handler struct {
	cfg     Config
	ver     identity.TokenVerifier
	sealer  *tempcreds.Sealer
	sig     *awsapi.SigV4
	now     func() time.Time
	log     *slog.Logger
	recheck func(context.Context, identity.Principal) (identity.Principal, error)
	// contexts refuses a context assertion presented a second time.
	contexts store.Replay
}

// New validates the configuration and returns the handler.
func New(opts Options) (*Handler, error) {
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Verifier == nil || opts.Sealer == nil || opts.Credentials == nil {
		return nil, errors.New("sts: a verifier, a sealer and a credential store are required")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	contexts := opts.Replay
	if contexts == nil {
		// One server: its own cache.
		contexts = memstore.New("", 0).Replay()
	}
	return &Handler{cfg: opts.Config, ver: opts.Verifier, sealer: opts.Sealer, now: opts.Now, log: reqid.Logger(opts.Logger),
		sig: awsapi.NewSigV4("sts", opts.Credentials, opts.Now, opts.Replay), recheck: opts.Recheck, contexts: contexts}, nil
}

// caller is who signed a request.
type caller struct {
	// ARN is the principal trust rules name: the role ARN for a role
	// session, the user ARN for a static key.
	ARN string
	// Identity is the ARN GetCallerIdentity returns and UserID its id.
	Identity, UserID string
	// Session is set for temporary credentials tipgate issued.
	Session *tempcreds.Session
}

type action struct {
	signed bool
	run    func(h *Handler, ctx context.Context, f form, c *caller) (any, *stsError)
}

var actions = map[string]action{
	"AssumeRoleWithWebIdentity": {signed: false, run: (*Handler).assumeRoleWithWebIdentity},
	"AssumeRole":                {signed: true, run: (*Handler).assumeRole},
	"GetCallerIdentity":         {signed: true, run: (*Handler).getCallerIdentity},
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, rid := reqid.FromRequest(w, r)
	name, out, err := h.serve(r)
	if err != nil {
		h.log.InfoContext(r.Context(), "sts request refused", "action", name, "code", err.Code, "status", err.Status, "remote", r.RemoteAddr)
	}
	write(w, name, out, err, rid)
}

func (h *Handler) serve(r *http.Request) (string, any, *stsError) {
	if r.Method != http.MethodPost {
		return "", nil, newErr(http.StatusMethodNotAllowed, "InvalidAction", "STS is served only as POST /")
	}
	if ct := strings.ToLower(r.Header.Get("Content-Type")); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return "", nil, errInvalidParam("Content-Type must be application/x-www-form-urlencoded")
	}
	body, rerr := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if rerr != nil {
		return "", nil, newErr(http.StatusBadRequest, "MalformedQueryString", "the request body could not be read")
	}
	if len(body) > MaxBody {
		return "", nil, newErr(http.StatusRequestEntityTooLarge, "MalformedQueryString", "the request body is larger than %d bytes", MaxBody)
	}
	f, perr := parseForm(body)
	if perr != nil {
		return "", nil, newErr(http.StatusBadRequest, "MalformedQueryString", "%s", perr.Error())
	}
	name := f["Action"]
	if name == "" {
		return "", nil, newErr(http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action")
	}
	act, ok := actions[name]
	if !ok || f["Version"] != Version {
		return "", nil, newErr(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", safe(name), safe(f["Version"]))
	}
	var c *caller
	if act.signed {
		var err *stsError
		if c, err = h.authenticate(r, body); err != nil {
			return name, nil, err
		}
	}
	out, err := act.run(h, r.Context(), f, c)
	return name, out, err
}

// authenticate verifies SigV4 for service "sts" and describes the caller.
func (h *Handler) authenticate(r *http.Request, body []byte) (*caller, *stsError) {
	p, akid, fail := h.sig.Verify(r.Context(), r, body)
	if fail != nil {
		switch fail.Kind {
		case awsapi.AuthMissing:
			return nil, newErr(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
		case awsapi.AuthIncomplete:
			return nil, newErr(http.StatusBadRequest, "IncompleteSignature", "%s", fail.Message)
		case awsapi.AuthUnknownKey:
			return nil, newErr(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		case awsapi.AuthExpired:
			return nil, newErr(http.StatusBadRequest, "ExpiredToken", "The security token included in the request is expired")
		default:
			return nil, newErr(http.StatusForbidden, "SignatureDoesNotMatch", "%s", fail.Message)
		}
	}
	if s, err := h.sealer.Open(akid, r.Header.Get("X-Amz-Security-Token"), h.now()); err == nil {
		return &caller{ARN: s.RoleARN, Identity: tempcreds.AssumedRoleARN(s.RoleARN, s.SessionName),
			UserID: tempcreds.RoleID(s.RoleARN) + ":" + s.SessionName, Session: &s}, nil
	}
	// A static access key: an IAM user named after the key's user.
	name := p.Email
	if name == "" {
		name = p.User
	}
	arn := "arn:aws:iam::" + h.cfg.Account + ":user/" + strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r < 0x21 || r > 0x7e {
			return '_'
		}
		return r
	}, name)
	return &caller{ARN: arn, Identity: arn, UserID: tempcreds.UserID(arn)}, nil
}
