package pgstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// documents is store.Documents: one row per document, changed in a
// transaction that holds the row's lock.
type documents Store

func (d *documents) Load(ctx context.Context, name string, since int64) ([]byte, int64, error) {
	var body []byte
	var v int64
	err := d.pool.QueryRow(ctx, `SELECT CASE WHEN version = $2 THEN NULL ELSE body END, version
		FROM tipgate_store.documents WHERE name = $1`, name, since).Scan(&body, &v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if v == 0 {
		body = nil
	}
	return body, v, wrap("load document", err)
}

func (d *documents) Update(ctx context.Context, name string, change func(cur []byte, version int64) ([]byte, error)) (int64, error) {
	var v int64
	var changeErr error
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO tipgate_store.documents VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING", name); err != nil {
			return wrap("update document", err)
		}
		var cur []byte
		if err := tx.QueryRow(ctx, "SELECT body, version FROM tipgate_store.documents WHERE name = $1 FOR UPDATE", name).Scan(&cur, &v); err != nil {
			return wrap("update document", err)
		}
		if v == 0 {
			cur = nil
		}
		next, err := change(cur, v)
		if err != nil {
			changeErr = err
			return err
		}
		v++
		_, err = tx.Exec(ctx, "UPDATE tipgate_store.documents SET body = $2, version = $3 WHERE name = $1", name, next, v)
		return wrap("update document", err)
	})
	if changeErr != nil {
		return 0, changeErr
	}
	if err != nil {
		return 0, wrap("update document", err)
	}
	return v, nil
}
