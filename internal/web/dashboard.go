package web

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const noAccessMessage = "You don't have access to any sales data yet. Ask your administrator to grant your group access to sales_data."

type panelOutput struct {
	Rows     []map[string]any `json:"rows"`
	Cached   bool             `json:"cached"`
	MS       float64          `json:"ms"`
	NoAccess bool             `json:"noAccess,omitempty"`
	Message  string           `json:"message,omitempty"`
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
	// Every panel accepts grain; only the time series shows it.
	name, grain := r.PathValue("name"), r.URL.Query().Get("grain")
	if grain == "" {
		grain = "month"
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
	// The choices come from the unfiltered bundle.
	b, _, err := h.bundleFor(r, c, filters{})
	if err != nil {
		h.fail(w, err)
		return
	}
	if b == nil {
		writeJSON(w, http.StatusOK, filtersOutput{Categories: []string{}, Countries: []country{}, NoAccess: true})
		return
	}
	writeJSON(w, http.StatusOK, b.choices())
}

// apiExport writes the cities table under the current filters as CSV:
// the same statement, enforcement and audit as the table on the page.
func (h *Handler) apiExport(w http.ResponseWriter, r *http.Request, c *call) {
	f, err := parseFilters(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	out, err := h.panelData(r, c, "cities", "month", f)
	if err != nil {
		h.fail(w, err)
		return
	}
	if out.NoAccess {
		writeError(w, http.StatusForbidden, "forbidden", noAccessMessage)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportFileName(f)+`"`)
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

// exportFileName says what the export holds: the filters, in the order of
// the page's filter bar, reduced to letters, digits and dashes (so it is
// safe in the header). The page names its own search exports the same way.
func exportFileName(f filters) string {
	safe := func(s string) string { return strings.Trim(fileUnsafe.ReplaceAllString(s, "-"), "-") }
	parts := []string{"tipgate-sales-by-city"}
	if f.From != "" || f.To != "" {
		parts = append(parts, safe(cmp.Or(f.From, "start"))+"_to_"+safe(cmp.Or(f.To, "end")))
	}
	for _, vals := range [][]string{f.Regions, f.Categories, f.Countries} {
		if len(vals) > 0 {
			parts = append(parts, safe(strings.Join(vals, "-")))
		}
	}
	return strings.Join(parts, "_") + ".csv"
}

var fileUnsafe = regexp.MustCompile(`[^A-Za-z0-9-]+`)

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
