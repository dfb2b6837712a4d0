package dataapi

import (
	"context"
	"errors"
	"strings"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy/desired"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Policy as code: plan, apply and export for security admins. The files
// and plans travel whole in one request; only superusers and sys:secadmin
// holders may use them, and every call is audited (kind "policy_plan",
// "policy_apply", "policy_export") with the planned or applied statements.

// MaxPolicyFiles bounds the files of one plan request.
const MaxPolicyFiles = 1000

// PolicyPlanInput is a desired state: the policy files, in the order given.
type PolicyPlanInput struct {
	Files []desired.Source `json:"Files"`
}

// PolicyApplyOutput says what an applied plan did.
type PolicyApplyOutput struct {
	// PolicyVersion is the catalog's policy version after the plan.
	PolicyVersion int64 `json:"PolicyVersion"`
	Statements    int   `json:"Statements"`
}

// PolicyExportOutput is the live catalog as policy files.
type PolicyExportOutput struct {
	PolicyVersion int64            `json:"PolicyVersion"`
	Files         []desired.Source `json:"Files"`
}

func (s *Service) policyEngine(ctx context.Context, p identity.Principal, what string) (engine.PolicyApplier, error) {
	if !s.securityAdmin(ctx, p) {
		return nil, &Error{Kind: AccessDenied, Message: "only superusers and sys:secadmin may " + what}
	}
	pa, ok := s.eng.(engine.PolicyApplier)
	if !ok {
		return nil, &Error{Kind: Validation, Message: "this warehouse engine cannot apply policy plans"}
	}
	return pa, nil
}

// PolicyPlan plans the change from the live catalog to the files' state.
func (s *Service) PolicyPlan(ctx context.Context, p identity.Principal, in PolicyPlanInput) (*desired.Plan, error) {
	pa, err := s.policyEngine(ctx, p, "plan policy changes")
	if err != nil {
		return nil, err
	}
	if len(in.Files) == 0 || len(in.Files) > MaxPolicyFiles {
		return nil, validation("Files must hold 1 to %d policy files; an empty desired state is one empty file", MaxPolicyFiles)
	}
	plan, err := desired.MakePlan(ctx, s.eng.Catalog(), in.Files, pa.PolicyAnalyzer())
	if err != nil {
		s.auditPolicy(ctx, p, "policy_plan", nil, err)
		return nil, s.policyError(ctx, err)
	}
	s.auditPolicy(ctx, p, "policy_plan", plan.Statements(), nil)
	return plan, nil
}

// PolicyApply applies a plan in one transaction, refusing it if the
// catalog's policy version is not the plan's or the result is not the
// state the plan was made for.
func (s *Service) PolicyApply(ctx context.Context, p identity.Principal, plan *desired.Plan) (*PolicyApplyOutput, error) {
	pa, err := s.policyEngine(ctx, p, "apply policy plans")
	if err != nil {
		return nil, err
	}
	stmts := plan.Statements()
	// The attempt is on record before anything changes; a plan whose
	// attempt cannot be recorded is not applied.
	if err := s.writePolicyAudit(ctx, p, "policy_apply", stmts, StatusStarted, nil); err != nil {
		return nil, &Error{Kind: InternalServer, Message: "the audit log could not be written", Err: err}
	}
	next, err := pa.ApplyPolicy(ctx, p, plan.PolicyVersion, stmts, plan.Check)
	s.auditPolicy(ctx, p, "policy_apply", stmts, err)
	if err != nil {
		return nil, s.policyError(ctx, err)
	}
	return &PolicyApplyOutput{PolicyVersion: next.PolicyVersion, Statements: len(stmts)}, nil
}

// PolicyExport writes the live catalog as policy files.
func (s *Service) PolicyExport(ctx context.Context, p identity.Principal) (*PolicyExportOutput, error) {
	pa, err := s.policyEngine(ctx, p, "export policies")
	if err != nil {
		return nil, err
	}
	cat := s.eng.Catalog()
	files, err := desired.Export(ctx, cat, pa.PolicyAnalyzer())
	s.auditPolicy(ctx, p, "policy_export", nil, err)
	if err != nil {
		return nil, s.policyError(ctx, err)
	}
	return &PolicyExportOutput{PolicyVersion: cat.PolicyVersion, Files: files}, nil
}

// policyError turns a planning or applying failure into the API's error:
// what was wrong with the files or the plan is the caller's to read (it
// names only catalog objects, which a security admin sees anyway).
func (s *Service) policyError(ctx context.Context, err error) error {
	var se *sqlerr.Error
	var de *desired.Error
	switch {
	case errors.As(err, &de), errors.As(err, &se) && se.Code != sqlerr.Internal:
		return &Error{Kind: Validation, Message: strings.TrimPrefix(err.Error(), "ERROR: "), Err: err}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Error{Kind: QueryTimeout, Message: "the request ended before the policy change was made", Err: err}
	}
	s.opts.Logger.ErrorContext(ctx, "policy as code failed", "err", err)
	return &Error{Kind: InternalServer, Message: "the policy change could not be made", Err: err}
}

func (s *Service) auditPolicy(ctx context.Context, p identity.Principal, kind string, stmts []string, err error) {
	status := StatusFinished
	if err != nil {
		status = StatusFailed
	}
	if werr := s.writePolicyAudit(ctx, p, kind, stmts, status, err); werr != nil {
		s.opts.Logger.ErrorContext(ctx, "audit write failed", "kind", kind, "err", werr)
	}
}

func (s *Service) writePolicyAudit(ctx context.Context, p identity.Principal, kind string, stmts []string, status string, err error) error {
	if s.opts.Audit == nil {
		return nil
	}
	info := requestInfo(ctx)
	rec := audit.Record{Time: s.opts.Clock(), Kind: kind, User: p.User, Groups: p.Groups, Binding: info.Binding, Source: info.Source,
		RequestID: info.RequestID, SQL: strings.Join(stmts, ";\n"), Status: status, Rows: int64(len(stmts))}
	if d, derr := s.eng.Decide(ctx, p); derr == nil {
		rec.Roles = d.Subject.Roles
	}
	if err != nil {
		rec.Error = err.Error()
	}
	return s.opts.Audit.Write(rec)
}
