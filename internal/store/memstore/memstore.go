package memstore

import (
	"context"
	"crypto/sha256"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/store"
)

// Store is the embedded store.
type Store struct {
	keys *fileKeys

	mu        sync.Mutex
	stmts     map[string]store.Statement
	sessions  map[string]store.DataSession
	tokens    map[string]clientToken
	revoked   map[string]time.Time
	seen      map[[32]byte]time.Time
	swept     time.Time
	audit     []audit.Record
	auditMax  int
	web       map[[32]byte]webSession
	logins    map[string]login
	replicas  map[string]store.Replica
	keysInMem map[string][]byte

	docMu sync.Mutex // held while a document's change runs
	docs  map[string]document
}

type document struct {
	body    []byte
	version int64
}

type clientToken struct {
	id      string
	created time.Time
}

type webSession struct {
	body   []byte
	expiry time.Time
}

type login struct {
	body    []byte
	created time.Time
}

var _ store.Store = (*Store)(nil)

// New returns an embedded store keeping key files under dir ("" keeps
// keys in memory: tests) and up to auditMax audit records (default 10000).
func New(dir string, auditMax int) *Store {
	if auditMax <= 0 {
		auditMax = 10000
	}
	s := &Store{stmts: map[string]store.Statement{}, sessions: map[string]store.DataSession{},
		tokens: map[string]clientToken{}, revoked: map[string]time.Time{}, seen: map[[32]byte]time.Time{}, auditMax: auditMax,
		web: map[[32]byte]webSession{}, logins: map[string]login{}, replicas: map[string]store.Replica{}, keysInMem: map[string][]byte{}}
	if dir != "" {
		s.keys = &fileKeys{dir: dir}
	}
	return s
}

func (s *Store) Statements() store.Statements     { return (*statements)(s) }
func (s *Store) DataSessions() store.DataSessions { return (*dataSessions)(s) }
func (s *Store) ClientTokens() store.ClientTokens { return (*clientTokens)(s) }
func (s *Store) Revocations() store.Revocations   { return (*revocations)(s) }
func (s *Store) Replay() store.Replay             { return (*replay)(s) }
func (s *Store) Audit() store.Audit               { return (*auditLog)(s) }
func (s *Store) WebSessions() store.WebSessions   { return (*webSessions)(s) }
func (s *Store) Replicas() store.Replicas         { return (*replicas)(s) }
func (s *Store) Documents() store.Documents       { return (*documents)(s) }

// Keys are files under the data directory, or memory when it has none.
func (s *Store) Keys() store.Keys {
	if s.keys != nil {
		return s.keys
	}
	return (*memKeys)(s)
}

// Shared is false: the embedded store belongs to one process.
func (s *Store) Shared() bool { return false }

// Ping always succeeds.
func (s *Store) Ping(context.Context) error { return nil }

// Close releases nothing.
func (s *Store) Close() error { return nil }

type statements Store

func (s *statements) Insert(_ context.Context, st store.Statement, adm store.Admission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.stmts[st.ID]; dup {
		return store.ErrConflict
	}
	n, used := 0, time.Duration(0)
	for _, o := range s.stmts {
		if o.Owner == st.Owner && o.Active {
			n++
			used += max(adm.Now.Sub(o.Created), adm.Floor)
		}
	}
	if adm.MaxActive > 0 && n >= adm.MaxActive {
		return &store.AdmissionError{Active: n, Running: used}
	}
	if adm.MaxRunning > 0 && used >= adm.MaxRunning {
		return &store.AdmissionError{Active: n, Running: used, RunningTime: true}
	}
	st.Active = true
	st.Body = slices.Clone(st.Body)
	s.stmts[st.ID] = st
	return nil
}

func (s *statements) Get(_ context.Context, id string) (store.Statement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stmts[id]
	if !ok {
		return store.Statement{}, store.ErrNotFound
	}
	st.Body = slices.Clone(st.Body)
	return st, nil
}

func (s *statements) Update(_ context.Context, st store.Statement) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.stmts[st.ID]
	if !ok {
		return store.ErrNotFound
	}
	if !cur.Active {
		return store.ErrConflict
	}
	cur.Status, cur.Error, cur.Updated, cur.Active, cur.Body = st.Status, st.Error, st.Updated, st.Active, slices.Clone(st.Body)
	s.stmts[st.ID] = cur
	return nil
}

func (s *statements) Abort(_ context.Context, id string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.stmts[id]
	if !ok {
		return false, store.ErrNotFound
	}
	if !cur.Active {
		return false, nil
	}
	cur.Active, cur.Status, cur.Updated = false, "ABORTED", now
	s.stmts[id] = cur
	return true, nil
}

func (s *statements) Ended(_ context.Context, ids []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range ids {
		if st, ok := s.stmts[id]; !ok || !st.Active {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *statements) List(_ context.Context, owner, prefix string, limit int) ([]store.Statement, error) {
	s.mu.Lock()
	var out []store.Statement
	for _, st := range s.stmts {
		if st.Owner == owner && strings.HasPrefix(st.Name, prefix) {
			st.Body = slices.Clone(st.Body)
			out = append(out, st)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b store.Statement) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *statements) Reap(_ context.Context, now time.Time, msg string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, st := range s.stmts {
		if !st.Active {
			continue
		}
		if r, ok := s.replicas[st.Replica]; ok && r.Until.After(now) {
			continue
		}
		st.Active, st.Status, st.Error, st.Updated = false, "FAILED", msg, now
		s.stmts[id] = st
		out = append(out, id)
		for sid, sess := range s.sessions {
			if sess.Busy == id {
				sess.Busy, sess.LastUsed = "", now
				s.sessions[sid] = sess
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *statements) Expire(_ context.Context, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, st := range s.stmts {
		if !st.Active && st.Created.Before(before) {
			delete(s.stmts, id)
		}
	}
	return nil
}

type dataSessions Store

func (s *dataSessions) Open(_ context.Context, ds store.DataSession, maxTotal, maxPerOwner int, maxLife time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	open, mine := 0, 0
	for _, o := range s.sessions {
		if o.Expired(ds.Created, maxLife) {
			continue
		}
		open++
		if o.Owner == ds.Owner {
			mine++
		}
	}
	if (maxPerOwner > 0 && mine >= maxPerOwner) || (maxTotal > 0 && open >= maxTotal) {
		return store.ErrQuota
	}
	if _, dup := s.sessions[ds.ID]; dup {
		return store.ErrConflict
	}
	s.sessions[ds.ID] = ds
	return nil
}

func (s *dataSessions) Acquire(_ context.Context, id, owner, stmt string, keepAlive time.Duration, now time.Time, maxLife time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, ok := s.sessions[id]
	if !ok || ds.Owner != owner || ds.Expired(now, maxLife) {
		return store.ErrNotFound
	}
	if ds.Busy != "" {
		return &store.BusyError{Statement: ds.Busy}
	}
	ds.Busy = stmt
	if keepAlive >= 0 {
		ds.KeepAlive = keepAlive
	}
	s.sessions[id] = ds
	return nil
}

func (s *dataSessions) Release(_ context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ds, ok := s.sessions[id]; ok {
		ds.Busy, ds.LastUsed = "", now
		s.sessions[id] = ds
	}
	return nil
}

func (s *dataSessions) Get(_ context.Context, id string) (store.DataSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, ok := s.sessions[id]
	if !ok {
		return store.DataSession{}, store.ErrNotFound
	}
	return ds, nil
}

func (s *dataSessions) Expire(_ context.Context, now time.Time, maxLife time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, ds := range s.sessions {
		if ds.Expired(now, maxLife) {
			delete(s.sessions, id)
		}
	}
	return nil
}

type clientTokens Store

func (s *clientTokens) Get(_ context.Context, key string, after time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ct, ok := s.tokens[key]
	if !ok || ct.created.Before(after) {
		return "", store.ErrNotFound
	}
	return ct.id, nil
}

func (s *clientTokens) Put(_ context.Context, key, id string, now, after time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ct, ok := s.tokens[key]; ok && !ct.created.Before(after) {
		return ct.id, nil
	}
	s.tokens[key] = clientToken{id: id, created: now}
	return id, nil
}

func (s *clientTokens) Expire(_ context.Context, before time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, ct := range s.tokens {
		if ct.created.Before(before) {
			delete(s.tokens, k)
		}
	}
	return nil
}

type revocations Store

func (s *revocations) Revoke(_ context.Context, sid string, exp time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[sid] = exp
	return nil
}

func (s *revocations) Revoked(_ context.Context, sid string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[sid]
	return ok, nil
}

type replay Store

func (s *replay) FirstUse(_ context.Context, namespace, key string, until time.Time) (bool, error) {
	h := sha256.Sum256([]byte(namespace + "\x00" + key))
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	// Records past their use-by time can no longer matter; they are
	// swept once a minute rather than on every call.
	if now.Sub(s.swept) > time.Minute {
		for k, u := range s.seen {
			if now.After(u) {
				delete(s.seen, k)
			}
		}
		s.swept = now
	}
	if _, dup := s.seen[h]; dup {
		return false, nil
	}
	s.seen[h] = until
	return true, nil
}

type auditLog Store

func (s *auditLog) Append(_ context.Context, r audit.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audit = append(s.audit, r)
	// Trimmed in halves, so the copy is paid once per auditMax records.
	if len(s.audit) >= 2*s.auditMax {
		s.audit = slices.Clone(s.audit[len(s.audit)-s.auditMax:])
	}
	return nil
}

func (s *auditLog) Recent(_ context.Context, limit int) ([]audit.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []audit.Record
	oldest := max(0, len(s.audit)-s.auditMax)
	for i := len(s.audit) - 1; i >= oldest && (limit <= 0 || len(out) < limit); i-- {
		out = append(out, s.audit[i])
	}
	return out, nil
}

type webSessions Store

func (s *webSessions) Put(_ context.Context, key [32]byte, body []byte, expiry time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.web[key] = webSession{body: slices.Clone(body), expiry: expiry}
	return nil
}

func (s *webSessions) Get(_ context.Context, key [32]byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.web[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(ws.body), nil
}

func (s *webSessions) Delete(_ context.Context, key [32]byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, ok := s.web[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	delete(s.web, key)
	return ws.body, nil
}

func (s *webSessions) PutLogin(_ context.Context, state string, body []byte, created time.Time, max int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if max > 0 && len(s.logins) >= max {
		return store.ErrQuota
	}
	s.logins[state] = login{body: slices.Clone(body), created: created}
	return nil
}

func (s *webSessions) TakeLogin(_ context.Context, state string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.logins[state]
	if !ok {
		return nil, store.ErrNotFound
	}
	delete(s.logins, state)
	return l.body, nil
}

func (s *webSessions) Sweep(_ context.Context, loginsBefore, sessionsBefore time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, l := range s.logins {
		if l.created.Before(loginsBefore) {
			delete(s.logins, k)
		}
	}
	for k, ws := range s.web {
		if ws.expiry.Before(sessionsBefore) {
			delete(s.web, k)
		}
	}
	return nil
}

type replicas Store

func (s *replicas) Beat(_ context.Context, r store.Replica, now time.Time) ([]store.Replica, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.replicas[r.ID]; ok {
		r.Started = cur.Started
	}
	s.replicas[r.ID] = r
	var out []store.Replica
	for id, o := range s.replicas {
		if o.Until.After(now) {
			out = append(out, o)
		} else if id != r.ID {
			delete(s.replicas, id)
		}
	}
	slices.SortFunc(out, func(a, b store.Replica) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *replicas) Leave(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.replicas, id)
	return nil
}

type memKeys Store

func (s *memKeys) Create(_ context.Context, name string, value []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.keysInMem[name]; ok {
		return slices.Clone(v), nil
	}
	s.keysInMem[name] = slices.Clone(value)
	return slices.Clone(value), nil
}

func (s *memKeys) Get(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.keysInMem[name]
	if !ok {
		return nil, store.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (s *memKeys) List(_ context.Context, prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.keysInMem {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (s *memKeys) Delete(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keysInMem, name)
	return nil
}
