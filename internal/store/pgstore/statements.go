package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tipgate/tipgate/internal/store"
)

type statements Store

const stmtCols = "id, owner, name, replica, status, error, active, created, updated, body"

func scanStatement(row pgx.Row) (store.Statement, error) {
	var st store.Statement
	err := row.Scan(&st.ID, &st.Owner, &st.Name, &st.Replica, &st.Status, &st.Error, &st.Active, &st.Created, &st.Updated, &st.Body)
	st.Created, st.Updated = st.Created.UTC(), st.Updated.UTC()
	return st, err
}

// Insert takes the owner's advisory lock, then inserts only if the
// owner's active statements leave room, in one pipelined implicit
// transaction: the insert's snapshot is taken after the lock, so two
// replicas admitting the same owner at once see each other's statements.
func (s *statements) Insert(ctx context.Context, st store.Statement, adm store.Admission) error {
	b := &pgx.Batch{}
	b.Queue("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", st.Owner)
	b.Queue(`WITH cur AS (SELECT count(*)::int AS n,
			coalesce(sum(greatest(extract(epoch FROM $11::timestamptz - created), $12::float8)), 0)::float8 AS used
			FROM tipgate_store.statements WHERE owner = $2 AND active)
		INSERT INTO tipgate_store.statements (`+stmtCols+`)
		SELECT $1, $2, $3, $4, $5, $6, true, $7, $8, $9 FROM cur
		WHERE ($10 <= 0 OR cur.n < $10) AND ($13 <= 0 OR cur.used < $13)
		RETURNING 1`,
		st.ID, st.Owner, st.Name, st.Replica, st.Status, st.Error, st.Created, st.Updated, st.Body,
		adm.MaxActive, adm.Now, adm.Floor.Seconds(), adm.MaxRunning.Seconds())
	br := s.pool.SendBatch(ctx, b)
	_, err := br.Exec()
	var one int
	if err == nil {
		err = br.QueryRow().Scan(&one)
	}
	cerr := br.Close()
	if errors.Is(err, pgx.ErrNoRows) {
		return s.refusal(ctx, st.Owner, adm)
	}
	if err == nil {
		err = cerr
	}
	return wrap("insert statement", err)
}

// refusal explains which limit refused a statement.
func (s *statements) refusal(ctx context.Context, owner string, adm store.Admission) error {
	var n int
	var used float64
	err := s.pool.QueryRow(ctx, `SELECT count(*)::int, coalesce(sum(greatest(extract(epoch FROM $2::timestamptz - created), $3::float8)), 0)::float8
		FROM tipgate_store.statements WHERE owner = $1 AND active`, owner, adm.Now, adm.Floor.Seconds()).Scan(&n, &used)
	if err != nil {
		return wrap("admission", err)
	}
	ae := &store.AdmissionError{Active: n, Running: time.Duration(used * float64(time.Second))}
	ae.RunningTime = adm.MaxActive <= 0 || n < adm.MaxActive
	return ae
}

func (s *statements) Get(ctx context.Context, id string) (store.Statement, error) {
	st, err := scanStatement(s.pool.QueryRow(ctx, "SELECT "+stmtCols+" FROM tipgate_store.statements WHERE id = $1", id))
	return st, wrap("get statement", err)
}

func (s *statements) Update(ctx context.Context, st store.Statement) error {
	tag, err := s.pool.Exec(ctx, `UPDATE tipgate_store.statements SET status = $2, error = $3, updated = $4, active = $5, body = $6
		WHERE id = $1 AND active`, st.ID, st.Status, st.Error, st.Updated, st.Active, st.Body)
	if err != nil {
		return wrap("update statement", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.Get(ctx, st.ID); err != nil {
			return err
		}
		return store.ErrConflict
	}
	return nil
}

func (s *statements) Abort(ctx context.Context, id string, now time.Time) (bool, error) {
	var active bool
	err := s.pool.QueryRow(ctx, `WITH u AS (UPDATE tipgate_store.statements SET active = false, status = 'ABORTED', updated = $2
		WHERE id = $1 AND active RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM u) OR NOT EXISTS (SELECT 1 FROM tipgate_store.statements WHERE id = $1)`, id, now).Scan(&active)
	if err != nil {
		return false, wrap("abort statement", err)
	}
	if active {
		// Either aborted now, or unknown: tell them apart.
		if _, err := s.Get(ctx, id); err != nil {
			return false, err
		}
	}
	return active, nil
}

func (s *statements) Ended(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT i FROM unnest($1::text[]) AS i
		WHERE NOT EXISTS (SELECT 1 FROM tipgate_store.statements s WHERE s.id = i AND s.active) ORDER BY i`, ids)
	if err != nil {
		return nil, wrap("ended statements", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("ended statements", err)
}

func (s *statements) List(ctx context.Context, owner, prefix string, limit int) ([]store.Statement, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	rows, err := s.pool.Query(ctx, "SELECT "+stmtCols+` FROM tipgate_store.statements
		WHERE owner = $1 AND starts_with(name, $2) ORDER BY created DESC, id LIMIT $3`, owner, prefix, limit)
	if err != nil {
		return nil, wrap("list statements", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Statement, error) { return scanStatement(r) })
	return out, wrap("list statements", err)
}

func (s *statements) Reap(ctx context.Context, now time.Time, msg string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `WITH dead AS (
			UPDATE tipgate_store.statements s SET active = false, status = 'FAILED', error = $2, updated = $1
			WHERE active AND NOT EXISTS (SELECT 1 FROM tipgate_store.replicas r WHERE r.id = s.replica AND r.until > $1)
			RETURNING id),
		freed AS (UPDATE tipgate_store.data_sessions SET busy = '', last_used = $1 WHERE busy IN (SELECT id FROM dead))
		SELECT id FROM dead ORDER BY id`, now, msg)
	if err != nil {
		return nil, wrap("reap statements", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, wrap("reap statements", err)
}

func (s *statements) Expire(ctx context.Context, before time.Time) error {
	_, err := s.pool.Exec(ctx, `WITH gone AS (DELETE FROM tipgate_store.statements WHERE NOT active AND created < $1 RETURNING id)
		DELETE FROM tipgate_store.results WHERE split_part(id, ':', 1) IN (SELECT id FROM gone)`, before)
	return wrap("expire statements", err)
}

var (
	_ store.StatementPager = (*statements)(nil)
	_ store.StatementEnder = (*statements)(nil)
)

// GetWithPage reads the page only for the statement's owner and only of
// the statement's own results (key is id or id:n), so a caller cannot
// pair its own statement with another's result key.
func (s *statements) GetWithPage(ctx context.Context, id, owner, key string, i int) (store.Statement, []byte, error) {
	var st store.Statement
	var page []byte
	err := s.pool.QueryRow(ctx, "SELECT "+stmtCols+`,
			CASE WHEN owner = $2 AND ($3 = id OR starts_with($3, id || ':')) THEN
				(SELECT p.body FROM tipgate_store.pages p JOIN tipgate_store.results r ON r.id = p.result
				WHERE p.result = $3 AND p.n = $4) END
		FROM tipgate_store.statements WHERE id = $1`, id, owner, key, i).
		Scan(&st.ID, &st.Owner, &st.Name, &st.Replica, &st.Status, &st.Error, &st.Active, &st.Created, &st.Updated, &st.Body, &page)
	st.Created, st.Updated = st.Created.UTC(), st.Updated.UTC()
	return st, page, wrap("get statement", err)
}

// End commits the result writers' remaining pages and rows, then updates
// the statement, in one pipelined implicit transaction: one round trip
// for a statement's end and its small results.
func (s *statements) End(ctx context.Context, st store.Statement, rws []store.ResultWriter) error {
	b := &pgx.Batch{}
	var ws []*resultWriter
	for _, rw := range rws {
		w, ok := rw.(*resultWriter)
		if !ok || w.r != (*results)(s) {
			return fmt.Errorf("store: End of statement %s: a result writer of another store", st.ID)
		}
		if w.done {
			return fmt.Errorf("store: End of statement %s: result %s already committed", st.ID, w.id)
		}
		w.queueCommit(b)
		ws = append(ws, w)
	}
	b.Queue(`UPDATE tipgate_store.statements SET status = $2, error = $3, updated = $4, active = $5, body = $6
		WHERE id = $1 AND active`, st.ID, st.Status, st.Error, st.Updated, st.Active, st.Body)
	br := s.pool.SendBatch(ctx, b)
	var err error
	var tag pgconn.CommandTag
	for range b.Len() {
		if tag, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return wrap("end statement", err)
	}
	for _, w := range ws {
		w.committed()
	}
	if tag.RowsAffected() == 0 {
		if _, err := s.Get(ctx, st.ID); err != nil {
			return err
		}
		return store.ErrConflict
	}
	return nil
}
