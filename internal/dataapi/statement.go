package dataapi

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
)

// statement is one ExecuteStatement or BatchExecuteStatement call.
type statement struct {
	id        string
	owner     string
	principal identity.Principal
	in        ExecuteInput
	batch     bool
	// info is the submitting request's, captured when it was submitted:
	// the statement runs after that request may have ended, and its audit
	// records and log lines carry that request's id.
	info      RequestInfo
	created   time.Time
	slotFreed bool // guarded by Service.mu
	// remote is a snapshot of a statement another replica runs or ran,
	// read from the shared store.
	remote bool
	done   chan struct{}
	// onEnd runs once when the statement ends, before done is closed.
	onEnd func()

	mu      sync.Mutex
	status  string
	err     failure
	updated time.Time
	cancel  context.CancelFunc
	aborted bool
	// ending: the statement finished or failed and onEnd (which, with a
	// shared store, writes its end there) has not returned; describe
	// still says STARTED, so a client that sees the end here and asks
	// another replica for the result finds it ended there too.
	ending bool
	subs   []*subStatement
}

type subStatement struct {
	id  string
	sql string

	mu       sync.Mutex
	status   string
	err      failure
	created  time.Time
	updated  time.Time
	duration time.Duration
	result   *result
	affected int64
}

// newUUID is a random (version 4) UUID, the Data API's id format.
func newUUID() string { return uuid.NewString() }

func newStatement(p identity.Principal, own string, in ExecuteInput, sqls []string, batch bool, now time.Time) *statement {
	st := &statement{id: newUUID(), owner: own, principal: p, in: in, batch: batch, created: now, updated: now,
		status: StatusSubmitted, done: make(chan struct{})}
	for i, q := range sqls {
		id := st.id
		if batch {
			id = fmt.Sprintf("%s:%d", st.id, i+1)
		}
		st.subs = append(st.subs, &subStatement{id: id, sql: q, status: StatusSubmitted, created: now, updated: now, affected: -1})
	}
	return st
}

// logContext is a context for the statement's log lines: it carries the
// submitting request's id (reqid.NewHandler adds it as request_id).
func (st *statement) logContext() context.Context {
	if st.info.RequestID == "" {
		return context.Background()
	}
	return reqid.WithID(context.Background(), st.info.RequestID)
}

func (st *statement) setCancel(c context.CancelFunc) {
	st.mu.Lock()
	st.cancel = c
	st.mu.Unlock()
}

func (st *statement) transition(status string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.aborted {
		return
	}
	st.status, st.updated = status, now
}

func (st *statement) active() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.status == StatusSubmitted || st.status == StatusPicked || st.status == StatusStarted
}

func (st *statement) isAborted() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.aborted
}

func (st *statement) fail(msg failure, now time.Time) {
	st.mu.Lock()
	if !st.aborted {
		st.status, st.err, st.updated, st.ending = StatusFailed, msg, now, true
	}
	st.mu.Unlock()
	st.end()
}

func (st *statement) complete(now time.Time) {
	st.mu.Lock()
	if !st.aborted {
		st.status, st.updated, st.ending = StatusFinished, now, true
	}
	st.mu.Unlock()
	st.end()
}

func (st *statement) end() {
	if st.onEnd != nil {
		st.onEnd()
	}
	// An ended statement is kept for the retention period: it must not
	// keep the submitting request's context chain alive through its
	// cancel function, nor the service through onEnd.
	st.onEnd = nil
	st.mu.Lock()
	st.cancel = nil
	st.ending = false
	st.mu.Unlock()
	close(st.done)
}

// abort cancels a running statement; it reports false when the statement
// is no longer running.
func (st *statement) abort(now time.Time) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.status != StatusSubmitted && st.status != StatusPicked && st.status != StatusStarted {
		return false
	}
	st.aborted = true
	st.status, st.updated = StatusAborted, now
	if st.cancel != nil {
		st.cancel()
	}
	return true
}

func (st *statement) wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-st.done:
	case <-t.C:
	case <-ctx.Done():
	}
}

func (st *statement) removeResults() {
	for _, sub := range st.subs {
		sub.mu.Lock()
		sub.result.remove()
		sub.result = nil
		sub.mu.Unlock()
	}
}

func (sub *subStatement) setStatus(status string, now time.Time) {
	sub.mu.Lock()
	sub.status, sub.updated = status, now
	sub.mu.Unlock()
}

func (sub *subStatement) finish(status string, msg failure, res *result, affected int64, d time.Duration) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	sub.status, sub.err, sub.result, sub.duration = status, msg, res, d
	sub.updated = sub.created.Add(d)
	if res != nil {
		sub.affected = res.rows
	} else {
		sub.affected = affected
	}
}

func (sub *subStatement) data() SubStatement {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	d := SubStatement{ID: sub.id, Status: sub.status, QueryString: sub.sql, Duration: sub.duration.Nanoseconds(), Error: sub.err.text, SqlState: sub.err.sqlState,
		CreatedAt: sub.created, UpdatedAt: sub.updated, ResultRows: sub.affected, ResultSize: -1, HasResultSet: sub.result != nil}
	if sub.result != nil {
		d.ResultSize = sub.result.size
	}
	if d.Status != StatusFinished {
		d.ResultRows, d.ResultSize = -1, -1
	}
	return d
}

// describe renders DescribeStatement for the whole statement.
func (st *statement) describe() DescribeOutput {
	st.mu.Lock()
	d := DescribeOutput{ID: st.id, Status: st.status, Error: st.err.text, SqlState: st.err.sqlState, CreatedAt: st.created, UpdatedAt: st.updated,
		QueryParameters: st.in.Parameters, ResultFormat: resultFormat(st.in.ResultFormat), SessionID: st.in.SessionID,
		Database: st.in.Database, DbUser: st.principal.User, ClusterIdentifier: st.in.ClusterIdentifier, WorkgroupName: st.in.WorkgroupName,
		ResultRows: -1, ResultSize: -1}
	if st.ending {
		d.Status, d.Error, d.SqlState = StatusStarted, "", ""
	}
	st.mu.Unlock()
	var subs []SubStatement
	for _, sub := range st.subs {
		subs = append(subs, sub.data())
	}
	var total time.Duration
	for _, sd := range subs {
		total += time.Duration(sd.Duration)
		d.HasResultSet = d.HasResultSet || sd.HasResultSet
	}
	d.Duration = total.Nanoseconds()
	if st.batch {
		d.SubStatements = subs
		d.QueryString = ""
	} else {
		d.QueryString = subs[0].QueryString
		d.ResultRows, d.ResultSize = subs[0].ResultRows, subs[0].ResultSize
		if subs[0].Status != StatusSubmitted && subs[0].Status != StatusStarted && d.Status != StatusFinished {
			d.ResultRows, d.ResultSize = -1, -1
		}
	}
	return d
}

func resultFormat(f string) string {
	if f == "" {
		return "JSON"
	}
	return f
}

func (st *statement) queryStrings() []string {
	var out []string
	for _, sub := range st.subs {
		out = append(out, sub.sql)
	}
	return slices.Clip(out)
}
