// Package reqid gives every HTTP request one id and carries it through the
// context: the response names it (X-Request-Id, and X-Amzn-RequestId on the
// AWS bindings, where the SDKs read it), the log lines written while
// serving the request carry it as request_id, and so does the audit record
// of a statement the request submitted, so the three join.
//
// A client may choose the id by sending a well-formed X-Request-Id (or
// X-Amzn-RequestId); anything else is replaced by a fresh id, never
// echoed. A client-chosen id is a correlation aid, not a unique key: two
// requests may name the same one.
package reqid

import (
	"context"
	"net/http"

	"github.com/google/uuid"
)

const (
	// Header is the request id header of every binding, in both
	// directions.
	Header = "X-Request-Id"
	// AmznHeader is the header AWS SDKs read a response's request id from
	// (RequestID in their errors and response metadata).
	AmznHeader = "X-Amzn-RequestId"
	// LogKey is the attribute log records and audit records carry it as.
	LogKey = "request_id"
	// MaxLen bounds an id a client may choose.
	MaxLen = 64
)

type ctxKey struct{}

// WithID returns ctx carrying id.
func WithID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// ID is the request id ctx carries, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New returns a fresh random id, formatted as a version 4 UUID like the
// ids AWS services answer with.
func New() string { return uuid.NewString() }

// Valid reports whether id may be taken from a client: 1 to MaxLen
// characters of A-Z, a-z, 0-9, '.', '_', ':' and '-'. Nothing else reaches
// a log line, a header or the audit log.
func Valid(id string) bool {
	if len(id) == 0 || len(id) > MaxLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// Ensure returns ctx and the id it carries, attaching a fresh one when it
// carries none (a statement or handler reached without the middleware).
func Ensure(ctx context.Context) (context.Context, string) {
	if id := ID(ctx); id != "" {
		return ctx, id
	}
	id := New()
	return WithID(ctx, id), id
}

// FromRequest gives r its id, once: the id r's context already carries,
// else the first valid incoming X-Request-Id or X-Amzn-RequestId, else a
// fresh one. The first time it sets X-Request-Id on w. Handlers that may
// be served without Middleware call it so they behave the same.
func FromRequest(w http.ResponseWriter, r *http.Request) (*http.Request, string) {
	if id := ID(r.Context()); id != "" {
		return r, id
	}
	id := ""
	for _, h := range []string{Header, AmznHeader} {
		if v := r.Header.Get(h); Valid(v) {
			id = v
			break
		}
	}
	if id == "" {
		id = New()
	}
	w.Header().Set(Header, id)
	return r.WithContext(WithID(r.Context(), id)), id
}

// Middleware gives every request an id (see FromRequest) before next
// serves it.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, _ = FromRequest(w, r)
		next.ServeHTTP(w, r)
	})
}
