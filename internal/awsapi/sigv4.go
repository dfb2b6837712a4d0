package awsapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
)

// Credential is what a key id resolves to: the secret that signs its
// requests and the principal they act as.
type Credential struct {
	SecretAccessKey string
	SessionToken    string
	Principal       identity.Principal
}

// CredentialStore resolves access key ids. It returns ErrUnknownKey for
// ids it does not know and ErrExpiredToken for expired temporary keys.
type CredentialStore interface {
	Lookup(ctx context.Context, accessKeyID, sessionToken string) (Credential, error)
}

// StaticCredentials are access keys configured for service principals.
type StaticCredentials map[string]Credential

// Lookup implements CredentialStore.
func (s StaticCredentials) Lookup(_ context.Context, akid, token string) (Credential, error) {
	c, ok := s[akid]
	if !ok || subtle.ConstantTimeCompare([]byte(c.SessionToken), []byte(token)) != 1 {
		return Credential{}, ErrUnknownKey
	}
	return c, nil
}

// MaxSkew is how far a request's signing time may be from the server's.
const MaxSkew = 15 * time.Minute

type authHeader struct {
	akid, date, region, service string
	signedHeaders               []string
	signature                   string
}

func parseAuthorization(h string) (authHeader, *apiError) {
	const prefix = "AWS4-HMAC-SHA256 "
	if h == "" {
		return authHeader{}, errMissingAuth()
	}
	if !strings.HasPrefix(h, prefix) {
		return authHeader{}, errIncompleteSignature("Authorization header must use AWS4-HMAC-SHA256")
	}
	var a authHeader
	for _, part := range strings.Split(h[len(prefix):], ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authHeader{}, errIncompleteSignature("Authorization header component is not key=value")
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return authHeader{}, errIncompleteSignature("Credential must be AKID/date/region/service/aws4_request")
			}
			a.akid, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.akid == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authHeader{}, errIncompleteSignature("Authorization header requires Credential, SignedHeaders and Signature")
	}
	return a, nil
}

// verifier checks SigV4 signatures with the AWS SDK's own signer: it
// re-signs a copy of the request holding exactly the signed headers and
// compares signatures in constant time.
type verifier struct {
	service string
	store   CredentialStore
	signer  *v4.Signer
	now     func() time.Time

	// replay, when set, is the replay cache replicas share: a signature
	// used on one replica is refused on every other. Without it the cache
	// is this process's (seen).
	replay store.Replay
	seen   *replayCache
}

func newVerifier(service string, creds CredentialStore, now func() time.Time, replay store.Replay) *verifier {
	return &verifier{service: service, store: creds, now: now, seen: newReplayCache(defaultReplayMax), replay: replay,
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })}
}

// verify returns the principal of a correctly signed request.
func (v *verifier) verify(ctx context.Context, r *http.Request, body []byte) (identity.Principal, *apiError) {
	a, aerr := parseAuthorization(r.Header.Get("Authorization"))
	if aerr != nil {
		return identity.Principal{}, aerr
	}
	if a.service != v.service {
		return identity.Principal{}, errInvalidSignature("Credential should be scoped to correct service: '" + v.service + "'.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	t, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		return identity.Principal{}, errIncompleteSignature("X-Amz-Date is missing or malformed")
	}
	if a.date != amzDate[:8] {
		return identity.Principal{}, errInvalidSignature("Credential date does not match X-Amz-Date")
	}
	now := v.now()
	if t.Before(now.Add(-MaxSkew)) || t.After(now.Add(MaxSkew)) {
		return identity.Principal{}, errInvalidSignature("Signature expired: " + amzDate + " is not within 15 minutes of the server time " + now.UTC().Format("20060102T150405Z") + ".")
	}
	cred, err := v.store.Lookup(ctx, a.akid, r.Header.Get("X-Amz-Security-Token"))
	if err != nil {
		return identity.Principal{}, credentialError(err)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	sum := sha256.Sum256(body)
	if payload != "UNSIGNED-PAYLOAD" {
		payload = hex.EncodeToString(sum[:])
	}
	cp, err := http.NewRequestWithContext(ctx, r.Method, r.URL.String(), nil)
	if err != nil {
		return identity.Principal{}, errIncompleteSignature("request URL cannot be re-signed")
	}
	cp.URL.RawPath, cp.Host = r.URL.RawPath, r.Host
	// The SDK signer signs Content-Length whenever the request has one;
	// some clients (boto3) leave it out of SignedHeaders, so it is set
	// only when the client signed it.
	if slices.Contains(a.signedHeaders, "content-length") {
		cp.ContentLength = int64(len(body))
	}
	for _, h := range a.signedHeaders {
		if h == "host" || h == "content-length" {
			continue
		}
		for _, val := range r.Header.Values(h) {
			cp.Header.Add(h, val)
		}
	}
	creds := aws.Credentials{AccessKeyID: a.akid, SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}
	if err := v.signer.SignHTTP(ctx, creds, cp, payload, a.service, a.region, t); err != nil {
		return identity.Principal{}, errIncompleteSignature("request cannot be re-signed")
	}
	want, werr := parseAuthorization(cp.Header.Get("Authorization"))
	if werr != nil || strings.Join(want.signedHeaders, ";") != strings.Join(a.signedHeaders, ";") ||
		subtle.ConstantTimeCompare([]byte(want.signature), []byte(a.signature)) != 1 {
		return identity.Principal{}, errInvalidSignature("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	if replayProtected(r) {
		first, err := v.firstUse(ctx, a.signature, t)
		if errors.Is(err, errReplayFull) {
			// Fail closed: a signature not remembered could be replayed.
			return identity.Principal{}, errReplayBusy()
		}
		if err != nil {
			// Fail closed: without the shared cache a replay could pass.
			return identity.Principal{}, errUnavailable()
		}
		if !first {
			return identity.Principal{}, errInvalidSignature("Signature has already been used; sign every request anew.")
		}
	}
	return cred.Principal, nil
}

// replayProtected reports whether a request changes state, so a captured
// copy must not be played again. Reads are idempotent and SDKs repeat them
// with identical signatures (boto3 signs with one-second resolution and no
// per-call id), so they are not refused; AWS refuses no repeat at all.
func replayProtected(r *http.Request) bool {
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.") {
	case "DescribeStatement", "GetStatementResult", "GetStatementResultV2", "ListStatements", "ListDatabases",
		"ListSchemas", "ListTables", "DescribeTable":
		return false
	}
	return true
}

// firstUse records a signature and refuses it if it was seen within the
// skew window, so a captured request cannot be replayed.
func (v *verifier) firstUse(ctx context.Context, sig string, t time.Time) (bool, error) {
	if v.replay != nil {
		// Kept as long as a request signed at t can verify.
		return v.replay.FirstUse(ctx, "sigv4/"+v.service, sig, t.Add(MaxSkew+time.Minute))
	}
	return v.seen.firstUse(sig, t, v.now())
}
