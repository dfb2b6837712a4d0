package sts

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/awsapi/tempcreds"
)

// Config is the STS part of the configuration: the account and its roles.
type Config struct {
	// Account is the 12-digit account id every role belongs to.
	Account string
	Roles   []Role
}

// Role is one IAM role sessions can be issued for.
type Role struct {
	ARN string
	// MaxSessionDuration bounds DurationSeconds: 1 h (default) to 12 h.
	MaxSessionDuration time.Duration
	Trust              Trust
}

// Trust is the role's trust policy, reduced to the statements tipgate
// understands. Everything not listed is denied.
type Trust struct {
	// WebIdentity lists the issuers (with audiences) whose ID tokens may
	// sts:AssumeRoleWithWebIdentity this role.
	WebIdentity []WebIdentityTrust
	// AssumeRole lists the principal ARNs allowed sts:AssumeRole: role ARNs
	// (any session of the role) or IAM user ARNs (static access keys,
	// arn:aws:iam::ACCOUNT:user/NAME).
	AssumeRole []string
	// SetContext lists the principal ARNs also allowed sts:SetContext, i.e.
	// to pass ProvidedContexts and get identity-enhanced sessions.
	SetContext []string
	// ContextApplications lists the Identity Center application ARNs whose
	// context assertions this role accepts.
	ContextApplications []string
}

// WebIdentityTrust is one trusted identity provider of a role.
type WebIdentityTrust struct {
	Issuer    string
	Audiences []string
}

// DefaultMaxSessionDuration is a role's MaxSessionDuration when unset.
const DefaultMaxSessionDuration = time.Hour

var reAccount = regexp.MustCompile(`^[0-9]{12}$`)

// Validate fills defaults and reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !reAccount.MatchString(c.Account) {
		add("sts: account %q must be 12 digits", c.Account)
	}
	seen := map[string]bool{}
	for i := range c.Roles {
		r := &c.Roles[i]
		acct, _, ok := tempcreds.ParseRoleARN(r.ARN)
		switch {
		case !ok:
			add("sts: roles[%d]: %q is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", i, r.ARN)
		case acct != c.Account:
			add("sts: roles[%d]: role %s is not in account %s", i, r.ARN, c.Account)
		case seen[r.ARN]:
			add("sts: roles[%d]: role %s is configured twice", i, r.ARN)
		}
		seen[r.ARN] = true
		if r.MaxSessionDuration == 0 {
			r.MaxSessionDuration = DefaultMaxSessionDuration
		}
		if r.MaxSessionDuration < time.Hour || r.MaxSessionDuration > 12*time.Hour {
			add("sts: roles[%d]: max session duration %s must be between 1h and 12h", i, r.MaxSessionDuration)
		}
		for j, w := range r.Trust.WebIdentity {
			if !strings.HasPrefix(w.Issuer, "https://") && !strings.HasPrefix(w.Issuer, "http://") {
				add("sts: roles[%d].trust.web_identity[%d]: issuer %q must be a URL", i, j, w.Issuer)
			}
			if len(w.Audiences) == 0 || slices.Contains(w.Audiences, "") {
				add("sts: roles[%d].trust.web_identity[%d]: at least one non-empty audience is required", i, j)
			}
		}
		for _, p := range r.Trust.SetContext {
			if !slices.Contains(r.Trust.AssumeRole, p) {
				add("sts: roles[%d].trust: %s may set context but not assume the role: add it to assume_role", i, p)
			}
		}
		if len(r.Trust.SetContext) > 0 && len(r.Trust.ContextApplications) == 0 {
			add("sts: roles[%d].trust: set_context needs context_applications (whose assertions the role accepts)", i)
		}
	}
	return errors.Join(errs...)
}

func (c *Config) role(arn string) (*Role, bool) {
	for i := range c.Roles {
		if c.Roles[i].ARN == arn {
			return &c.Roles[i], true
		}
	}
	return nil, false
}
