package dataapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/embedded"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// Options configure the service; zero values take the Data API's limits.
type Options struct {
	// DataDir holds result files (in DataDir/results) when Results is nil.
	DataDir string
	// Results stores statements' results; nil is the embedded store
	// (memory, spilling to files in DataDir/results).
	Results store.ResultStore
	// PageRows is the number of rows per result page (default 10000; fewer
	// when their text passes 8 MiB).
	PageRows int
	// ResultCap is the largest result in bytes (default 100 MB).
	ResultCap int64
	// MaxStatementBytes bounds statement text (default 100 KB).
	MaxStatementBytes int
	// MaxActive bounds a principal's SUBMITTED+PICKED+STARTED statements (default 200).
	MaxActive int
	// MaxRunningTime is a principal's running-time budget (default three
	// times StatementTimeout): a new statement is refused while the
	// principal's running statements have together run this long, each
	// counted as at least RunningTimeFloor. See admitLocked.
	MaxRunningTime time.Duration
	// MaxSessions bounds open sessions of all principals together (default
	// MaxSessions); MaxSessionsPerOwner those of one principal (default 50).
	MaxSessions         int
	MaxSessionsPerOwner int
	// Retention keeps statements and results (default 24 h).
	Retention time.Duration
	// ClientTokenTTL keeps idempotency tokens (default 8 h).
	ClientTokenTTL time.Duration
	// StatementTimeout ends a running statement (default
	// DefaultStatementTimeout).
	StatementTimeout time.Duration
	Clock            func() time.Time
	Logger           *slog.Logger
	// Audit, when set, receives a record per statement and per refused
	// authentication.
	Audit *audit.Log
	// Observer, when set, is told of every ended statement and refused
	// authentication (metrics).
	Observer Observer
	// Store, when set, is the store replicas share: statements, results,
	// sessions and ClientTokens live there (shared.go). Nil keeps them in
	// this process, as a single server does.
	Store store.Store
	// Replica names this process in Store.
	Replica string
	// Keys holds the NextToken key (default: files under DataDir), so
	// every replica accepts the tokens of any other.
	Keys store.Keys
}

// Observer receives events for metrics.
type Observer interface {
	StatementEnded(binding, status string, d time.Duration)
	AuthFailed(binding, reason string)
}

// Active counts the statements submitted or running now.
func (s *Service) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, set := range s.active {
		n += len(set)
	}
	return n
}

// Defaults of the limits on principals' statements and sessions.
const (
	// DefaultStatementTimeout ends a statement that runs longer. The Data
	// API allows 24 h; a principal's read that long holds a worker for a
	// day, so tipgate's default is short and operators raise it.
	DefaultStatementTimeout = 5 * time.Minute
	// RunningTimeFloor is the least a running statement counts against
	// its principal's running-time budget, however young: it bounds how
	// many statements a principal can start at once to
	// MaxRunningTime / RunningTimeFloor.
	RunningTimeFloor = 10 * time.Second
	// DefaultMaxSessionsPerOwner bounds one principal's open sessions.
	DefaultMaxSessionsPerOwner = 50
)

func (o *Options) defaults() {
	if o.PageRows <= 0 {
		o.PageRows = 10000
	}
	if o.ResultCap <= 0 {
		o.ResultCap = 100 << 20
	}
	if o.MaxStatementBytes <= 0 {
		o.MaxStatementBytes = 100 << 10
	}
	if o.MaxActive <= 0 {
		o.MaxActive = 200
	}
	if o.Retention <= 0 {
		o.Retention = 24 * time.Hour
	}
	if o.ClientTokenTTL <= 0 {
		o.ClientTokenTTL = 8 * time.Hour
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = DefaultStatementTimeout
	}
	if o.MaxRunningTime <= 0 {
		o.MaxRunningTime = 3 * o.StatementTimeout
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = MaxSessions
	}
	if o.MaxSessionsPerOwner <= 0 {
		o.MaxSessionsPerOwner = DefaultMaxSessionsPerOwner
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// A statement's log lines carry the id of the request that submitted it.
	o.Logger = reqid.Logger(o.Logger)
}

// Service runs statements for principals.
type Service struct {
	eng      engine.Engine
	opts     Options
	results  store.ResultStore
	tokenKey []byte
	pages    pagePools // buffers of result pages, reused across pages

	mu       sync.Mutex
	stmts    map[string]*statement
	clients  map[string]clientToken // owner + "\x00" + ClientToken
	sessions map[string]*session
	// active holds each owner's running statements, so admission does
	// not walk every retained statement.
	active    map[string]map[*statement]struct{}
	lastSweep time.Time
	// byAge holds the retained statements and the client tokens in the
	// order they were made, so a sweep visits only what expires instead
	// of walking every map under s.mu.
	byAge    ageQueue[*statement]
	tokenAge ageQueue[clientTokenKey]
}

type clientTokenKey struct {
	key     string
	created time.Time
}

// ageQueue is a FIFO of values made in (about) time order.
type ageQueue[T any] struct {
	items []T
	head  int
}

func (q *ageQueue[T]) push(v T) { q.items = append(q.items, v) }

func (q *ageQueue[T]) len() int { return len(q.items) - q.head }

func (q *ageQueue[T]) peek() T { return q.items[q.head] }

func (q *ageQueue[T]) pop() T {
	var zero T
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head++
	// Compacted once half is dead, so the slice does not grow without
	// bound under a steady rate.
	if q.head > 1024 && q.head*2 > len(q.items) {
		q.items = append(q.items[:0:0], q.items[q.head:]...)
		q.head = 0
	}
	return v
}

type clientToken struct {
	id      string
	created time.Time
}

// New returns a service over eng.
func New(eng engine.Engine, opts Options) (*Service, error) {
	opts.defaults()
	results := opts.Results
	if results == nil {
		if opts.DataDir == "" {
			return nil, errors.New("dataapi: no data directory")
		}
		// Result files of a previous process belong to statements this
		// one does not know; the embedded store removes them. (Replicas
		// keep results in the shared store, not in files.)
		emb, err := embedded.NewResults(embedded.ResultOptions{Dir: filepath.Join(opts.DataDir, "results")})
		if err != nil {
			return nil, fmt.Errorf("dataapi: %w", err)
		}
		results = emb
	}
	keys := opts.Keys
	if keys == nil {
		if opts.DataDir == "" {
			return nil, errors.New("dataapi: no data directory for the NextToken key")
		}
		keys = memstore.FileKeys(opts.DataDir)
	}
	// One NextToken key for every replica (and every restart): a token
	// issued by one is accepted by all.
	key, err := store.KeyMaterial(context.Background(), keys, tokenKeyName, func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, fmt.Errorf("dataapi: token key: %w", err)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("dataapi: token key %s is %d bytes, want 32", tokenKeyName, len(key))
	}
	return &Service{eng: eng, opts: opts, results: results, tokenKey: key, stmts: map[string]*statement{}, clients: map[string]clientToken{}, sessions: map[string]*session{}, active: map[string]map[*statement]struct{}{}}, nil
}

// tokenKeyName is the NextToken MAC key's name in store.Keys.
const tokenKeyName = "dataapi-token.key"

// owner identifies who may see a statement: the same user from the same
// issuer, through the same IAM role when the call came with one (trusted
// identity propagation scopes statements to user and role together).
func owner(p identity.Principal) string { return p.Issuer + "\x00" + p.User + "\x00" + p.Role }

// Execute runs ExecuteStatement (Sql) or BatchExecuteStatement (Sqls).
func (s *Service) Execute(ctx context.Context, p identity.Principal, in ExecuteInput) (*ExecuteOutput, error) {
	sqls, batch, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	own := owner(p)
	now := s.opts.Clock()
	if s.opts.Store != nil {
		st, out, err := s.admitShared(ctx, p, own, in, sqls, batch, now)
		if err != nil || out != nil {
			return out, err
		}
		s.mu.Lock()
		s.expireLocked(now)
		s.stmts[st.id] = st
		if s.active[own] == nil {
			s.active[own] = map[*statement]struct{}{}
		}
		s.active[own][st] = struct{}{}
		s.mu.Unlock()
		return s.start(ctx, st, p, st.in, in.WaitTimeSeconds), nil
	}
	// Made before s.mu is taken (an id from crypto/rand, allocations): the
	// service lock is the one every request of every client takes.
	st := newStatement(p, own, in, sqls, batch, now)
	st.info = requestInfo(ctx)
	s.mu.Lock()
	s.expireLocked(now)
	if in.ClientToken != "" {
		if ct, ok := s.clients[own+"\x00"+in.ClientToken]; ok && now.Sub(ct.created) <= s.opts.ClientTokenTTL {
			prev := s.stmts[ct.id]
			s.mu.Unlock()
			if prev != nil {
				return s.executeOutput(prev, p), nil
			}
			s.mu.Lock()
		}
	}
	if err := s.admitLocked(own, now); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	sess, err := s.bindSessionLocked(own, &in, now)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st.in = in // as bound to its session
	if sess != nil {
		sess.busy = st.id
	}
	s.stmts[st.id] = st
	s.byAge.push(st)
	if s.active[own] == nil {
		s.active[own] = map[*statement]struct{}{}
	}
	s.active[own][st] = struct{}{}
	if in.ClientToken != "" {
		key := own + "\x00" + in.ClientToken
		s.clients[key] = clientToken{id: st.id, created: now}
		s.tokenAge.push(clientTokenKey{key: key, created: now})
	}
	s.mu.Unlock()
	return s.start(ctx, st, p, in, in.WaitTimeSeconds), nil
}

// start runs an admitted statement and answers ExecuteStatement, after
// waiting up to wait seconds for it to end.
func (s *Service) start(ctx context.Context, st *statement, p identity.Principal, in ExecuteInput, wait *int) *ExecuteOutput {
	in.WaitTimeSeconds = wait
	// The session and the slot are free before anyone waiting on the
	// statement wakes: a client that saw it end may send the next at once.
	st.onEnd = func() {
		if s.opts.Store != nil {
			s.persistEnd(st)
		} else if st.in.SessionID != "" {
			s.releaseSession(st.in.SessionID)
		}
		s.ended(st)
		s.logEnded(st)
		if s.opts.Store != nil {
			// Ended, it is in the store, where every replica (this one
			// too) reads it: keeping it here for the retention would
			// grow this process with every statement it ever ran.
			s.mu.Lock()
			delete(s.stmts, st.id)
			s.mu.Unlock()
		}
	}
	runCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.StatementTimeout)
	st.setCancel(cancel)
	go s.run(runCtx, cancel, st)
	if in.WaitTimeSeconds != nil && *in.WaitTimeSeconds > 0 {
		st.wait(ctx, time.Duration(*in.WaitTimeSeconds)*time.Second)
	}
	out := s.executeOutput(st, p)
	if in.WaitTimeSeconds != nil {
		d := st.describe()
		out.Status = d.Status
		out.HasResultSet = &d.HasResultSet
	}
	return out
}

// logEnded logs (at debug level) that a statement ended, with the id of
// the request that submitted it; never its text or parameters, which the
// audit log keeps redacted.
func (s *Service) logEnded(st *statement) {
	ctx := st.logContext()
	if !s.opts.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	st.mu.Lock()
	status, d := st.status, st.updated.Sub(st.created)
	st.mu.Unlock()
	s.opts.Logger.DebugContext(ctx, "statement ended", "statement_id", st.id, "binding", st.info.Binding, "status", status,
		"statements", len(st.subs), "duration_ms", float64(d.Microseconds())/1000)
}

func (s *Service) validate(in ExecuteInput) ([]string, bool, error) {
	var sqls []string
	batch := false
	switch {
	case in.Sql != "" && len(in.Sqls) > 0:
		return nil, false, validation("give either Sql or Sqls, not both")
	case in.Sql != "":
		sqls = []string{in.Sql}
	case len(in.Sqls) > 0:
		if len(in.Sqls) > 40 {
			return nil, false, validation("Sqls has %d statements; at most 40 are allowed", len(in.Sqls))
		}
		sqls, batch = in.Sqls, true
	default:
		return nil, false, validation("Sql is required")
	}
	for i, q := range sqls {
		if strings.TrimSpace(q) == "" {
			return nil, false, validation("statement %d is empty", i+1)
		}
		if len(q) > s.opts.MaxStatementBytes {
			return nil, false, validation("statement %d is %d bytes; the limit is %d", i+1, len(q), s.opts.MaxStatementBytes)
		}
	}
	switch in.ExecutionMode {
	case "", "TRANSACTION", "AUTO_COMMIT":
	default:
		return nil, false, validation("ExecutionMode must be TRANSACTION or AUTO_COMMIT, not %q", in.ExecutionMode)
	}
	switch in.ResultFormat {
	case "", "JSON", "CSV":
	default:
		return nil, false, validation("ResultFormat must be JSON or CSV, not %q", in.ResultFormat)
	}
	if len(in.StatementName) > 2048 {
		return nil, false, validation("StatementName is longer than 2048 characters")
	}
	if len(in.ClientToken) > 64 {
		return nil, false, validation("ClientToken is longer than 64 characters")
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 30) {
		return nil, false, validation("WaitTimeSeconds must be between 0 and 30")
	}
	if in.DbUser != "" || in.SecretArn != "" {
		// Identity comes from the verified principal only.
		return nil, false, validation("DbUser and SecretArn are not accepted: the caller's identity is the database user")
	}
	for _, q := range sqls {
		if _, _, err := bindParameters(q, in.Parameters); err != nil && !batch {
			return nil, false, err
		}
	}
	if batch && len(in.Parameters) > 0 {
		for _, p := range in.Parameters {
			used := false
			for _, q := range sqls {
				if strings.Contains(q, ":"+p.Name) {
					used = true
				}
			}
			if !used {
				return nil, false, validation("parameter %q is not used by any statement", p.Name)
			}
		}
	}
	return sqls, batch, nil
}

func (s *Service) executeOutput(st *statement, p identity.Principal) *ExecuteOutput {
	return &ExecuteOutput{ID: st.id, CreatedAt: st.created, Database: st.in.Database, ClusterIdentifier: st.in.ClusterIdentifier,
		WorkgroupName: st.in.WorkgroupName, DbUser: p.User, DbGroups: p.SessionRoles(), SessionID: st.in.SessionID}
}

// run executes the statement's SQL in order; the first failure ends it.
func (s *Service) run(ctx context.Context, cancel context.CancelFunc, st *statement) {
	defer cancel()
	st.transition(StatusPicked, s.opts.Clock())
	st.transition(StatusStarted, s.opts.Clock())
	if b, ok := s.eng.(engine.Batcher); ok && st.batch && st.in.ExecutionMode != "AUTO_COMMIT" {
		s.runTransaction(ctx, b, st)
		return
	}
	for i, sub := range st.subs {
		if ctx.Err() != nil {
			break
		}
		start := s.opts.Clock()
		sub.setStatus(StatusStarted, start)
		res, rowsAffected, policies, err := s.runOne(ctx, st, sub, i)
		end := s.opts.Clock()
		if err != nil {
			msg := failureOf(err)
			if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) && st.isAborted() {
				sub.finish(StatusAborted, msg, nil, -1, end.Sub(start))
				s.auditStatement(st, sub, policies)
				break
			}
			sub.finish(StatusFailed, msg, nil, -1, end.Sub(start))
			s.auditStatement(st, sub, policies)
			st.fail(msg, end)
			return
		}
		sub.finish(StatusFinished, failure{}, res, rowsAffected, end.Sub(start))
		s.auditStatement(st, sub, policies)
	}
	st.complete(s.opts.Clock())
}

func (s *Service) runOne(ctx context.Context, st *statement, sub *subStatement, i int) (*result, int64, []string, error) {
	sql, args, err := bindParameters(sub.sql, st.in.Parameters)
	if err != nil && st.batch {
		// In a batch a parameter may belong to another statement.
		sql, args, err = bindParameters(sub.sql, usedParameters(sub.sql, st.in.Parameters))
	}
	if err != nil {
		return nil, -1, nil, err
	}
	rows, err := s.eng.Query(ctx, st.principal, sql, args...)
	if err != nil {
		return nil, -1, nil, err
	}
	defer rows.Close()
	policies := engine.PolicyNames(rows)
	if len(rows.Columns()) == 0 {
		return nil, rows.RowsAffected(), policies, nil
	}
	format := st.in.ResultFormat
	if format == "" {
		format = "JSON"
	}
	res, err := writeResult(ctx, s.results, sub.id, format, rows, s.opts.PageRows, s.opts.ResultCap, s.holdResults())
	if errors.Is(err, errResultTooLarge) {
		return nil, -1, policies, sqlerr.New(sqlerr.DataException, "the result is larger than the limit of %d bytes; narrow the query", s.opts.ResultCap)
	}
	return res, -1, policies, err
}

func usedParameters(sql string, params []Parameter) []Parameter {
	var out []Parameter
	for _, p := range params {
		if strings.Contains(sql, ":"+p.Name) {
			out = append(out, p)
		}
	}
	return out
}

// failureOf is how a FAILED statement shows err: the database's message
// and, for an SQL error, its SQLSTATE.
func failureOf(err error) failure {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return failure{text: se.Error(), sqlState: se.SQLState()}
	}
	var ae *Error
	if errors.As(err, &ae) {
		return failure{text: "ERROR: " + ae.Message}
	}
	return failure{text: "ERROR: " + err.Error()}
}

// lookup finds a statement (or batch sub-statement id) owned by p: this
// process's, or with a shared store any replica's.
func (s *Service) lookup(ctx context.Context, p identity.Principal, id string) (*statement, int, error) {
	return s.lookupPage(ctx, p, id, false)
}

// lookupPage is lookup; first asks a shared store for the result's first
// page in the same round trip as the statement (GetStatementResult
// without a NextToken on another replica than the running one).
func (s *Service) lookupPage(ctx context.Context, p identity.Principal, id string, first bool) (*statement, int, error) {
	base, subNo := id, 0
	if i := strings.IndexByte(id, ':'); i >= 0 {
		base = id[:i]
		if _, err := fmt.Sscanf(id[i+1:], "%d", &subNo); err != nil || subNo < 1 {
			return nil, 0, notFound(id)
		}
	}
	now := s.opts.Clock()
	s.mu.Lock()
	s.expireLocked(now)
	st := s.stmts[base]
	s.mu.Unlock()
	if st == nil && s.opts.Store != nil {
		var err error
		key := ""
		if first {
			key = id
		}
		if st, err = s.lookupShared(ctx, owner(p), base, key, now); err != nil {
			return nil, 0, err
		}
	}
	if st == nil || st.owner != owner(p) || (!st.active() && now.Sub(st.created) > s.opts.Retention) {
		return nil, 0, notFound(id)
	}
	if subNo > len(st.subs) || (subNo > 0 && !st.batch) {
		return nil, 0, notFound(id)
	}
	return st, subNo, nil
}

// ended frees the statement's slot when it finishes or is aborted,
// whichever comes first; it is safe to call twice.
func (s *Service) ended(st *statement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.slotFreed {
		return
	}
	st.slotFreed = true
	delete(s.active[st.owner], st)
	if len(s.active[st.owner]) == 0 {
		delete(s.active, st.owner)
	}
}

// admitLocked decides whether own may start another statement; the
// caller holds s.mu. Two per-principal limits apply:
//
//   - at most MaxActive statements running at once (the Data API's
//     ActiveStatementsExceededException);
//   - a running-time budget: the principal's running time, the sum over
//     its running statements of how long each has run so far (at least
//     RunningTimeFloor each), must be below MaxRunningTime.
//
// Admitted statements are never cut short by the budget: each ends by
// StatementTimeout at the latest. So many short statements may run side
// by side, a few long ones fill the budget, and one principal can never
// start more than MaxRunningTime / RunningTimeFloor statements at once.
func (s *Service) admitLocked(own string, now time.Time) error {
	running := s.active[own]
	if len(running) >= s.opts.MaxActive {
		return &Error{Kind: ActiveStatementsExceeded, Message: fmt.Sprintf("Active statements exceeded the allowed quota (%d).", s.opts.MaxActive)}
	}
	var used time.Duration
	for st := range running {
		used += max(now.Sub(st.created), RunningTimeFloor)
	}
	if used >= s.opts.MaxRunningTime {
		return &Error{Kind: RunningTimeExceeded, Message: fmt.Sprintf(
			"Running time exceeded the allowed quota: your %d running statements have run %s together, the limit is %s; wait for them to finish or cancel some.",
			len(running), used.Round(time.Second), s.opts.MaxRunningTime)}
	}
	return nil
}

// expireLocked forgets statements, client tokens and sessions past their
// lifetime, at most once a second. Statements and client tokens are
// visited oldest first and only until the first that is still live, so a
// sweep costs what expires, not what is retained; expired results are
// deleted from their store after s.mu is released. Lookups check a
// statement's own age, so one kept a little longer is never served.
func (s *Service) expireLocked(now time.Time) {
	if now.Sub(s.lastSweep) < time.Second && !now.Before(s.lastSweep) {
		return
	}
	s.lastSweep = now
	var gone []*statement
	// A statement still running when its retention is over (it cannot
	// be, with StatementTimeout below Retention) goes to the back.
	for n := s.byAge.len(); n > 0 && now.Sub(s.byAge.peek().created) > s.opts.Retention; n-- {
		st := s.byAge.pop()
		if st.active() {
			s.byAge.push(st)
			continue
		}
		if s.stmts[st.id] == st {
			delete(s.stmts, st.id)
			gone = append(gone, st)
		}
	}
	for s.tokenAge.len() > 0 && now.Sub(s.tokenAge.peek().created) > s.opts.ClientTokenTTL {
		k := s.tokenAge.pop()
		if ct, ok := s.clients[k.key]; ok && ct.created.Equal(k.created) {
			delete(s.clients, k.key)
		}
	}
	for id, sess := range s.sessions {
		if sess.expired(now) {
			delete(s.sessions, id)
		}
	}
	if len(gone) > 0 {
		// A result store delete per expired statement (a file, a row)
		// would otherwise hold every request up behind s.mu.
		go func() {
			for _, st := range gone {
				st.removeResults()
			}
		}()
	}
}

// Shutdown lets running statements finish until ctx ends, then aborts the
// rest and marks them ABORTED, so none is left looking alive.
func (s *Service) Shutdown(ctx context.Context) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for s.Active() > 0 {
		select {
		case <-ctx.Done():
			s.mu.Lock()
			var running []*statement
			for _, st := range s.stmts {
				running = append(running, st)
			}
			s.mu.Unlock()
			for _, st := range running {
				if s.opts.Store != nil && st.active() {
					// Ended in the store too, so other replicas do not
					// wait for the reaper.
					if _, err := s.opts.Store.Statements().Abort(context.WithoutCancel(ctx), st.id, s.opts.Clock()); err != nil {
						s.opts.Logger.WarnContext(st.logContext(), "abort not stored", "statement_id", st.id, "err", err)
					}
				}
				if st.abort(s.opts.Clock()) {
					s.ended(st)
					s.opts.Logger.WarnContext(st.logContext(), "statement aborted at shutdown", "statement_id", st.id)
				}
			}
			return
		case <-tick.C:
		}
	}
}

// runTransaction runs a batch as one transaction: a failure rolls back
// every statement of it; the sub-statements before it keep FINISHED (their
// results were read) and the statement as a whole is FAILED.
func (s *Service) runTransaction(ctx context.Context, b engine.Batcher, st *statement) {
	stmts := make([]engine.Stmt, len(st.subs))
	for i, sub := range st.subs {
		sql, args, err := bindParameters(sub.sql, usedParameters(sub.sql, st.in.Parameters))
		if err != nil {
			msg := failureOf(err)
			sub.finish(StatusFailed, msg, nil, -1, 0)
			s.auditStatement(st, sub, nil)
			st.fail(msg, s.opts.Clock())
			return
		}
		stmts[i] = engine.Stmt{SQL: sql, Args: args}
	}
	format := st.in.ResultFormat
	if format == "" {
		format = "JSON"
	}
	current, start := 0, s.opts.Clock()
	err := b.QueryBatch(ctx, st.principal, stmts, func(i int, rows engine.Rows) error {
		current = i
		sub := st.subs[i]
		sub.setStatus(StatusStarted, start)
		policies := engine.PolicyNames(rows)
		var res *result
		var err error
		if len(rows.Columns()) > 0 {
			res, err = writeResult(ctx, s.results, sub.id, format, rows, s.opts.PageRows, s.opts.ResultCap, s.holdResults())
			if errors.Is(err, errResultTooLarge) {
				err = sqlerr.New(sqlerr.DataException, "the result is larger than the limit of %d bytes; narrow the query", s.opts.ResultCap)
			}
			if err != nil {
				return err
			}
		}
		end := s.opts.Clock()
		sub.finish(StatusFinished, failure{}, res, rows.RowsAffected(), end.Sub(start))
		s.auditStatement(st, sub, policies)
		start = end
		return nil
	})
	if err == nil {
		st.complete(s.opts.Clock())
		return
	}
	msg := failureOf(err)
	sub := st.subs[current]
	if sub.data().Status == StatusFinished && current+1 < len(st.subs) {
		// The error came from the statement after the last one finished.
		sub = st.subs[current+1]
	}
	if d := sub.data(); d.Status != StatusFinished {
		status := StatusFailed
		if st.isAborted() {
			status = StatusAborted
		}
		sub.finish(status, msg, nil, -1, s.opts.Clock().Sub(start))
		s.auditStatement(st, sub, nil)
	}
	st.fail(msg, s.opts.Clock())
}
