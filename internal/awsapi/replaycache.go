package awsapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// errReplayFull refuses a signature the replay cache has no room for.
var errReplayFull = errors.New("awsapi: replay cache full")

// defaultReplayMax bounds the signatures one process remembers: at 66
// bytes each (BenchmarkReplayCacheMemory; the map before took 127), 1M is
// ~66 MB, and 1M state-changing requests within 2×MaxSkew is ~540 a second
// sustained for half an hour, far above the Data API's own quotas.
const defaultReplayMax = 1 << 20

// replayCache remembers the signatures of state-changing requests for as
// long as a request with their X-Amz-Date can still verify (the date
// within MaxSkew of the server's clock), in buckets by the date's minute:
// a bucket goes whole once none of its dates can verify, so memory is the
// signatures signed within the last 2×MaxSkew and never more than max of
// them. A full cache refuses new signatures (fail closed): forgetting a
// live one early would let its request be replayed.
type replayCache struct {
	max int

	mu      sync.Mutex
	n       int                                      // signatures held
	buckets map[int64]map[[sha256.Size]byte]struct{} // by X-Amz-Date in Unix minutes
	swept   int64                                    // the minute of the last sweep
}

func newReplayCache(max int) *replayCache {
	return &replayCache{max: max, buckets: map[int64]map[[sha256.Size]byte]struct{}{}}
}

// sigKey is a signature's 32 bytes (it is 64 hex digits once it has
// verified); anything else is hashed to 32.
func sigKey(sig string) [sha256.Size]byte {
	var k [sha256.Size]byte
	if len(sig) == 2*len(k) {
		if _, err := hex.Decode(k[:], []byte(sig)); err == nil {
			return k
		}
	}
	return sha256.Sum256([]byte(sig))
}

// firstUse records sig, signed with date t, and reports whether it is new.
// The same signature always comes with the same date (the date is signed),
// so only t's bucket is looked in.
func (c *replayCache) firstUse(sig string, t, now time.Time) (bool, error) {
	minute := t.Unix() / 60
	k := sigKey(sig)
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := now.Unix() / 60; m != c.swept {
		// A date in minute b verifies until (b+1) minutes + MaxSkew.
		for b, sigs := range c.buckets {
			if now.After(time.Unix((b+1)*60, 0).Add(MaxSkew)) {
				c.n -= len(sigs)
				delete(c.buckets, b)
			}
		}
		c.swept = m
	}
	sigs := c.buckets[minute]
	if _, dup := sigs[k]; dup {
		return false, nil
	}
	if c.n >= c.max {
		return false, errReplayFull
	}
	if sigs == nil {
		sigs = map[[sha256.Size]byte]struct{}{}
		c.buckets[minute] = sigs
	}
	sigs[k] = struct{}{}
	c.n++
	return true, nil
}

// len is the number of signatures held.
func (c *replayCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
