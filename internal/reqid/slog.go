package reqid

import (
	"context"
	"log/slog"
)

// NewHandler wraps h so that a record logged with a context carrying a
// request id (InfoContext, LogAttrs, …) gets it as request_id, unless the
// record or the logger already has a request_id attribute. Under a
// logger's group the attribute is added inside the group, like any other.
func NewHandler(h slog.Handler) slog.Handler {
	if _, ok := h.(*handler); ok {
		return h
	}
	return &handler{next: h}
}

// Logger returns log with its handler wrapped by NewHandler.
func Logger(log *slog.Logger) *slog.Logger {
	if _, ok := log.Handler().(*handler); ok {
		return log
	}
	return slog.New(NewHandler(log.Handler()))
}

type handler struct {
	next slog.Handler
	// has is set once the logger itself carries request_id (With).
	has bool
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if id := ID(ctx); id != "" && !h.has && !hasKey(r) {
		r = r.Clone()
		r.AddAttrs(slog.String(LogKey, id))
	}
	return h.next.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	has := h.has
	for _, a := range attrs {
		has = has || a.Key == LogKey
	}
	return &handler{next: h.next.WithAttrs(attrs), has: has}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), has: h.has}
}

func hasKey(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == LogKey
		return !found
	})
	return found
}
