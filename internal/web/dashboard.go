package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
)

const noAccessMessage = "You don't have access to any sales data yet. Ask your administrator to grant your group access to sales_data."

// access tells whether p may read the sales table at all. It only shapes
// the answer (a polite message instead of a permission error): the
// statements themselves are enforced by the warehouse either way.
func (h *Handler) canRead(p identity.Principal) bool {
	cat := h.catalog()
	a, ok := cat.Decide(cat.Subject(p), salesTable)
	return ok && a.Visible
}

type panelOutput struct {
	Rows     []map[string]any `json:"rows"`
	Cached   bool             `json:"cached"`
	MS       float64          `json:"ms"`
	NoAccess bool             `json:"noAccess,omitempty"`
	Message  string           `json:"message,omitempty"`
}

// panelData runs (or finds in the cache) one panel for the call's person.
func (h *Handler) panelData(r *http.Request, c *call, name, grain string, f filters) (*panelOutput, error) {
	start := time.Now()
	if !h.canRead(c.as) {
		return &panelOutput{Rows: []map[string]any{}, NoAccess: true, Message: noAccessMessage}, nil
	}
	pn, ok := panelFor(name, grain)
	if !ok {
		if name == "timeseries" {
			return nil, &badRequest{"grain must be day, week or month"}
		}
		return nil, &badRequest{fmt.Sprintf("there is no panel %q", truncate(name, 40))}
	}
	cat := h.catalog()
	key := strconv.FormatInt(cat.Version, 10) + "\x00" + cat.Subject(c.as).Key() + "\x00" + name + "\x00" + grain + "\x00" + f.key()
	if v, ok := h.cache.get(key); ok {
		return &panelOutput{Rows: v.([]map[string]any), Cached: true, MS: ms(time.Since(start))}, nil
	}
	where, params := f.where()
	res, err := h.run(requestContext(r, c.actor), c.as, pn.sql(where), params, 100000)
	if err != nil {
		return nil, err
	}
	rows := panelRows(pn, res)
	h.cache.put(key, rows)
	return &panelOutput{Rows: rows, MS: ms(time.Since(start))}, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (h *Handler) fail(w http.ResponseWriter, err error) {
	var br *badRequest
	var qe *queryError
	switch {
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, "bad_request", br.msg)
	case errors.As(err, &qe):
		writeError(w, qe.status, qe.code, qe.msg)
	default:
		h.log.Error("dashboard request failed", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "the request failed on the server")
	}
}

func (h *Handler) apiPanel(w http.ResponseWriter, r *http.Request, c *call) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	name, grain := r.PathValue("name"), ""
	if name == "timeseries" {
		grain = r.URL.Query().Get("grain")
		if grain == "" {
			grain = "month"
		}
	}
	out, err := h.panelData(r, c, name, grain, f)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

type country struct {
	Code   string `json:"code"`
	Region string `json:"region"`
}

type filtersOutput struct {
	Categories []string  `json:"categories"`
	Countries  []country `json:"countries"`
	MinDate    *string   `json:"minDate"`
	MaxDate    *string   `json:"maxDate"`
	NoAccess   bool      `json:"noAccess,omitempty"`
}

// apiFilters lists the filter choices within what the person may see.
func (h *Handler) apiFilters(w http.ResponseWriter, r *http.Request, c *call) {
	out := filtersOutput{Categories: []string{}, Countries: []country{}}
	if !h.canRead(c.as) {
		out.NoAccess = true
		writeJSON(w, http.StatusOK, out)
		return
	}
	cat := h.catalog()
	key := strconv.FormatInt(cat.Version, 10) + "\x00" + cat.Subject(c.as).Key() + "\x00filters"
	if v, ok := h.cache.get(key); ok {
		writeJSON(w, http.StatusOK, v)
		return
	}
	ctx := requestContext(r, c.actor)
	stmts := []string{
		`SELECT DISTINCT category FROM sales_data ORDER BY 1`,
		`SELECT country, min(` + regionExpr + `) AS region FROM sales_data GROUP BY country ORDER BY country`,
		`SELECT CAST(min("timestamp") AS DATE) AS first_day, CAST(max("timestamp") AS DATE) AS last_day FROM sales_data`,
	}
	results := make([]*result, len(stmts))
	errs := make([]error, len(stmts))
	var wg sync.WaitGroup
	for i, s := range stmts {
		wg.Go(func() { results[i], errs[i] = h.run(ctx, c.as, s, nil, 10000) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		h.fail(w, err)
		return
	}
	for _, row := range results[0].rows {
		if s, ok := row[0].(string); ok {
			out.Categories = append(out.Categories, s)
		}
	}
	for _, row := range results[1].rows {
		code, _ := row[0].(string)
		region, _ := row[1].(string)
		out.Countries = append(out.Countries, country{Code: code, Region: region})
	}
	if len(results[2].rows) == 1 {
		if s, ok := results[2].rows[0][0].(string); ok {
			out.MinDate = &s
		}
		if s, ok := results[2].rows[0][1].(string); ok {
			out.MaxDate = &s
		}
	}
	h.cache.put(key, out)
	writeJSON(w, http.StatusOK, out)
}

// apiExport writes the cities table under the current filters as CSV:
// the same statement, enforcement and audit as the table on the page.
func (h *Handler) apiExport(w http.ResponseWriter, r *http.Request, c *call) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	out, err := h.panelData(r, c, "cities", "", f)
	if err != nil {
		h.fail(w, err)
		return
	}
	if out.NoAccess {
		writeError(w, http.StatusForbidden, "forbidden", noAccessMessage)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tipgate-sales-by-city.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"city", "country", "region", "latitude", "longitude", "orders", "units", "revenue"})
	for _, row := range out.Rows {
		_ = cw.Write([]string{csvSafe(str(row["city"])), csvSafe(str(row["country"])), csvSafe(str(row["region"])),
			strconv.FormatFloat(number(row["lat"]), 'f', -1, 64), strconv.FormatFloat(number(row["lon"]), 'f', -1, 64),
			strconv.FormatInt(int64(number(row["orders"])), 10), strconv.FormatInt(int64(number(row["units"])), 10),
			strconv.FormatFloat(number(row["revenue"]), 'f', 2, 64)})
	}
	cw.Flush()
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV
// injection): data values that start with = + - @ get a leading quote.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
