package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/scim"
)

const (
	maxConsoleRows  = 1000
	maxConsoleBytes = 100_000
)

// maxJSONBody bounds an admin request body: one console statement and
// its JSON envelope.
const maxJSONBody = maxConsoleBytes + 1000

// readJSON reads the whole body, refusing one over maxJSONBody with 413,
// before decoding exactly one JSON object from it: a body cut at the bound
// is never parsed.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &queryError{status: http.StatusRequestEntityTooLarge, code: "too_large", msg: fmt.Sprintf("the request body is larger than %d bytes", maxJSONBody)}
		}
		return &badRequest{"the request body could not be read"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &badRequest{"the request body is not the expected JSON object: " + err.Error()}
	}
	if dec.More() {
		return &badRequest{"the request body holds more than one JSON value"}
	}
	return nil
}

type consoleColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type consoleOutput struct {
	StatementID string          `json:"statementId"`
	Columns     []consoleColumn `json:"columns"`
	Rows        [][]any         `json:"rows"`
	RowCount    int64           `json:"rowCount"`
	Truncated   bool            `json:"truncated"`
	MS          float64         `json:"ms"`
}

// apiAdminSQL runs one statement as the admin themselves (never as the
// person they view as), through the Data API like any other client.
func (h *Handler) apiAdminSQL(w http.ResponseWriter, r *http.Request, c *call) {
	var in struct {
		SQL string `json:"sql"`
	}
	if err := readJSON(w, r, &in); err != nil {
		h.fail(w, err)
		return
	}
	if strings.TrimSpace(in.SQL) == "" {
		h.fail(w, &badRequest{"sql is empty"})
		return
	}
	if len(in.SQL) > maxConsoleBytes {
		h.fail(w, &badRequest{"sql is longer than 100,000 bytes"})
		return
	}
	start := time.Now()
	res, err := h.run(requestContext(r, ""), c.self, in.SQL, nil, maxConsoleRows)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := consoleOutput{StatementID: res.id, Columns: []consoleColumn{}, Rows: res.rows, RowCount: res.total, MS: ms(time.Since(start))}
	if out.Rows == nil {
		out.Rows = [][]any{}
	}
	for _, col := range res.columns {
		out.Columns = append(out.Columns, consoleColumn{Name: col.Name, Type: col.TypeName})
	}
	out.Truncated = res.total > int64(len(res.rows))
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiAdminAudit(w http.ResponseWriter, r *http.Request, c *call) {
	limit := 200
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			h.fail(w, &badRequest{"limit must be a number from 1 to 10000"})
			return
		}
		limit = n
	}
	recs, err := h.svc.AuditLog(r.Context(), c.self, limit)
	if err != nil {
		h.fail(w, fromDataAPI(err))
		return
	}
	// Newest first.
	slices.SortStableFunc(recs, func(a, b audit.Record) int { return b.Time.Compare(a.Time) })
	writeJSON(w, http.StatusOK, map[string]any{"records": recs})
}

// apiAdminDirectory is the admin console's Users & groups: what the
// identity providers provisioned over SCIM, and when each provisioning
// client last changed anything. Read-only; never a token.
func (h *Handler) apiAdminDirectory(w http.ResponseWriter, r *http.Request, _ *call) {
	if h.directory == nil {
		writeJSON(w, http.StatusOK, scim.DirectoryView{Users: []scim.UserView{}, Groups: []scim.GroupView{}, Clients: []scim.ClientView{}})
		return
	}
	d, err := h.directory(r.Context())
	if err != nil {
		h.log.ErrorContext(r.Context(), "web: reading the provisioned directory failed", "err", err)
		writeError(w, http.StatusServiceUnavailable, "directory_unavailable", "the provisioned users and groups cannot be read right now")
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// apiViewAsOptions suggests whom to view as: the groups that have roles
// in the namespace, and the users the catalog or the audit log knows.
func (h *Handler) apiViewAsOptions(w http.ResponseWriter, r *http.Request, c *call) {
	ns := c.self.Namespace
	if ns == "" {
		ns = identity.DefaultNamespace
	}
	cat := h.catalog()
	groups, users := []string{}, []string{}
	for name := range cat.Roles {
		if g, ok := strings.CutPrefix(name, ns+":"); ok {
			groups = append(groups, g)
		}
	}
	seen := map[string]bool{}
	addUser := func(u string) {
		if e, ok := strings.CutPrefix(u, ns+":"); ok && !seen[e] {
			seen[e] = true
			users = append(users, e)
		}
	}
	for name := range cat.Users {
		addUser(name)
	}
	if recs, err := h.svc.AuditLog(r.Context(), c.self, 2000); err == nil {
		for _, rec := range recs {
			addUser(rec.User)
		}
	}
	slices.Sort(groups)
	slices.Sort(users)
	writeJSON(w, http.StatusOK, map[string]any{"namespace": ns, "groups": groups, "users": users})
}

// apiViewAs starts viewing the dashboard as someone. It is written to the
// audit log first; statements run meanwhile are recorded with the admin
// as their actor.
func (h *Handler) apiViewAs(w http.ResponseWriter, r *http.Request, c *call) {
	var in struct {
		User   string   `json:"user"`
		Groups []string `json:"groups"`
	}
	if err := readJSON(w, r, &in); err != nil {
		h.fail(w, err)
		return
	}
	if len(in.User) > 256 || len(in.Groups) > 100 {
		h.fail(w, &badRequest{"user or groups are too long"})
		return
	}
	user := strings.TrimSpace(in.User)
	// People sign in with their email, so that is whom one can view as; a
	// typo would otherwise start a session as nobody and linger among the
	// suggestions.
	if a, err := mail.ParseAddress(user); err != nil || a.Address != user || a.Name != "" {
		h.fail(w, &badRequest{fmt.Sprintf("user must be an email address like someone@example.com, not %q", truncate(user, 80))})
		return
	}
	ns := c.self.Namespace
	if ns == "" {
		ns = identity.DefaultNamespace
	}
	p, err := identity.Simulated(user, ns, in.Groups)
	if err != nil {
		h.fail(w, &badRequest{strings.TrimPrefix(err.Error(), "identity: ")})
		return
	}
	// Viewing as a superuser would show more than any federated person
	// can see; that is not what "view as" is for.
	if h.subject(r.Context(), p).Superuser {
		writeError(w, http.StatusForbidden, "forbidden", "cannot view the dashboard as a superuser")
		return
	}
	if err := h.svc.AuditViewAs(requestContext(r, ""), c.self, p); err != nil {
		h.fail(w, fromDataAPI(err))
		return
	}
	h.store.setViewAs(c.ws, &p)
	h.log.Info("dashboard view as", "admin", c.self.User, "as", p.User, "groups", p.Groups)
	c.as, c.actor = p, c.self.User
	writeJSON(w, http.StatusOK, h.me(r.Context(), c))
}

func (h *Handler) apiViewAsClear(w http.ResponseWriter, r *http.Request, c *call) {
	h.store.setViewAs(c.ws, nil)
	c.as, c.actor = c.self, ""
	writeJSON(w, http.StatusOK, h.me(r.Context(), c))
}
