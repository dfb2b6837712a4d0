package web

import (
	"sync"
	"time"
)

// cache keeps panel results per policy context: the key always starts
// with the catalog version and the subject's key, so two people share an
// entry only when the catalog says they see exactly the same data, and
// any policy change (a new catalog version) misses.
type cache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	now     func() time.Time
	entries map[string]cacheEntry
}

type cacheEntry struct {
	value   any
	expires time.Time
}

func newCache(max int, ttl time.Duration, now func() time.Time) *cache {
	return &cache{max: max, ttl: ttl, now: now, entries: map[string]cacheEntry{}}
}

func (c *cache) get(key string) (any, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.value, true
}

func (c *cache) put(key string, v any) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= c.max {
		// Drop what has expired; if still full, the entry closest to
		// expiry (the oldest) makes room.
		oldest, first := "", true
		var oldestAt time.Time
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
				continue
			}
			if first || e.expires.Before(oldestAt) {
				oldest, oldestAt, first = k, e.expires, false
			}
		}
		if len(c.entries) >= c.max {
			delete(c.entries, oldest)
		}
	}
	c.entries[key] = cacheEntry{value: v, expires: now.Add(c.ttl)}
}

// take is get that also removes the entry: its value serves one reader.
func (c *cache) take(key string) (any, bool) {
	v, ok := c.get(key)
	if ok {
		c.mu.Lock()
		delete(c.entries, key)
		c.mu.Unlock()
	}
	return v, ok
}
