package web

import (
	"context"
	"net/http"
	"time"
)

// prefetchTTL is how long a prefetched bundle waits for its page's first
// dashboard request; a page that never asks (another view, a closed tab)
// leaves it to expire.
const prefetchTTL = 30 * time.Second

// prefetch is a page load's unfiltered bundle, started when the browser
// asks for the page itself: the statement runs while the page loads its
// script, asks who the person is and lays itself out, instead of after.
// The unfiltered bundle serves every first load: its panels when the link
// sets no filter, its filter choices always. It is taken once, by the
// load's first dashboard request of the same session and policy context,
// so a page load is still one statement, also with the cache off.
type prefetch struct {
	done   chan struct{}
	b      *bundle
	cached bool
	err    error
}

func (p *prefetch) wait() (*bundle, bool, error) {
	<-p.done
	return p.b, p.cached, p.err
}

// prefetchKey binds a prefetch to the session and to the policy context
// it was decided under: a policy change in between misses it.
func prefetchKey(c *call, policyKey string) string {
	return c.ws.session.ID + "\x00" + c.actor + "\x00" + policyKey
}

// prefetch starts the call's unfiltered bundle in the background, as the
// person (or whom a security admin views as), under the same enforcement,
// audit and cache as the dashboard's requests. Someone who may not read
// the sales table gets no statement.
func (h *Handler) prefetch(r *http.Request, c *call) {
	ctx := context.WithoutCancel(requestContext(r, c.actor))
	d, err := h.svc.Decision(ctx, c.as)
	if err != nil {
		return
	}
	if _, ok := d.Readable(salesTable); !ok {
		return
	}
	p := &prefetch{done: make(chan struct{})}
	h.prefetched.put(prefetchKey(c, d.Key), p)
	go func() {
		defer close(p.done)
		// The page's own request may not be here yet: the bundle is
		// computed as if it were (bundleFor with a request of this
		// context), sharing a statement already in flight for the key.
		req := r.Clone(ctx)
		p.b, p.cached, p.err = h.bundleShared(req, c, filters{})
	}()
}
