package pgstore

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/store"
)

// sessionsLock serialises the opening of Data API sessions (their limit
// counts every owner's).
const sessionsLock = 0x7467_7365_7373_6e31

type dataSessions Store

const expiredSQL = "(busy = '' AND ($2::timestamptz - last_used > keep_alive_ms * interval '1 millisecond' OR $2::timestamptz - created > $3::bigint * interval '1 millisecond'))"

func (s *dataSessions) Open(ctx context.Context, ds store.DataSession, maxTotal, maxPerOwner int, maxLife time.Duration) error {
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock($1)", int64(sessionsLock))
	b.Queue(`WITH cur AS (SELECT count(*)::int AS open, count(*) FILTER (WHERE owner = $1)::int AS mine
			FROM tipgate_store.data_sessions WHERE NOT `+expiredSQL+`)
		INSERT INTO tipgate_store.data_sessions (id, owner, created, last_used, keep_alive_ms, busy)
		SELECT $4, $1, $2, $5, $6, $7 FROM cur WHERE ($8 <= 0 OR cur.open < $8) AND ($9 <= 0 OR cur.mine < $9) RETURNING 1`,
		ds.Owner, ds.Created, maxLife.Milliseconds(), ds.ID, ds.LastUsed, ds.KeepAlive.Milliseconds(), ds.Busy, maxTotal, maxPerOwner)
	br := s.pool.SendBatch(ctx, b)
	_, err := br.Exec()
	var one int
	if err == nil {
		err = br.QueryRow().Scan(&one)
	}
	cerr := br.Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrQuota
	}
	if err == nil {
		err = cerr
	}
	return wrap("open session", err)
}

func (s *dataSessions) Acquire(ctx context.Context, id, owner, stmt string, keepAlive time.Duration, now time.Time, maxLife time.Duration) error {
	var busy string
	err := s.pool.QueryRow(ctx, `WITH cur AS (SELECT busy FROM tipgate_store.data_sessions WHERE id = $1 AND owner = $4 AND NOT `+expiredSQL+` FOR UPDATE),
		u AS (UPDATE tipgate_store.data_sessions SET busy = $5, keep_alive_ms = CASE WHEN $6 >= 0 THEN $6 ELSE keep_alive_ms END
			WHERE id = $1 AND (SELECT busy FROM cur) = '' RETURNING 1)
		SELECT busy FROM cur`, id, now, maxLife.Milliseconds(), owner, stmt, keepAlive.Milliseconds()).Scan(&busy)
	if err != nil {
		return wrap("acquire session", err)
	}
	if busy != "" {
		return &store.BusyError{Statement: busy}
	}
	return nil
}

func (s *dataSessions) Release(ctx context.Context, id string, now time.Time) error {
	_, err := s.pool.Exec(ctx, "UPDATE tipgate_store.data_sessions SET busy = '', last_used = $2 WHERE id = $1", id, now)
	return wrap("release session", err)
}

func (s *dataSessions) Get(ctx context.Context, id string) (store.DataSession, error) {
	var ds store.DataSession
	var ka int64
	err := s.pool.QueryRow(ctx, "SELECT id, owner, created, last_used, keep_alive_ms, busy FROM tipgate_store.data_sessions WHERE id = $1", id).
		Scan(&ds.ID, &ds.Owner, &ds.Created, &ds.LastUsed, &ka, &ds.Busy)
	ds.KeepAlive = time.Duration(ka) * time.Millisecond
	ds.Created, ds.LastUsed = ds.Created.UTC(), ds.LastUsed.UTC()
	return ds, wrap("get session", err)
}

func (s *dataSessions) Expire(ctx context.Context, now time.Time, maxLife time.Duration) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM tipgate_store.data_sessions WHERE $1::int = 1 AND "+expiredSQL, 1, now, maxLife.Milliseconds())
	return wrap("expire sessions", err)
}

type clientTokens Store

func (s *clientTokens) Get(ctx context.Context, key string, after time.Time) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, "SELECT id FROM tipgate_store.client_tokens WHERE key = $1 AND created >= $2", key, after).Scan(&id)
	return id, wrap("client token", err)
}

func (s *clientTokens) Put(ctx context.Context, key, id string, now, after time.Time) (string, error) {
	var got string
	err := s.pool.QueryRow(ctx, `INSERT INTO tipgate_store.client_tokens (key, id, created) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET id = excluded.id, created = excluded.created WHERE client_tokens.created < $4
		RETURNING id`, key, id, now, after).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		// A live record was there first.
		return s.Get(ctx, key, after)
	}
	return got, wrap("put client token", err)
}

func (s *clientTokens) Expire(ctx context.Context, before time.Time) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM tipgate_store.client_tokens WHERE created < $1", before)
	return wrap("expire client tokens", err)
}

type revocations Store

func (s *revocations) Revoke(ctx context.Context, sid string, exp time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tipgate_store.revocations (sid, expires) VALUES ($1, $2)
		ON CONFLICT (sid) DO UPDATE SET expires = greatest(revocations.expires, excluded.expires)`, sid, exp)
	if err == nil {
		// Records of sessions expired an hour ago can no longer matter.
		_, err = s.pool.Exec(ctx, "DELETE FROM tipgate_store.revocations WHERE expires < now() - interval '1 hour'")
	}
	return wrap("revoke", err)
}

func (s *revocations) Revoked(ctx context.Context, sid string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM tipgate_store.revocations WHERE sid = $1)", sid).Scan(&ok)
	if err != nil {
		return true, wrap("revoked", err)
	}
	return ok, nil
}

type replay Store

func (s *replay) FirstUse(ctx context.Context, namespace, key string, until time.Time) (bool, error) {
	h := sha256.Sum256([]byte(namespace + "\x00" + key))
	tag, err := s.pool.Exec(ctx, `INSERT INTO tipgate_store.replay (key, until) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE replay.until < now()`, h[:], until)
	if err != nil {
		return false, wrap("replay", err)
	}
	return tag.RowsAffected() == 1, nil
}

type auditLog Store

func (s *auditLog) Append(ctx context.Context, r audit.Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("store: encode audit record: %w", err)
	}
	_, err = s.pool.Exec(ctx, "INSERT INTO tipgate_store.audit (at, body) VALUES ($1, $2)", r.Time, b)
	return wrap("append audit record", err)
}

func (s *auditLog) Recent(ctx context.Context, limit int) ([]audit.Record, error) {
	if limit <= 0 || limit > s.auditWindow {
		limit = s.auditWindow
	}
	rows, err := s.pool.Query(ctx, "SELECT body FROM tipgate_store.audit ORDER BY seq DESC LIMIT $1", limit)
	if err != nil {
		return nil, wrap("read audit", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Record, error) {
		var b []byte
		var rec audit.Record
		if err := r.Scan(&b); err != nil {
			return rec, err
		}
		return rec, json.Unmarshal(b, &rec)
	})
	return out, wrap("read audit", err)
}

type webSessions Store

func (s *webSessions) Put(ctx context.Context, key [32]byte, body []byte, expiry time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO tipgate_store.web_sessions (key, body, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET body = excluded.body, expiry = excluded.expiry`, key[:], body, expiry)
	return wrap("put web session", err)
}

func (s *webSessions) Get(ctx context.Context, key [32]byte) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "SELECT body FROM tipgate_store.web_sessions WHERE key = $1", key[:]).Scan(&b)
	return b, wrap("web session", err)
}

func (s *webSessions) Delete(ctx context.Context, key [32]byte) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "DELETE FROM tipgate_store.web_sessions WHERE key = $1 RETURNING body", key[:]).Scan(&b)
	return b, wrap("end web session", err)
}

func (s *webSessions) PutLogin(ctx context.Context, state string, body []byte, created time.Time, max int) error {
	tag, err := s.pool.Exec(ctx, `INSERT INTO tipgate_store.web_logins (state, body, created)
		SELECT $1, $2, $3 WHERE $4 <= 0 OR (SELECT count(*) FROM tipgate_store.web_logins) < $4`, state, body, created, max)
	if err != nil {
		return wrap("put sign-in", err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrQuota
	}
	return nil
}

func (s *webSessions) TakeLogin(ctx context.Context, state string) ([]byte, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, "DELETE FROM tipgate_store.web_logins WHERE state = $1 RETURNING body", state).Scan(&b)
	return b, wrap("take sign-in", err)
}

func (s *webSessions) Sweep(ctx context.Context, loginsBefore, sessionsBefore time.Time) error {
	b := &pgx.Batch{}
	b.Queue("DELETE FROM tipgate_store.web_logins WHERE created < $1", loginsBefore)
	b.Queue("DELETE FROM tipgate_store.web_sessions WHERE expiry < $1", sessionsBefore)
	return wrap("sweep web sessions", s.pool.SendBatch(ctx, b).Close())
}

type keys Store

func (s *keys) Create(ctx context.Context, name string, value []byte) ([]byte, error) {
	if _, err := s.pool.Exec(ctx, "INSERT INTO tipgate_store.keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, value); err != nil {
		return nil, wrap("create key", err)
	}
	return s.Get(ctx, name)
}

func (s *keys) Get(ctx context.Context, name string) ([]byte, error) {
	var v []byte
	err := s.pool.QueryRow(ctx, "SELECT value FROM tipgate_store.keys WHERE name = $1", name).Scan(&v)
	return v, wrap("key", err)
}

func (s *keys) List(ctx context.Context, prefix string) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT name FROM tipgate_store.keys WHERE starts_with(name, $1) ORDER BY name", prefix)
	if err != nil {
		return nil, wrap("list keys", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("list keys", err)
}

func (s *keys) Delete(ctx context.Context, name string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM tipgate_store.keys WHERE name = $1", name)
	return wrap("delete key", err)
}

type replicas Store

func (s *replicas) Beat(ctx context.Context, r store.Replica, now time.Time) ([]store.Replica, error) {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO tipgate_store.replicas (id, engine, started, until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET until = excluded.until, engine = excluded.engine`, r.ID, r.Engine, r.Started, r.Until)
	// Replicas dead for an hour are forgotten.
	b.Queue("DELETE FROM tipgate_store.replicas WHERE until < $1", now.Add(-time.Hour))
	b.Queue("SELECT id, engine, started, until FROM tipgate_store.replicas WHERE until > $1 ORDER BY id", now)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, wrap("beat", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, wrap("beat", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, wrap("beat", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Replica, error) {
		var x store.Replica
		err := row.Scan(&x.ID, &x.Engine, &x.Started, &x.Until)
		x.Started, x.Until = x.Started.UTC(), x.Until.UTC()
		return x, err
	})
	return out, wrap("beat", err)
}

func (s *replicas) Leave(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, "DELETE FROM tipgate_store.replicas WHERE id = $1", id)
	return wrap("leave", err)
}
