package dataapi

import (
	"context"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/identity"
)

// AuditCachedResult records that p (holding roles) was answered from the
// cached result of statement id, which ran the same SQL in p's policy
// context, without running it again. A cached answer is still a read of data: the record
// names who read what, through which binding and on whose behalf, and
// carries the policies the original statement ran under, so the audit log
// shows every answer, not only every statement.
func (s *Service) AuditCachedResult(ctx context.Context, p identity.Principal, roles []string, id, sql string, rows int64) {
	if s.opts.Audit == nil {
		return
	}
	info := requestInfo(ctx)
	rec := audit.Record{Time: s.opts.Clock(), Kind: "cached_result", User: p.User, Actor: info.Actor, Groups: p.Groups, Roles: roles,
		Binding: info.Binding, Source: info.Source, RequestID: info.RequestID, StatementID: id, SQL: sql, Status: StatusFinished, Rows: rows}
	// The statement the answer came from ran moments ago (the cache keeps
	// answers briefly), so its record is among the newest.
	if orig := s.opts.Audit.Recent(func(r audit.Record) bool { return r.Kind == "statement" && r.StatementID == id }, 1); len(orig) == 1 {
		rec.Policies = orig[0].Policies
	}
	if err := s.opts.Audit.Write(rec); err != nil {
		s.opts.Logger.ErrorContext(ctx, "audit write failed", "err", err)
	}
}
