package identity

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// issuerKeys caches one issuer's keys. Reads are lock-free; refreshes are
// serialised and rate limited so that tokens with made-up kids cannot turn
// tipgate into a traffic generator against the IdP.
type issuerKeys struct {
	issuer string
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	opts   *VerifierOptions

	current atomic.Pointer[cachedKeys]

	mu          sync.Mutex // held while fetching
	lastAttempt time.Time  // guarded by mu
}

type cachedKeys struct {
	set     keySet
	fetched time.Time
}

func (ik *issuerKeys) load() (*keySet, time.Time) {
	c := ik.current.Load()
	if c == nil {
		return nil, time.Time{}
	}
	return &c.set, c.fetched
}

// refresh fetches the key set unless one was attempted within the rate
// limit (shorter while nothing is cached, so a cold start recovers fast).
// It reports whether a fetch happened and its error. On failure the cached
// keys stay: an unreachable IdP must not break tokens they verify.
func (ik *issuerKeys) refresh(ctx context.Context, wait bool) (fetched bool, err error) {
	if wait {
		ik.mu.Lock()
	} else if !ik.mu.TryLock() {
		return false, nil
	}
	defer ik.mu.Unlock()
	now := ik.now()
	interval := ik.opts.MinRefreshInterval
	if ik.current.Load() == nil {
		interval = min(interval, ik.opts.ColdRefreshInterval)
	}
	if !ik.lastAttempt.IsZero() && now.Sub(ik.lastAttempt) < interval {
		return false, nil
	}
	ik.lastAttempt = now
	// The caller's cancellation must not abort a fetch others will rely on
	// (and that the rate limit then blocks for a while).
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ik.opts.FetchTimeout)
	defer cancel()
	keys, skipped, err := discover(fctx, ik.client, ik.issuer)
	for _, s := range skipped {
		ik.log.Info("identity: skipping issuer key", "issuer", ik.issuer, "reason", s)
	}
	if err != nil {
		ik.log.Warn("identity: refreshing issuer keys failed; keeping cached keys",
			"issuer", ik.issuer, "error", err.Error())
		return true, err
	}
	ik.current.Store(&cachedKeys{set: keySet{keys: keys}, fetched: now})
	ik.log.Info("identity: issuer keys refreshed", "issuer", ik.issuer, "keys", len(keys))
	return true, nil
}
