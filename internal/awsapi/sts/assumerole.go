package sts

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
)

// IdentityCenterProvider is the only context provider STS accepts.
const IdentityCenterProvider = "arn:aws:iam::aws:contextProvider/IdentityCenter"

// roleChainingMax bounds sessions assumed with role-session credentials.
const roleChainingMax = time.Hour

func (h *Handler) assumeRole(ctx context.Context, f form, c *caller) (any, *stsError) {
	if err := required(f, "RoleArn", "RoleSessionName"); err != nil {
		return nil, err
	}
	if err := unsupported(f, "Policy", "PolicyArns", "Tags", "TransitiveTagKeys", "SerialNumber", "TokenCode", "SourceIdentity"); err != nil {
		return nil, err
	}
	if err := roleARN(f); err != nil {
		return nil, err
	}
	name, err := sessionName(f)
	if err != nil {
		return nil, err
	}
	arn := f["RoleArn"]
	role, ok := h.cfg.role(arn)
	if !ok || !slices.Contains(role.Trust.AssumeRole, c.ARN) {
		return nil, notAuthorized(c.Identity, "sts:AssumeRole", arn)
	}
	maxDur := role.MaxSessionDuration
	if c.Session != nil {
		maxDur = min(maxDur, roleChainingMax)
	}
	dur, err := duration(f, role.MaxSessionDuration)
	if err != nil {
		return nil, err
	}
	if dur > maxDur {
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	now := h.now()
	s := tempcreds.Session{RoleARN: role.ARN, SessionName: name, IssuedAt: now.Unix(), Expiry: now.Add(dur).Unix()}
	g, err := h.providedContext(ctx, f, c, role, now)
	if err != nil {
		return nil, err
	}
	if g != nil && h.recheck != nil {
		if _, rerr := h.recheck(ctx, g.Identity.Principal()); rerr != nil {
			return nil, errAccessDenied("The provided context assertion's user is no longer active")
		}
	}
	if g != nil {
		if err := h.useContextOnce(ctx, g); err != nil {
			return nil, err
		}
	}
	if g != nil {
		s.Identity, s.Application = &g.Identity, g.Application
		s.Expiry = min(s.Expiry, g.Expiry)
	}
	creds, s, ierr := h.sealer.Issue(s)
	if ierr != nil {
		h.log.ErrorContext(ctx, "sts: issuing credentials failed", "err", ierr)
		return nil, errInternal()
	}
	return assumeRoleResult{AssumedRoleUser: assumedRole(s), Credentials: credentialsOf(creds)}, nil
}

// useContextOnce spends an assertion: it is good for one AssumeRole, so a
// captured one cannot be played again, on this replica or any other. It is
// spent last, after every other check, so a refused call (a deactivated
// user, a role that does not trust the application) does not burn it.
func (h *Handler) useContextOnce(ctx context.Context, g *tempcreds.Grant) *stsError {
	first, err := h.contexts.FirstUse(ctx, "context-assertion", g.ID, g.ExpiresAt().Add(time.Minute))
	if err != nil {
		return newErr(http.StatusServiceUnavailable, "ServiceUnavailable", "tipgate's shared store is unavailable; retry shortly")
	}
	if !first {
		return errInvalidParam("The provided context assertion has already been used")
	}
	return nil
}

// providedContext opens and checks ProvidedContexts: at most one, from
// Identity Center, sealed by this server's key, unexpired, issued for an
// application the role trusts, for the same user as the caller's own web
// identity or identity-enhanced session (if any), and the caller must be
// allowed sts:SetContext.
func (h *Handler) providedContext(ctx context.Context, f form, c *caller, role *Role, now time.Time) (*tempcreds.Grant, *stsError) {
	ctxs, perr := f.members("ProvidedContexts", "ProviderArn", "ContextAssertion")
	if perr != nil {
		return nil, errValidation("%s", perr.Error())
	}
	if len(ctxs) == 0 {
		return nil, nil
	}
	if len(ctxs) > 1 {
		return nil, errInvalidParam("Only one provided context is supported")
	}
	pc := ctxs[0]
	if pc["ProviderArn"] == "" || pc["ContextAssertion"] == "" {
		return nil, errMissing("ProvidedContexts.member.1.ProviderArn and ContextAssertion")
	}
	if pc["ProviderArn"] != IdentityCenterProvider {
		return nil, errInvalidParam("Invalid ProviderArn: the only supported context provider is %s", IdentityCenterProvider)
	}
	if n := len(pc["ContextAssertion"]); n < 4 || n > tempcreds.MaxContextAssertionLen {
		return nil, errValidation("1 validation error detected: Value at 'providedContexts.1.member.contextAssertion' failed to satisfy constraint: Member must have length between 4 and 2048")
	}
	if !slices.Contains(role.Trust.SetContext, c.ARN) {
		return nil, notAuthorized(c.Identity, "sts:SetContext", role.ARN)
	}
	g, err := h.sealer.OpenContext(pc["ContextAssertion"], now)
	switch {
	case errors.Is(err, tempcreds.ErrExpired):
		return nil, errExpired("The provided context assertion has expired")
	case err != nil:
		return nil, errInvalidParam("The provided context assertion is invalid")
	}
	if !slices.Contains(role.Trust.ContextApplications, g.Application) {
		return nil, errAccessDenied("The provided context assertion was issued for an application role %s does not accept", role.ARN)
	}
	if s := c.Session; s != nil {
		if wi := s.WebIdentity; wi != nil && (wi.Issuer != g.Identity.Issuer || wi.Subject != g.Identity.Subject) {
			return nil, errAccessDenied("The provided context assertion was issued for a different user than the caller's web identity")
		}
		if id := s.Identity; id != nil && (id.Issuer != g.Identity.Issuer || id.User != g.Identity.User) {
			return nil, errAccessDenied("The provided context assertion was issued for a different user than the caller's session")
		}
	}
	return &g, nil
}

func (h *Handler) getCallerIdentity(_ context.Context, _ form, c *caller) (any, *stsError) {
	return callerIdentityResult{UserID: c.UserID, Account: h.cfg.Account, Arn: c.Identity}, nil
}
