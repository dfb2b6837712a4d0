package store

import (
	"context"
	"errors"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
)

// Sentinel errors. Each carries a stable code (Code) for API mapping.
var (
	// ErrNotFound: no such record (or it expired).
	ErrNotFound = errors.New("store: not found")
	// ErrQuota: an admission or session limit refused the change.
	ErrQuota = errors.New("store: quota exceeded")
	// ErrConflict: the record is not in the state the change expects (a
	// statement already ended, a session busy, a key already created).
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable: the store cannot be reached; the replica must
	// refuse new work until it recovers.
	ErrUnavailable = errors.New("store: unavailable")
)

// Code is the stable code of a store error ("" when err is none of them).
func Code(err error) string {
	switch {
	case errors.Is(err, ErrNotFound):
		return "store_not_found"
	case errors.Is(err, ErrQuota):
		return "store_quota"
	case errors.Is(err, ErrConflict):
		return "store_conflict"
	case errors.Is(err, ErrUnavailable):
		return "store_unavailable"
	}
	return ""
}

// Store gives access to every kind of shared state.
type Store interface {
	Statements() Statements
	DataSessions() DataSessions
	ClientTokens() ClientTokens
	Revocations() Revocations
	Replay() Replay
	Audit() Audit
	WebSessions() WebSessions
	Keys() Keys
	Replicas() Replicas
	Documents() Documents
	// Shared reports whether other processes may use the same store
	// (PostgreSQL) rather than this process alone (embedded).
	Shared() bool
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	Close() error
}

// Statement is one Data API statement as replicas share it. Body is the
// Data API's own description (opaque here); the other fields are what the
// store queries on.
type Statement struct {
	ID    string
	Owner string
	// Name is the StatementName, for ListStatements' prefix match.
	Name string
	// Replica runs the statement; when it stops beating (Replicas) its
	// active statements are failed by Reap.
	Replica string
	Status  string
	Error   string
	Active  bool
	Created time.Time
	Updated time.Time
	Body    []byte
}

// Admission is the limit on an owner's active statements applied
// atomically with the insert of a new one: at most MaxActive at once, and
// their running time (each counted as at least Floor) below MaxRunning.
type Admission struct {
	MaxActive  int
	MaxRunning time.Duration
	Floor      time.Duration
	Now        time.Time
}

// AdmissionError says which limit refused a statement; it wraps ErrQuota.
type AdmissionError struct {
	Active  int
	Running time.Duration
	// RunningTime is true when the running-time budget refused it, false
	// when the count did.
	RunningTime bool
}

func (e *AdmissionError) Error() string { return "store: admission refused" }
func (e *AdmissionError) Unwrap() error { return ErrQuota }

// Statements is the statement lifecycle.
type Statements interface {
	// Insert records a new active statement, refusing it with an
	// *AdmissionError when the owner's active statements fill adm.
	Insert(ctx context.Context, st Statement, adm Admission) error
	// Get returns a statement (ErrNotFound).
	Get(ctx context.Context, id string) (Statement, error)
	// Update writes the status, error, body and update time of a
	// statement that is still active; ErrConflict when it already ended
	// (aborted by another replica, or failed by Reap). Active false ends it.
	Update(ctx context.Context, st Statement) error
	// Abort ends an active statement as ABORTED, reporting false when it
	// was no longer active.
	Abort(ctx context.Context, id string, now time.Time) (bool, error)
	// Ended returns those of ids that are no longer active (its replica
	// checks whether another aborted them).
	Ended(ctx context.Context, ids []string) ([]string, error)
	// List returns owner's statements whose name starts with prefix,
	// newest first, at most limit (0: all).
	List(ctx context.Context, owner, prefix string, limit int) ([]Statement, error)
	// Reap ends as FAILED with msg every active statement whose replica
	// is not live at now, frees the Data API sessions they held, and
	// returns their ids.
	Reap(ctx context.Context, now time.Time, msg string) ([]string, error)
	// Expire deletes ended statements created before; a store that
	// also holds results (ResultHolder) deletes theirs.
	Expire(ctx context.Context, before time.Time) error
}

// DataSession is a Data API session.
type DataSession struct {
	ID        string
	Owner     string
	Created   time.Time
	LastUsed  time.Time
	KeepAlive time.Duration
	// Busy is the id of the statement it runs, "" when idle.
	Busy string
}

// Expired reports whether an idle session has passed its keep-alive or
// life.
func (s DataSession) Expired(now time.Time, maxLife time.Duration) bool {
	return s.Busy == "" && (now.Sub(s.LastUsed) > s.KeepAlive || now.Sub(s.Created) > maxLife)
}

// DataSessions are Data API sessions.
type DataSessions interface {
	// Open records a new session busy with s.Busy, refusing with ErrQuota
	// when maxTotal open sessions exist or maxPerOwner of s.Owner's.
	Open(ctx context.Context, s DataSession, maxTotal, maxPerOwner int, maxLife time.Duration) error
	// Acquire makes owner's open idle session busy with stmt (and sets
	// its keep-alive when keepAlive >= 0). ErrNotFound when it is not
	// open for owner; ErrConflict (with the busy statement) when busy.
	Acquire(ctx context.Context, id, owner, stmt string, keepAlive time.Duration, now time.Time, maxLife time.Duration) error
	// Release marks the session idle, last used at now.
	Release(ctx context.Context, id string, now time.Time) error
	// Get returns a session (ErrNotFound).
	Get(ctx context.Context, id string) (DataSession, error)
	// Expire forgets sessions expired at now.
	Expire(ctx context.Context, now time.Time, maxLife time.Duration) error
}

// BusyError is the ErrConflict of a busy session.
type BusyError struct{ Statement string }

func (e *BusyError) Error() string { return "store: session busy with " + e.Statement }
func (e *BusyError) Unwrap() error { return ErrConflict }

// ClientTokens are ExecuteStatement's idempotency tokens.
type ClientTokens interface {
	// Get returns the statement id recorded for key since after
	// (ErrNotFound).
	Get(ctx context.Context, key string, after time.Time) (string, error)
	// Put records key → id at now unless a live record exists; it
	// returns the id recorded (the earlier one on a race).
	Put(ctx context.Context, key, id string, now, after time.Time) (string, error)
	// Expire forgets records older than before.
	Expire(ctx context.Context, before time.Time) error
}

// Revocations are revoked tipgate session ids (identity.RevocationStore).
type Revocations interface {
	Revoke(ctx context.Context, sid string, exp time.Time) error
	// Revoked reports whether sid was revoked; an error must refuse the
	// session (fail closed).
	Revoked(ctx context.Context, sid string) (bool, error)
}

// Replay refuses the second use of a one-time value: a SigV4 signature,
// a context assertion's id.
type Replay interface {
	// FirstUse records key in namespace until until and reports whether
	// it was new. Keys are stored hashed.
	FirstUse(ctx context.Context, namespace, key string, until time.Time) (bool, error)
}

// Audit is the audit log every replica appends to and reads.
type Audit interface {
	// Append records r (already redacted by the caller).
	Append(ctx context.Context, r audit.Record) error
	// Recent returns up to limit newest records (0: the store's window),
	// newest first.
	Recent(ctx context.Context, limit int) ([]audit.Record, error)
}

// WebSessions are the dashboard's signed-in browsers and sign-ins in
// progress, as opaque bodies the web package encodes.
type WebSessions interface {
	// Put stores a session body under the hash of its cookie.
	Put(ctx context.Context, key [32]byte, body []byte, expiry time.Time) error
	// Get returns a session body (ErrNotFound).
	Get(ctx context.Context, key [32]byte) ([]byte, error)
	// Delete removes a session and returns its body (ErrNotFound).
	Delete(ctx context.Context, key [32]byte) ([]byte, error)
	// PutLogin records a sign-in in progress, refusing with ErrQuota when
	// max are pending.
	PutLogin(ctx context.Context, state string, body []byte, created time.Time, max int) error
	// TakeLogin removes and returns a sign-in: a state is usable once
	// (ErrNotFound).
	TakeLogin(ctx context.Context, state string) ([]byte, error)
	// Sweep forgets sign-ins created before loginsBefore and sessions
	// that expired before sessionsBefore.
	Sweep(ctx context.Context, loginsBefore, sessionsBefore time.Time) error
}

// Keys is key material: server keys created once and shared by every
// replica, and rotating keys named by their period.
type Keys interface {
	// Create stores value under name unless a value is there already,
	// and returns the value stored: the first replica to create wins and
	// every replica then uses its key.
	Create(ctx context.Context, name string, value []byte) ([]byte, error)
	// Get returns the value under name (ErrNotFound).
	Get(ctx context.Context, name string) ([]byte, error)
	// List returns the names starting with prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// Delete removes name (retired rotating keys).
	Delete(ctx context.Context, name string) error
}

// Replica is one running tipgate server.
type Replica struct {
	ID string
	// Engine is the warehouse engine kind it serves ("duckdb", "postgres").
	Engine  string
	Started time.Time
	// Until is when it counts as dead unless it beats again.
	Until time.Time
}

// Replicas is the liveness of replicas.
type Replicas interface {
	// Beat records r live until r.Until and returns the live replicas at
	// now, r included.
	Beat(ctx context.Context, r Replica, now time.Time) ([]Replica, error)
	// Leave removes a replica that stops cleanly.
	Leave(ctx context.Context, id string) error
}

// Documents keeps named documents that every replica reads and changes
// whole, one change at a time (the SCIM directory is one JSON document).
type Documents interface {
	// Load returns document name and its version: the document is nil
	// when its version is since (unchanged) or there is none (version 0).
	Load(ctx context.Context, name string, since int64) ([]byte, int64, error)
	// Update calls change with the current document (nil for none) and
	// its version, holding a lock across replicas, and stores what change
	// returns as version+1, which it returns. An error from change is
	// returned as is and nothing is stored.
	Update(ctx context.Context, name string, change func(cur []byte, version int64) ([]byte, error)) (int64, error)
}

// KeyMaterial returns the key under name, creating it with generate when no
// replica has yet. The value created first is the one every replica uses.
func KeyMaterial(ctx context.Context, keys Keys, name string, generate func() ([]byte, error)) ([]byte, error) {
	v, err := keys.Get(ctx, name)
	if !errors.Is(err, ErrNotFound) {
		return v, err
	}
	nv, err := generate()
	if err != nil {
		return nil, err
	}
	return keys.Create(ctx, name, nv)
}

// ResultHolder is a store that also keeps results (the PostgreSQL store:
// replicas read each other's); the embedded server keeps them in its own
// result store (store/embedded).
type ResultHolder interface {
	Results() ResultStore
}

// StatementPager is a capability of a Statements store that also keeps
// results (the PostgreSQL store): GetWithPage returns statement id and,
// in the same round trip, page i of its committed result key — key must
// be id or one of its sub-statements' ids (id:n) — when the statement's
// owner is owner (nil when it is not, when key belongs to another
// statement, or when there is no such page). A replica fetching
// another's first page reads both at once; the owner and key conditions
// keep a request from reading result bytes of a statement it does not own.
type StatementPager interface {
	GetWithPage(ctx context.Context, id, owner, key string, i int) (Statement, []byte, error)
}

// StatementEnder is a capability of a Statements store that also keeps
// results (the PostgreSQL store): End is Update, and commits the
// statement's uncommitted result writers (made by the same store's
// ResultStore) in the same round trip. The results are committed whatever
// the update answers, ErrConflict included (their statement's record then
// stays as the store ended it; Expire deletes them with it). A replica
// writes a small result's pages with its statement's end instead of in a
// round trip of their own.
type StatementEnder interface {
	End(ctx context.Context, st Statement, results []ResultWriter) error
}

// HeldResult is a capability of a ResultWriter whose store can commit it
// with its statement's end (StatementEnder): Held returns every page
// appended so far when the writer still holds them all (none written to
// the store yet), so the caller can serve them itself until End commits
// them; ok is false once a page was written.
type HeldResult interface {
	Held() (pages [][]byte, ok bool)
}
