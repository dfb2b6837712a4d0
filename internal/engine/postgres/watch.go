package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// catalogChannel is the NOTIFY channel a catalog commit announces itself
// on (in the commit's transaction, so it is delivered only if it commits).
const catalogChannel = "tipgate_catalog"

// watch keeps the cached catalog current when other processes (tipgate
// replicas on the same database) commit: it LISTENs on catalogChannel and
// reloads on every notification, and after every reconnection (a
// notification may have been missed meanwhile). Enforcement does not wait
// for it: the policies are compiled into the database in the committing
// transaction, so the next statement anywhere is checked under them; the
// cache serves metadata (Decide, Tables).
func (e *Engine) watch(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := e.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		e.log.Warn("postgres: catalog notifications interrupted; reconnecting", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (e *Engine) listen(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, e.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+catalogChannel); err != nil {
		return err
	}
	// Anything committed before LISTEN took effect is read now.
	if err := e.reload(ctx); err != nil {
		return err
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if mine := e.cat.Load(); mine != nil && n.Payload == itoa(mine.Version) {
			continue // this process's own commit, or already read
		}
		if err := e.reload(ctx); err != nil {
			return err
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
