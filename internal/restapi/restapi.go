package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/reqid"
)

// Authenticator turns a bearer token into a verified principal.
type Authenticator interface {
	Verify(ctx context.Context, bearer string) (identity.Principal, error)
}

// maxBody bounds request bodies; a batch of 40 statements of 100 KB fits.
const maxBody = 8 << 20

// Handler serves /v1: the Data API's operations and field names over
// plain REST with Bearer tipgate session tokens. It only translates.
type Handler struct {
	svc  *dataapi.Service
	auth Authenticator
	log  *slog.Logger
	mux  *http.ServeMux
	// bufs holds result page encoding buffers: a fresh 64 KiB one per
	// page was half of all the bytes a small statement allocated.
	bufs dataapi.BufferPool
}

// New returns the /v1 handler.
func New(svc *dataapi.Service, auth Authenticator, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{svc: svc, auth: auth, log: reqid.Logger(log), mux: http.NewServeMux()}
	h.route("POST /v1/statements", h.execute)
	h.route("GET /v1/statements", h.list)
	h.route("GET /v1/statements/{id}", h.describe)
	h.route("GET /v1/statements/{id}/result", h.result)
	h.route("POST /v1/statements/{id}/cancel", h.cancel)
	h.route("GET /v1/databases", h.databases)
	h.route("GET /v1/schemas", h.schemas)
	h.route("GET /v1/tables", h.tables)
	h.route("GET /v1/tables/{schema}/{table}", h.describeTable)
	h.route("GET /v1/audit", h.audit)
	h.route("GET /v1/whoami", h.whoami)
	h.routePolicy()
	h.mux.HandleFunc("GET /v1/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	h.mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, h.log, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return h
}

// ServeHTTP answers every request with its id in X-Request-Id (reqid: the
// server's middleware has set it, or it is made here); the statement it
// submits is audited, and its log lines written, with the same id.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, _ = reqid.FromRequest(w, r)
	h.mux.ServeHTTP(w, r)
}

// Error is the REST error body: a stable code and a message.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

type handlerFunc func(r *http.Request, p identity.Principal) (any, error)

// route authenticates, runs the operation and writes its value: one place
// for authentication, encoding and error mapping.
func (h *Handler) route(pattern string, fn handlerFunc) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		ctx := dataapi.WithRequestInfo(r.Context(), dataapi.RequestInfo{Binding: "rest", Source: r.RemoteAddr})
		r = r.WithContext(ctx)
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok == "" {
			h.svc.AuditAuthFailure(ctx, "missing_token")
			w.Header().Set("WWW-Authenticate", `Bearer realm="tipgate"`)
			writeError(w, r, h.log, &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "a Bearer tipgate session token is required"})
			return
		}
		p, err := h.auth.Verify(ctx, tok)
		if err != nil && identity.CodeOf(err) == identity.CodeInternal {
			// tipgate could not check the token (its shared store does not
			// answer): refused, but as a retryable outage, not a bad token.
			writeError(w, r, h.log, &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "tipgate cannot check sessions right now; retry shortly"})
			return
		}
		if err != nil {
			h.svc.AuditAuthFailure(ctx, string(identity.CodeOf(err)))
			w.Header().Set("WWW-Authenticate", `Bearer realm="tipgate", error="invalid_token"`)
			writeError(w, r, h.log, &Error{Status: http.StatusUnauthorized, Code: "invalid_token", Message: "the session token is not valid: " + string(identity.CodeOf(err))})
			return
		}
		v, err := fn(r, p)
		if err != nil {
			writeError(w, r, h.log, toError(err))
			return
		}
		if st, ok := v.(streamer); ok {
			// Checked before the first byte, so a refusal is still a JSON error.
			n, err := st.check()
			if err != nil {
				writeError(w, r, h.log, toError(err))
				return
			}
			w.Header().Set("Content-Type", st.contentType())
			w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
			if err := st.stream(w); err != nil {
				h.log.WarnContext(r.Context(), "stream ended early", "err", err)
			}
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if page, ok := v.(*dataapi.ResultPage); ok {
			// Result pages are encoded from their record batch, not by
			// reflection.
			buf := h.bufs.Get()
			b := append(page.AppendJSON(*buf), '\n')
			page.Release()
			// With its length known the body is not chunked.
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			*buf = b
			h.bufs.Put(buf)
			return
		}
		if ex, ok := v.(*executeWithResult); ok {
			buf := h.bufs.Get()
			b, err := ex.appendJSON(*buf)
			if err != nil {
				h.bufs.Put(buf)
				writeError(w, r, h.log, toError(err))
				return
			}
			b = append(b, '\n')
			// With its length known the body is not chunked.
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Write(b)
			*buf = b
			h.bufs.Put(buf)
			return
		}
		json.NewEncoder(w).Encode(v)
	})
}

func toError(err error) *Error {
	var re *Error
	if errors.As(err, &re) {
		return re
	}
	var de *dataapi.Error
	if errors.As(err, &de) {
		e := &Error{Status: http.StatusBadRequest, Code: codeOf(de.Kind), Message: de.Message}
		switch de.Kind {
		case dataapi.ResourceNotFound:
			e.Status = http.StatusNotFound
		case dataapi.AccessDenied:
			e.Status = http.StatusForbidden
		case dataapi.ActiveStatementsExceeded, dataapi.ActiveSessionsExceeded, dataapi.RunningTimeExceeded:
			e.Status = http.StatusTooManyRequests
		case dataapi.InternalServer, dataapi.ExecuteStatementFailed:
			e.Status = http.StatusInternalServerError
		case dataapi.Unavailable:
			e.Status = http.StatusServiceUnavailable
		}
		return e
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
}

func codeOf(k dataapi.Kind) string {
	switch k {
	case dataapi.Validation:
		return "validation"
	case dataapi.ResourceNotFound:
		return "not_found"
	case dataapi.ActiveStatementsExceeded:
		return "active_statements_exceeded"
	case dataapi.ActiveSessionsExceeded:
		return "active_sessions_exceeded"
	case dataapi.RunningTimeExceeded:
		return "running_time_exceeded"
	case dataapi.QueryTimeout:
		return "query_timeout"
	case dataapi.AccessDenied:
		return "permission_denied"
	case dataapi.Unavailable:
		return "unavailable"
	}
	return "internal"
}

func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, e *Error) {
	log.InfoContext(r.Context(), "rest request refused", "code", e.Code, "status", e.Status)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(e)
}

func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "validation", Message: fmt.Sprintf(format, args...)}
}

func intParam(r *http.Request, name string, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max {
		return 0, badRequest("query parameter %s must be a whole number from 0 to %d", name, max)
	}
	return n, nil
}

func (h *Handler) execute(r *http.Request, p identity.Principal) (any, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Code: "validation", Message: fmt.Sprintf("the body is larger than %d bytes", maxBody)}
	}
	var in executeRequest
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("the body is not a valid statement request: %v", jsonProblem(err))
	}
	if in.IncludeResult {
		switch {
		case in.Sql == "" || len(in.Sqls) > 0:
			return nil, badRequest("IncludeResult applies to a single statement (Sql), not to a batch")
		case in.WaitTimeSeconds == nil || *in.WaitTimeSeconds < 1:
			return nil, badRequest("IncludeResult needs WaitTimeSeconds (1 to 30): the result is included only when the statement finished within it")
		}
	}
	out, err := h.svc.Execute(r.Context(), p, in.ExecuteInput)
	if err != nil || !in.IncludeResult || out.Status != dataapi.StatusFinished || out.HasResultSet == nil || !*out.HasResultSet {
		return out, err
	}
	// The first page is read exactly as GET …/result reads it: the same
	// owner check, and its NextToken bound to owner, statement and page.
	page, err := h.svc.ResultPage(r.Context(), p, out.ID, "", 0, in.ResultFormat == "CSV")
	if err != nil {
		// The statement ran and is answered; the client reads the result
		// with GET …/result, which reports the problem.
		h.log.WarnContext(r.Context(), "first result page not included", "statement_id", out.ID, "err", err)
		return out, nil
	}
	return &executeWithResult{out: out, page: page}, nil
}

// executeRequest is ExecuteStatement's input plus the REST binding's own
// IncludeResult: answer with the first result page when the statement
// finished within WaitTimeSeconds, saving the GET …/result round trip.
type executeRequest struct {
	dataapi.ExecuteInput
	IncludeResult bool `json:"IncludeResult,omitempty"`
}

// executeWithResult is ExecuteOutput with the first result page as
// "Result", the body GET …/result (…?format=csv for CSV results) would
// have answered.
type executeWithResult struct {
	out  *dataapi.ExecuteOutput
	page *dataapi.ResultPage
}

// appendJSON appends the output's JSON object with "Result" as its last
// member, and releases the page.
func (e *executeWithResult) appendJSON(dst []byte) ([]byte, error) {
	defer e.page.Release()
	head, err := json.Marshal(e.out)
	if err != nil {
		return dst, err
	}
	dst = append(dst, head[:len(head)-1]...)
	dst = append(dst, `,"Result":`...)
	dst = e.page.AppendJSON(dst)
	return append(dst, '}'), nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s must be %s", te.Field, te.Type)
	}
	return "malformed JSON"
}

func (h *Handler) list(r *http.Request, p identity.Principal) (any, error) {
	max, err := intParam(r, "MaxResults", 100)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	return h.svc.List(r.Context(), p, dataapi.ListInput{NextToken: q.Get("NextToken"), MaxResults: max, StatementName: q.Get("StatementName"), Status: q.Get("Status")})
}

func (h *Handler) describe(r *http.Request, p identity.Principal) (any, error) {
	wait, err := intParam(r, "WaitTimeSeconds", 30)
	if err != nil {
		return nil, err
	}
	return h.svc.Describe(r.Context(), p, r.PathValue("id"), wait)
}

func (h *Handler) result(r *http.Request, p identity.Principal) (any, error) {
	wait, err := intParam(r, "WaitTimeSeconds", 30)
	if err != nil {
		return nil, err
	}
	tok := r.URL.Query().Get("NextToken")
	if r.URL.Query().Get("format") == "arrow" {
		return arrowResult{ctx: r.Context(), svc: h.svc, p: p, id: r.PathValue("id")}, nil
	}
	return h.svc.ResultPage(r.Context(), p, r.PathValue("id"), tok, wait, r.URL.Query().Get("format") == "csv")
}

func (h *Handler) cancel(r *http.Request, p identity.Principal) (any, error) {
	ok, err := h.svc.Cancel(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return map[string]bool{"Status": ok}, nil
}

func (h *Handler) databases(r *http.Request, p identity.Principal) (any, error) {
	return map[string][]string{"Databases": h.svc.ListDatabases(r.Context(), p)}, nil
}

func (h *Handler) schemas(r *http.Request, p identity.Principal) (any, error) {
	return map[string][]string{"Schemas": h.svc.ListSchemas(r.Context(), p, r.URL.Query().Get("SchemaPattern"))}, nil
}

func (h *Handler) tables(r *http.Request, p identity.Principal) (any, error) {
	q := r.URL.Query()
	tables, err := h.svc.ListTables(r.Context(), p, q.Get("SchemaPattern"), q.Get("TablePattern"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"Tables": tables}, nil
}

func (h *Handler) describeTable(r *http.Request, p identity.Principal) (any, error) {
	cols, err := h.svc.DescribeTable(r.Context(), p, r.PathValue("schema"), r.PathValue("table"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"TableName": r.PathValue("table"), "ColumnList": cols}, nil
}

func (h *Handler) audit(r *http.Request, p identity.Principal) (any, error) {
	limit, err := intParam(r, "limit", 10000)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 100
	}
	recs, err := h.svc.AuditLog(r.Context(), p, limit)
	if err != nil {
		return nil, err
	}
	return map[string]any{"Records": recs}, nil
}

func (h *Handler) whoami(r *http.Request, p identity.Principal) (any, error) {
	return h.svc.WhoAmI(r.Context(), p)
}

// streamer is a response written as a stream rather than one JSON value.
type streamer interface {
	check() (length int64, err error)
	contentType() string
	stream(w io.Writer) error
}

// arrowResult is a whole result as an Arrow IPC stream.
type arrowResult struct {
	ctx context.Context
	svc *dataapi.Service
	p   identity.Principal
	id  string
}

func (a arrowResult) check() (int64, error) { return a.svc.CheckArrow(a.ctx, a.p, a.id) }

func (a arrowResult) contentType() string { return "application/vnd.apache.arrow.stream" }

func (a arrowResult) stream(w io.Writer) error { return a.svc.WriteArrow(a.ctx, a.p, a.id, w) }
