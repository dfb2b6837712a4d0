package dataapi

import (
	"context"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
)

type requestInfoKey struct{}

// RequestInfo is what a binding knows about a call: which binding, the
// caller's network address and the request's id. It travels in the context
// for the audit log.
type RequestInfo struct {
	Binding string
	Source  string
	// RequestID is the HTTP request's id; requestInfo takes it from the
	// context (reqid) when the binding leaves it empty.
	RequestID string
	// Actor is the security admin viewing the warehouse as the statement's
	// principal (the dashboard's "view as"); empty otherwise.
	Actor string
}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

func requestInfo(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	if info.Binding == "" {
		info.Binding = "internal"
	}
	if info.RequestID == "" {
		info.RequestID = reqid.ID(ctx)
	}
	return info
}

// AuditAuthFailure records a refused authentication. reason is a stable
// code, never the credential.
func (s *Service) AuditAuthFailure(ctx context.Context, reason string) {
	info := requestInfo(ctx)
	if s.opts.Observer != nil {
		s.opts.Observer.AuthFailed(info.Binding, reason)
	}
	if s.opts.Audit == nil {
		return
	}
	if err := s.opts.Audit.Write(audit.Record{Time: s.opts.Clock(), Kind: "auth_failure", Binding: info.Binding, Source: info.Source,
		RequestID: info.RequestID, Error: reason}); err != nil {
		s.opts.Logger.ErrorContext(ctx, "audit write failed", "err", err)
	}
}

func (s *Service) auditStatement(st *statement, sub *subStatement, policies []string) {
	d := sub.data()
	if s.opts.Observer != nil {
		s.opts.Observer.StatementEnded(st.info.Binding, d.Status, time.Duration(d.Duration))
	}
	if s.opts.Audit == nil {
		return
	}
	// The roles the principal holds in the current catalog: the subject
	// alone, not Decide's access to every table, which the record does
	// not need (that was a tenth of a small statement's allocations).
	roles := s.eng.Catalog().Subject(st.principal).Roles
	var names []string
	for _, p := range st.in.Parameters {
		names = append(names, p.Name)
	}
	rec := audit.Record{Time: s.opts.Clock(), Kind: "statement", User: st.principal.User, Actor: st.info.Actor, Groups: st.principal.Groups, Roles: roles,
		Binding: st.info.Binding, Source: st.info.Source, RequestID: st.info.RequestID, StatementID: sub.id, SQL: sub.sql, ParamNames: names, Status: d.Status,
		Rows: d.ResultRows, Bytes: d.ResultSize, DurationNS: d.Duration, Policies: policies, Error: d.Error}
	if err := s.opts.Audit.Write(rec); err != nil {
		s.opts.Logger.ErrorContext(st.logContext(), "audit write failed", "statement_id", sub.id, "err", err)
	}
}

// AuditViewAs records that admin started viewing the warehouse as p. Only
// a superuser or sys:secadmin holder may; the record is written before the
// first statement runs as p, and a failure to write it refuses the view.
func (s *Service) AuditViewAs(ctx context.Context, admin, p identity.Principal) error {
	if !s.securityAdmin(ctx, admin) {
		return &Error{Kind: AccessDenied, Message: "only superusers and sys:secadmin may view the warehouse as another user"}
	}
	if s.opts.Audit == nil {
		return nil
	}
	info := requestInfo(ctx)
	d, err := s.eng.Decide(ctx, p)
	if err != nil {
		return engineError(err)
	}
	roles := d.Subject.Roles
	if err := s.opts.Audit.Write(audit.Record{Time: s.opts.Clock(), Kind: "view_as", User: p.User, Actor: admin.User, Groups: p.Groups,
		Roles: roles, Binding: info.Binding, Source: info.Source, RequestID: info.RequestID}); err != nil {
		return &Error{Kind: InternalServer, Message: "the audit log could not be written", Err: err}
	}
	return nil
}

// History returns the statements of the audit window, for SYS_QUERY_HISTORY.
func (s *Service) History() []engine.QueryRecord {
	if s.opts.Audit == nil {
		return nil
	}
	var out []engine.QueryRecord
	for _, r := range s.opts.Audit.Recent(nil, 0) {
		if r.Kind != "statement" {
			continue
		}
		out = append(out, engine.QueryRecord{User: r.User, StatementID: r.StatementID, Binding: r.Binding, Source: r.Source,
			Status: r.Status, Error: r.Error, SQL: r.SQL, Start: r.Time.Add(-time.Duration(r.DurationNS)), End: r.Time,
			Rows: r.Rows, Bytes: r.Bytes, Policies: r.Policies})
	}
	return out
}

// securityAdmin reports whether the engine decides p is a superuser or holds
// sys:secadmin; if it cannot answer, p is not (fail closed).
func (s *Service) securityAdmin(ctx context.Context, p identity.Principal) bool {
	d, err := s.eng.Decide(ctx, p)
	return err == nil && (d.Subject.Superuser || d.Subject.SecAdmin)
}

// AuditLog returns the newest audit records to a superuser or sys:secadmin
// holder; anyone else is refused.
func (s *Service) AuditLog(ctx context.Context, p identity.Principal, limit int) ([]audit.Record, error) {
	if !s.securityAdmin(ctx, p) {
		return nil, &Error{Kind: AccessDenied, Message: "only superusers and sys:secadmin may read the audit log"}
	}
	if s.opts.Audit == nil {
		return []audit.Record{}, nil
	}
	out := s.opts.Audit.Recent(nil, limit)
	if out == nil {
		out = []audit.Record{}
	}
	return out, nil
}
