package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
	"github.com/tipgate/tipgate/internal/identity"
)

const actWebIdentity = "sts:AssumeRoleWithWebIdentity"

func (h *Handler) assumeRoleWithWebIdentity(ctx context.Context, f form, _ *caller) (any, *stsError) {
	if err := required(f, "RoleArn", "RoleSessionName", "WebIdentityToken"); err != nil {
		return nil, err
	}
	if err := unsupported(f, "Policy", "PolicyArns", "ProviderId"); err != nil {
		return nil, err
	}
	if err := roleARN(f); err != nil {
		return nil, err
	}
	name, err := sessionName(f)
	if err != nil {
		return nil, err
	}
	raw := f["WebIdentityToken"]
	if len(raw) < 4 || len(raw) > 20000 {
		return nil, errValidation("1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000")
	}
	role, ok := h.cfg.role(f["RoleArn"])
	if !ok {
		return nil, errAccessDenied("Not authorized to perform %s", actWebIdentity)
	}
	dur, err := duration(f, role.MaxSessionDuration)
	if err != nil {
		return nil, err
	}
	p, verr := h.ver.Verify(ctx, raw)
	if verr != nil {
		return nil, webIdentityError(verr)
	}
	claims, cerr := verifiedClaims(raw)
	if cerr != nil {
		return nil, errInvalidToken("The ID token could not be read")
	}
	aud, trusted := role.trustsWebIdentity(p.Issuer, claims.Audiences)
	if !trusted {
		return nil, errAccessDenied("Not authorized to perform %s", actWebIdentity)
	}
	now := h.now()
	exp := now.Add(dur)
	if !p.Expiry.IsZero() && p.Expiry.Before(exp) {
		exp = p.Expiry
	}
	creds, s, ierr := h.sealer.Issue(tempcreds.Session{RoleARN: role.ARN, SessionName: name, IssuedAt: now.Unix(), Expiry: exp.Unix(),
		WebIdentity: &tempcreds.WebIdentity{Issuer: p.Issuer, Subject: claims.Subject, Audience: aud}})
	if ierr != nil {
		h.log.ErrorContext(ctx, "sts: issuing credentials failed", "err", ierr)
		return nil, errInternal()
	}
	return webIdentityResult{
		SubjectFromWebIdentityToken: claims.Subject,
		Audience:                    aud,
		AssumedRoleUser:             assumedRole(s),
		Credentials:                 credentialsOf(creds),
		Provider:                    p.Issuer,
	}, nil
}

func (r *Role) trustsWebIdentity(issuer string, auds []string) (string, bool) {
	for _, w := range r.Trust.WebIdentity {
		if strings.TrimSuffix(w.Issuer, "/") != strings.TrimSuffix(issuer, "/") {
			continue
		}
		for _, a := range auds {
			if slices.Contains(w.Audiences, a) {
				return a, true
			}
		}
	}
	return "", false
}

// webIdentityError maps an identity refusal to STS's codes. Messages never
// echo the token.
func webIdentityError(err error) *stsError {
	switch identity.CodeOf(err) {
	case identity.CodeWrongIssuer:
		return errInvalidToken("No OpenIDConnect provider found in your account for the token's issuer")
	case identity.CodeWrongAudience:
		return errInvalidToken("Incorrect token audience")
	case identity.CodeTokenExpired:
		return errExpired("Token expired: current date/time must be before the expiration date/time")
	case identity.CodeIssuerUnreachable:
		return newErr(http.StatusBadRequest, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements")
	case identity.CodeEmailUnverified:
		return newErr(http.StatusForbidden, "IDPRejectedClaim", "The identity provider marks the token's email as unverified")
	case identity.CodeInternal:
		return errInternal()
	case identity.CodeBadSignature, identity.CodeUnknownKey, identity.CodeAlgNotAllowed:
		return errInvalidToken("The ID token signature could not be verified")
	}
	var ie *identity.Error
	if errors.As(err, &ie) {
		return errInvalidToken("The ID token is invalid: " + ie.Msg)
	}
	return errInvalidToken("The ID token is invalid")
}

// tokenClaims are the claims identity.Principal does not carry.
type tokenClaims struct {
	Subject   string
	Audiences []string
}

// verifiedClaims reads sub and aud from a token the Verifier has already
// accepted: the signature is checked, so the payload is trusted.
func verifiedClaims(raw string) (tokenClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return tokenClaims{}, errInvalidToken("not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tokenClaims{}, err
	}
	var c struct {
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return tokenClaims{}, err
	}
	out := tokenClaims{Subject: c.Sub}
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		out.Audiences = []string{one}
	} else if err := json.Unmarshal(c.Aud, &out.Audiences); err != nil {
		return tokenClaims{}, err
	}
	return out, nil
}

func assumedRole(s tempcreds.Session) assumedRoleUser {
	return assumedRoleUser{Arn: tempcreds.AssumedRoleARN(s.RoleARN, s.SessionName), AssumedRoleID: tempcreds.RoleID(s.RoleARN) + ":" + s.SessionName}
}

func credentialsOf(c tempcreds.Credentials) credentials {
	return credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: isoTime(c.Expiration)}
}
