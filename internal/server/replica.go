package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/memstore"
	"github.com/tipgate/tipgate/internal/store/pgstore"
)

// reapMessage is the Error of a statement whose replica stopped.
const reapMessage = "ERROR: the tipgate replica running this statement stopped before it ended; run it again"

// openStore opens the [store]: PostgreSQL when it has a DSN (replicas),
// the embedded store otherwise (one server, state as before).
func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	if cfg.Store.DSN == "" {
		return memstore.New(cfg.Server.DataDir, 10000), nil
	}
	return pgstore.Open(ctx, pgstore.Options{DSN: cfg.Store.DSN})
}

// replicaID names this process in the store: the configured id, or the
// host name, process id and a random suffix (a restarted replica is a new
// one; the old one's statements are failed when its lease ends).
func replicaID(cfg config.Store) string {
	if cfg.ReplicaID != "" {
		return cfg.ReplicaID
	}
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", strings.ReplaceAll(host, " ", "_"), os.Getpid(), hex.EncodeToString(b[:]))
}

// replica keeps this server's membership of the shared store: it beats
// every lease/5, fails the statements of replicas whose lease ended,
// stops its own statements that another replica cancelled, and reports
// whether the store answers (GET /readyz).
type replica struct {
	st      store.Store
	self    store.Replica
	lease   time.Duration
	svc     *dataapi.Service
	log     *slog.Logger
	healthy atomic.Bool
	lastMnt time.Time
}

// errEngineNotShared refuses a second replica on an engine that cannot be
// shared.
var errEngineNotShared = errors.New("server: replicas need a shared engine")

// join makes the first beat, refusing to start beside other live
// replicas when either side runs the embedded DuckDB engine: its warehouse
// is a file of one server, and a second replica would answer from
// another warehouse.
func (r *replica) join(ctx context.Context) error {
	now := time.Now()
	r.self.Started, r.self.Until = now, now.Add(r.lease)
	live, err := r.st.Replicas().Beat(ctx, r.self, now)
	if err != nil {
		return fmt.Errorf("server: join the shared store: %w", err)
	}
	for _, o := range live {
		if o.ID == r.self.ID {
			continue
		}
		if o.Engine == "duckdb" || r.self.Engine == "duckdb" {
			_ = r.st.Replicas().Leave(ctx, r.self.ID)
			return fmt.Errorf("%w: replica %s (engine %s) is already running on this store, and the embedded duckdb engine serves one server only; "+
				"run replicas on [warehouse] engine = \"postgres\" (docs/deployment.md)", errEngineNotShared, o.ID, o.Engine)
		}
	}
	r.healthy.Store(true)
	return nil
}

// run beats until ctx ends, then leaves the store.
func (r *replica) run(ctx context.Context) {
	t := time.NewTicker(r.lease / 5)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			lctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = r.st.Replicas().Leave(lctx, r.self.ID)
			cancel()
			return
		case <-t.C:
			r.beat(ctx)
		}
	}
}

func (r *replica) beat(ctx context.Context) {
	bctx, cancel := context.WithTimeout(ctx, r.lease/2)
	defer cancel()
	now := time.Now()
	r.self.Until = now.Add(r.lease)
	_, err := r.st.Replicas().Beat(bctx, r.self, now)
	if err == nil {
		err = r.svc.SyncAborts(bctx)
	}
	if err == nil {
		var ids []string
		if ids, err = r.st.Statements().Reap(bctx, now, reapMessage); len(ids) > 0 {
			r.log.Warn("statements of a stopped replica failed", "statements", len(ids))
		}
	}
	if err == nil && now.Sub(r.lastMnt) > time.Minute {
		r.lastMnt = now
		err = r.svc.Maintain(bctx)
	}
	if err != nil {
		if r.healthy.Swap(false) {
			r.log.Error("the shared store does not answer: refusing new work until it does", "err", err)
		}
		return
	}
	if !r.healthy.Swap(true) {
		r.log.Info("the shared store answers again")
	}
}
