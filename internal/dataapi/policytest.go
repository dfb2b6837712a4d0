package dataapi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/expect"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

// PolicyTestInput is expectation files (TOML) to check against the live
// warehouse.
type PolicyTestInput struct {
	Files []desired.Source `json:"Files"`
}

// PolicyTestOutput is what the check found.
type PolicyTestOutput struct {
	Expectations int      `json:"Expectations"`
	Checks       int      `json:"Checks"`
	Failures     []string `json:"Failures"`
}

// PolicyTest checks expectation files against the live warehouse as the
// principals they name: a security admin viewing the warehouse as each of
// them, as the dashboard's "view as" does, and audited the same way (one
// view_as record per principal, then a policy_test record). Statements
// that must be refused run in transactions that are rolled back.
func (s *Service) PolicyTest(ctx context.Context, admin identity.Principal, in PolicyTestInput) (*PolicyTestOutput, error) {
	if !s.securityAdmin(ctx, admin) {
		return nil, &Error{Kind: AccessDenied, Message: "only superusers and sys:secadmin may test policies against the warehouse"}
	}
	if len(in.Files) == 0 || len(in.Files) > MaxPolicyFiles {
		return nil, validation("Files must hold 1 to %d expectation files", MaxPolicyFiles)
	}
	var files []*expect.File
	var errs []error
	for _, f := range in.Files {
		ef, err := expect.Parse(f.Name, f.Text)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		files = append(files, ef)
	}
	if len(errs) > 0 {
		return nil, validation("%s", errors.Join(errs...).Error())
	}
	seen := map[string]bool{}
	for _, f := range files {
		for _, e := range f.Expect {
			p, err := e.Principal()
			if err != nil {
				return nil, validation("%s: %s", f.Name, strings.TrimPrefix(err.Error(), "identity: "))
			}
			key := p.User + "\x00" + strings.Join(p.Groups, "\x00")
			if seen[key] {
				continue
			}
			seen[key] = true
			// As with "view as": a superuser sees more than any federated
			// person can, and is no one to test a policy as.
			if d, err := s.eng.Decide(ctx, p); err != nil || d.Subject.Superuser {
				return nil, validation("%s: %s cannot be tested remotely: it is a superuser", f.Name, p.User)
			}
			if err := s.AuditViewAs(ctx, admin, p); err != nil {
				return nil, err
			}
		}
	}
	res, err := expect.Run(ctx, s.eng, files)
	var failures []string
	for _, f := range res.Failures {
		failures = append(failures, f.String())
	}
	var runErr error
	switch {
	case err != nil:
		runErr = err
	case len(failures) > 0:
		runErr = fmt.Errorf("%d of %d checks failed", len(failures), res.Checks)
	}
	s.auditPolicy(ctx, admin, "policy_test", nil, runErr)
	if err != nil {
		return nil, s.policyError(ctx, err)
	}
	if failures == nil {
		failures = []string{}
	}
	return &PolicyTestOutput{Expectations: res.Expectations, Checks: res.Checks, Failures: failures}, nil
}
