package dataapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
)

// Shared mode (Options.Store set): statements, their results, sessions and
// ClientTokens live in the store replicas share, so a statement started on
// one replica is described, fetched, listed and cancelled on any. The
// replica running a statement keeps it in memory too (s.stmts) and answers
// from there; others read the store. A statement's record is written when
// it is admitted (the insert applies the principal's quotas across
// replicas) and when it ends, after its result pages.

// errUnavailable refuses work while the shared store does not answer.
func errUnavailable(err error) *Error {
	return &Error{Kind: Unavailable, Message: "tipgate's shared store is unavailable; retry shortly", Err: err}
}

// storeError maps a store failure that is not a refusal the caller must see.
func storeError(err error) *Error {
	if errors.Is(err, store.ErrUnavailable) {
		return errUnavailable(err)
	}
	return &Error{Kind: InternalServer, Message: "the statement store failed", Err: err}
}

// record is a statement as the store keeps it (store.Statement.Body).
type record struct {
	Principal identity.Principal `json:"principal"`
	In        ExecuteInput       `json:"in"`
	Batch     bool               `json:"batch,omitempty"`
	Info      RequestInfo        `json:"info"`
	SQLState  string             `json:"sqlstate,omitempty"`
	Subs      []subRecord        `json:"subs"`
}

type subRecord struct {
	ID       string      `json:"id"`
	SQL      string      `json:"sql"`
	Status   string      `json:"status"`
	Error    string      `json:"error,omitempty"`
	SQLState string      `json:"sqlstate,omitempty"`
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
	Duration int64       `json:"duration_ns"`
	Affected int64       `json:"affected"`
	Result   *resultMeta `json:"result,omitempty"`
}

// resultMeta describes a stored result; its pages are in the shared
// store.ResultStore under the sub-statement's id.
type resultMeta struct {
	Format  string           `json:"format"`
	Columns []ColumnMetadata `json:"columns"`
	Rows    int64            `json:"rows"`
	Size    int64            `json:"size"`
	Pages   int              `json:"pages"`
}

// storeOwner is how an owner is named in the store: a hash of it (owners
// join issuer, user and role with NUL bytes, which PostgreSQL text cannot
// hold, and the store needs only equality).
func storeOwner(own string) string {
	h := sha256.Sum256([]byte(own))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// storeRecord is st as the store keeps it.
func (s *Service) storeRecord(st *statement) (store.Statement, error) {
	st.mu.Lock()
	rec := store.Statement{ID: st.id, Owner: storeOwner(st.owner), Name: st.in.StatementName, Replica: s.opts.Replica, Status: st.status, Error: st.err.text,
		Created: st.created, Updated: st.updated}
	stateOf := st.err.sqlState
	st.mu.Unlock()
	rec.Active = rec.Status == StatusSubmitted || rec.Status == StatusPicked || rec.Status == StatusStarted
	body := record{Principal: st.principal, In: st.in, Batch: st.batch, Info: st.info, SQLState: stateOf}
	body.In.WaitTimeSeconds = nil
	for _, sub := range st.subs {
		sub.mu.Lock()
		sr := subRecord{ID: sub.id, SQL: sub.sql, Status: sub.status, Error: sub.err.text, SQLState: sub.err.sqlState, Created: sub.created, Updated: sub.updated,
			Duration: sub.duration.Nanoseconds(), Affected: sub.affected}
		if r := sub.result; r != nil {
			sr.Result = &resultMeta{Format: r.format, Columns: r.columns, Rows: r.rows, Size: r.size, Pages: r.pages}
		}
		sub.mu.Unlock()
		body.Subs = append(body.Subs, sr)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return store.Statement{}, fmt.Errorf("dataapi: encode statement: %w", err)
	}
	rec.Body = b
	return rec, nil
}

// fromRecord rebuilds a statement another replica runs or ran, as a
// snapshot: its results are read from the store.
func (s *Service) fromRecord(rec store.Statement, own string) (*statement, error) {
	var body record
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		return nil, fmt.Errorf("dataapi: decode statement %s: %w", rec.ID, err)
	}
	st := &statement{id: rec.ID, owner: own, principal: body.Principal, in: body.In, batch: body.Batch, info: body.Info,
		created: rec.Created, status: rec.Status, err: failure{text: rec.Error, sqlState: body.SQLState}, updated: rec.Updated, remote: true, done: make(chan struct{})}
	for _, sr := range body.Subs {
		sub := &subStatement{id: sr.ID, sql: sr.SQL, status: sr.Status, err: failure{text: sr.Error, sqlState: sr.SQLState}, created: sr.Created, updated: sr.Updated,
			duration: time.Duration(sr.Duration), affected: sr.Affected}
		if !rec.Active && (sub.status == StatusSubmitted || sub.status == StatusPicked || sub.status == StatusStarted) {
			// Ended by another replica's abort or by the reaper while it
			// ran: it ends as its statement did.
			sub.status, sub.err, sub.updated = rec.Status, failure{text: rec.Error}, rec.Updated
		}
		if m := sr.Result; m != nil {
			res, err := storedResult(s.results, sr.ID, m)
			if err != nil {
				return nil, err
			}
			sub.result = res
		}
		st.subs = append(st.subs, sub)
	}
	if len(st.subs) == 0 {
		return nil, fmt.Errorf("dataapi: statement %s has no statements", rec.ID)
	}
	if !rec.Active {
		close(st.done)
	}
	return st, nil
}

// lookupShared finds a statement another replica runs or ran. With key
// set and a store that can (store.StatementPager), the first page of
// result key comes in the same round trip, kept with the result.
func (s *Service) lookupShared(ctx context.Context, own, base, key string, now time.Time) (*statement, error) {
	var rec store.Statement
	var first []byte
	var err error
	if sp, ok := s.opts.Store.Statements().(store.StatementPager); ok && key != "" {
		rec, first, err = sp.GetWithPage(ctx, base, storeOwner(own), key, 1)
	} else {
		rec, err = s.opts.Store.Statements().Get(ctx, base)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, storeError(err)
	}
	if rec.Owner != storeOwner(own) || (!rec.Active && now.Sub(rec.Created) > s.opts.Retention) {
		return nil, nil
	}
	st, err := s.fromRecord(rec, own)
	if err != nil {
		return nil, &Error{Kind: InternalServer, Message: "the statement could not be read", Err: err}
	}
	if first != nil {
		for _, sub := range st.subs {
			if sub.id == key && sub.result != nil {
				sub.result.first = first
			}
		}
	}
	return st, nil
}

// waitShared polls the store until another replica's statement ends or d
// passes, and returns its latest snapshot.
func (s *Service) waitShared(ctx context.Context, st *statement, d time.Duration) *statement {
	deadline := time.Now().Add(d)
	for {
		select {
		case <-st.done:
			return st
		default:
		}
		if !time.Now().Before(deadline) {
			return st
		}
		select {
		case <-ctx.Done():
			return st
		case <-time.After(min(100*time.Millisecond, time.Until(deadline))):
		}
		next, err := s.lookupShared(ctx, st.owner, st.id, "", s.opts.Clock())
		if err != nil || next == nil {
			return st
		}
		st = next
	}
}

// admitShared admits a statement through the store: its ClientToken, its
// session and the principal's quotas, across replicas. It returns the
// statement to run, or the output of the one a ClientToken names.
func (s *Service) admitShared(ctx context.Context, p identity.Principal, own string, in ExecuteInput, sqls []string, batch bool, now time.Time) (*statement, *ExecuteOutput, error) {
	sh := s.opts.Store
	tokenKey := storeOwner(own) + "/" + in.ClientToken
	if in.ClientToken != "" {
		id, err := sh.ClientTokens().Get(ctx, tokenKey, now.Add(-s.opts.ClientTokenTTL))
		switch {
		case err == nil:
			if st, _, err := s.lookup(ctx, p, id); err == nil {
				return nil, s.executeOutput(st, p), nil
			}
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, storeError(err)
		}
	}
	st := newStatement(p, own, in, sqls, batch, now)
	st.info = requestInfo(ctx)
	opened, err := s.bindSessionShared(ctx, own, st, now)
	if err != nil {
		return nil, nil, err
	}
	rec, err := s.storeRecord(st)
	if err == nil {
		err = sh.Statements().Insert(ctx, rec, store.Admission{MaxActive: s.opts.MaxActive, MaxRunning: s.opts.MaxRunningTime, Floor: RunningTimeFloor, Now: now})
	}
	if err != nil {
		if st.in.SessionID != "" && (opened || in.SessionID != "") {
			_ = sh.DataSessions().Release(context.WithoutCancel(ctx), st.in.SessionID, now)
		}
		var ae *store.AdmissionError
		if errors.As(err, &ae) {
			return nil, nil, s.admissionError(ae)
		}
		return nil, nil, storeError(err)
	}
	if in.ClientToken != "" {
		if _, err := sh.ClientTokens().Put(ctx, tokenKey, st.id, now, now.Add(-s.opts.ClientTokenTTL)); err != nil {
			s.opts.Logger.WarnContext(ctx, "client token not recorded", "statement_id", st.id, "err", err)
		}
	}
	return st, nil, nil
}

func (s *Service) admissionError(ae *store.AdmissionError) *Error {
	if !ae.RunningTime {
		return &Error{Kind: ActiveStatementsExceeded, Message: fmt.Sprintf("Active statements exceeded the allowed quota (%d).", s.opts.MaxActive)}
	}
	return &Error{Kind: RunningTimeExceeded, Message: fmt.Sprintf(
		"Running time exceeded the allowed quota: your %d running statements have run %s together, the limit is %s; wait for them to finish or cancel some.",
		ae.Active, ae.Running.Round(time.Second), s.opts.MaxRunningTime)}
}

// bindSessionShared opens or joins the session the input names, in the
// store; opened reports a new session.
func (s *Service) bindSessionShared(ctx context.Context, own string, st *statement, now time.Time) (opened bool, err error) {
	in := st.in
	if in.SessionKeepAliveSeconds != nil && (*in.SessionKeepAliveSeconds < 0 || *in.SessionKeepAliveSeconds > 86400) {
		return false, validation("SessionKeepAliveSeconds must be between 0 and 86400")
	}
	ds := s.opts.Store.DataSessions()
	if in.SessionID != "" {
		ka := time.Duration(-1)
		if in.SessionKeepAliveSeconds != nil {
			ka = time.Duration(*in.SessionKeepAliveSeconds) * time.Second
		}
		err := ds.Acquire(ctx, in.SessionID, storeOwner(own), st.id, ka, now, maxSessionLife)
		var be *store.BusyError
		switch {
		case err == nil:
			return false, nil
		case errors.Is(err, store.ErrNotFound):
			return false, validation("session %s is not open for you", in.SessionID)
		case errors.As(err, &be):
			return false, validation("session %s is busy running statement %s; statements in a session run one at a time", in.SessionID, be.Statement)
		}
		return false, storeError(err)
	}
	if in.SessionKeepAliveSeconds == nil || *in.SessionKeepAliveSeconds == 0 {
		return false, nil
	}
	sess := store.DataSession{ID: newUUID(), Owner: storeOwner(own), Created: now, LastUsed: now, KeepAlive: time.Duration(*in.SessionKeepAliveSeconds) * time.Second, Busy: st.id}
	err = ds.Open(ctx, sess, s.opts.MaxSessions, s.opts.MaxSessionsPerOwner, maxSessionLife)
	if errors.Is(err, store.ErrQuota) {
		return false, &Error{Kind: ActiveSessionsExceeded, Message: fmt.Sprintf("Active sessions exceeded the allowed quota (%d per principal, %d in all).", s.opts.MaxSessionsPerOwner, s.opts.MaxSessions)}
	}
	if err != nil {
		return false, storeError(err)
	}
	st.in.SessionID = sess.ID
	return true, nil
}

// holdResults reports whether small results wait for their statement's
// end to be committed with it (a shared store that can, pgstore): one
// round trip fewer per statement.
func (s *Service) holdResults() bool {
	if s.opts.Store == nil {
		return false
	}
	_, ok := s.opts.Store.Statements().(store.StatementEnder)
	return ok
}

// persistEnd writes an ended statement's record with the results it still
// holds (the others were committed while it ran) and frees its session.
// It runs before anyone waiting on the statement wakes, so a client that
// saw it end finds it ended, with its results, on every replica.
func (s *Service) persistEnd(st *statement) {
	ctx := st.logContext()
	sh := s.opts.Store
	rec, err := s.storeRecord(st)
	if err == nil {
		if se, ok := sh.Statements().(store.StatementEnder); ok {
			var held []store.ResultWriter
			for _, sub := range st.subs {
				sub.mu.Lock()
				if r := sub.result; r != nil && r.writer != nil {
					held = append(held, r.writer)
				}
				sub.mu.Unlock()
			}
			err = se.End(ctx, rec, held)
		} else {
			err = sh.Statements().Update(ctx, rec)
		}
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		// Aborted on another replica, or failed by the reaper while this
		// replica could not beat: the store's end stands.
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "statement end not stored", "statement_id", st.id, "err", err)
	}
	if st.in.SessionID != "" {
		if err := sh.DataSessions().Release(ctx, st.in.SessionID, s.opts.Clock()); err != nil {
			s.opts.Logger.ErrorContext(ctx, "session not released", "session_id", st.in.SessionID, "err", err)
		}
	}
}

// cancelShared cancels a statement another replica runs: the store ends
// it, and its replica sees that at its next heartbeat (SyncAborts).
func (s *Service) cancelShared(ctx context.Context, st *statement) (bool, error) {
	ok, err := s.opts.Store.Statements().Abort(ctx, st.id, s.opts.Clock())
	if err != nil {
		return false, storeError(err)
	}
	if !ok {
		if cur, err := s.lookupShared(ctx, st.owner, st.id, "", s.opts.Clock()); err == nil && cur != nil {
			st = cur
		}
		return false, validation("Could not cancel a query that is already in %s state.", st.describe().Status)
	}
	return true, nil
}

// listShared returns the owner's statements from the store, this
// replica's own in their live state.
func (s *Service) listShared(ctx context.Context, own, prefix string) ([]*statement, error) {
	recs, err := s.opts.Store.Statements().List(ctx, storeOwner(own), prefix, 0)
	if err != nil {
		return nil, storeError(err)
	}
	now := s.opts.Clock()
	var out []*statement
	for _, rec := range recs {
		if !rec.Active && now.Sub(rec.Created) > s.opts.Retention {
			continue
		}
		s.mu.Lock()
		local := s.stmts[rec.ID]
		s.mu.Unlock()
		if local != nil {
			out = append(out, local)
			continue
		}
		st, err := s.fromRecord(rec, own)
		if err != nil {
			continue
		}
		out = append(out, st)
	}
	return out, nil
}

// SyncAborts ends this replica's statements that another replica
// cancelled (or the reaper failed) in the store. The server calls it with
// every heartbeat.
func (s *Service) SyncAborts(ctx context.Context) error {
	if s.opts.Store == nil {
		return nil
	}
	s.mu.Lock()
	var ids []string
	byID := map[string]*statement{}
	for _, set := range s.active {
		for st := range set {
			ids = append(ids, st.id)
			byID[st.id] = st
		}
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	ended, err := s.opts.Store.Statements().Ended(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ended {
		if st := byID[id]; st != nil && st.abort(s.opts.Clock()) {
			s.ended(st)
			s.opts.Logger.InfoContext(st.logContext(), "statement cancelled on another replica", "statement_id", id)
		}
	}
	return nil
}

// Maintain forgets expired statements, results, ClientTokens and sessions
// in the shared store; the server calls it about once a minute.
func (s *Service) Maintain(ctx context.Context) error {
	if s.opts.Store == nil {
		return nil
	}
	now := s.opts.Clock()
	sh := s.opts.Store
	return errors.Join(sh.Statements().Expire(ctx, now.Add(-s.opts.Retention)),
		sh.ClientTokens().Expire(ctx, now.Add(-s.opts.ClientTokenTTL)),
		sh.DataSessions().Expire(ctx, now, maxSessionLife))
}

// waitFor waits up to d for st to end: on its done channel when this
// replica runs it, by polling the store when another does.
func (s *Service) waitFor(ctx context.Context, st *statement, d time.Duration) *statement {
	if st.remote {
		return s.waitShared(ctx, st, d)
	}
	st.wait(ctx, d)
	return st
}

// storedResult is a result another replica wrote to the shared result
// store, described by its record.
func storedResult(rs store.ResultStore, key string, m *resultMeta) (*result, error) {
	res := &result{store: rs, key: key, format: m.Format, columns: m.Columns, rows: m.Rows, size: m.Size, pages: m.Pages}
	res.schema = arrowSchema(res.columns)
	var err error
	if res.colJSON, err = json.Marshal(res.columns); err != nil {
		return nil, fmt.Errorf("dataapi: encode columns: %w", err)
	}
	// The schema message (the stored page 0) is made again from the
	// columns, as the writer made it, rather than read: describing a
	// statement costs no read of its result.
	var hdr bytes.Buffer
	msg := ipc.GetSchemaPayload(res.schema, memory.DefaultAllocator)
	_, err = msg.WritePayload(&hdr)
	msg.Release()
	if err != nil {
		return nil, fmt.Errorf("dataapi: encode schema: %w", err)
	}
	res.header = hdr.Bytes()
	return res, nil
}
