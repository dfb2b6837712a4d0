package duckdb

import "sync"

// boundedCache is a small FIFO-evicting map. Keys always include the
// policy context, so nothing cached for one principal's policies is served
// under another's.
type boundedCache[V any] struct {
	mu    sync.Mutex
	max   int
	items map[string]V
	order []string
}

func newBoundedCache[V any](max int) *boundedCache[V] {
	return &boundedCache[V]{max: max, items: make(map[string]V, max)}
}

func (c *boundedCache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.items[k]
	return v, ok
}

func (c *boundedCache[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	for len(c.order) >= c.max {
		delete(c.items, c.order[0])
		c.order = c.order[1:]
	}
	c.items[k] = v
	c.order = append(c.order, k)
}
