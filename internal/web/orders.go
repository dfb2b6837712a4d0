package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/tipgate/tipgate/internal/dataapi"
)

// The drill-through: the orders behind one city's figures, as rows of
// sales_data read by the person's own statement, so their row policies,
// column privileges and masks apply exactly as anywhere else.

// orderColumns are the columns the drill-through shows, in order; those
// the person may not read are left out (asking for them would fail the
// whole statement).
var orderColumns = []string{"timestamp", "sku", "product_name", "category", "quantity", "sales_price"}

const (
	ordersPageSize = 50
	maxOrdersCSV   = 100_000
)

type ordersOutput struct {
	City     string   `json:"city"`
	Country  string   `json:"country"`
	Columns  []string `json:"columns"`
	Rows     [][]any  `json:"rows"`
	Total    int64    `json:"total"`
	Page     int      `json:"page"`
	PageSize int      `json:"pageSize"`
	NoAccess bool     `json:"noAccess,omitempty"`
}

// ordersQuery reads the drill-through's parameters: the dashboard's
// filters plus the city (city=Name&cityCountry=CC) and a page.
func ordersQuery(q url.Values) (filters, string, string, int, error) {
	f, err := parseFilters(q)
	if err != nil {
		return f, "", "", 0, err
	}
	city, cc := q.Get("city"), q.Get("cityCountry")
	for name, v := range map[string]string{"city": city, "cityCountry": cc} {
		switch {
		case v == "":
			return f, "", "", 0, &badRequest{name + " is required"}
		case len(v) > 100:
			return f, "", "", 0, &badRequest{name + " is longer than 100 characters"}
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			return f, "", "", 0, &badRequest{name + " contains a control character"}
		}
	}
	page := 0
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 100_000 {
			return f, "", "", 0, &badRequest{"page must be a number from 0"}
		}
		page = n
	}
	return f, city, cc, page, nil
}

// ordersSQL selects cols of the city's rows under f, newest first; with
// limit > 0, one page of them and the total.
func ordersSQL(f filters, cols []string, city, cc string, limit, offset int) (string, []dataapi.Parameter) {
	where, params := f.where()
	cond := `city = :drill_city AND country = :drill_country`
	if where == "" {
		where = " WHERE " + cond
	} else {
		where += " AND " + cond
	}
	params = append(params, dataapi.Parameter{Name: "drill_city", Value: city}, dataapi.Parameter{Name: "drill_country", Value: cc})
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = `"` + c + `"`
	}
	sql := `SELECT ` + strings.Join(quoted, ", ")
	if limit > 0 {
		sql += `, count(*) OVER () AS total_rows`
	}
	// Newest first, then by the other columns, so pages do not overlap.
	order := []string{}
	for i, c := range cols {
		if c == "timestamp" {
			order = append([]string{`"timestamp" DESC`}, order...)
		} else {
			order = append(order, strconv.Itoa(i+1))
		}
	}
	sql += ` FROM sales_data` + where + ` ORDER BY ` + strings.Join(order, ", ")
	if limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
	}
	return sql, params
}

// readableOrderColumns are orderColumns the person may read; nil when the
// table is not readable at all.
func (h *Handler) readableOrderColumns(r *http.Request, c *call) ([]string, bool, error) {
	d, err := h.svc.Decision(requestContext(r, c.actor), c.as)
	if err != nil {
		return nil, false, fromDataAPI(err)
	}
	a, ok := d.Readable(salesTable)
	if !ok {
		return nil, false, nil
	}
	granted := map[string]bool{}
	for _, col := range a.Columns {
		if col.Granted {
			granted[strings.ToLower(col.Name)] = true
		}
	}
	var cols []string
	for _, c := range orderColumns {
		if granted[c] {
			cols = append(cols, c)
		}
	}
	return cols, true, nil
}

func (h *Handler) apiOrders(w http.ResponseWriter, r *http.Request, c *call) {
	f, city, cc, page, err := ordersQuery(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	cols, ok, err := h.readableOrderColumns(r, c)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := ordersOutput{City: city, Country: cc, Columns: []string{}, Rows: [][]any{}, Page: page, PageSize: ordersPageSize}
	if !ok || len(cols) == 0 {
		out.NoAccess = true
		writeJSON(w, http.StatusOK, out)
		return
	}
	sql, params := ordersSQL(f, cols, city, cc, ordersPageSize, page*ordersPageSize)
	res, err := h.run(requestContext(r, c.actor), c.as, sql, params, ordersPageSize)
	if err != nil {
		h.fail(w, err)
		return
	}
	out.Columns = cols
	for _, row := range res.rows {
		if len(row) == len(cols)+1 {
			out.Total = int64(number(row[len(cols)]))
			row = row[:len(cols)]
		}
		out.Rows = append(out.Rows, row)
	}
	if len(res.rows) == 0 && page > 0 {
		// Past the last page: the total still says how many there are.
		sql, params := ordersSQL(f, cols, city, cc, 1, 0)
		if first, err := h.run(requestContext(r, c.actor), c.as, sql, params, 1); err == nil && len(first.rows) == 1 {
			out.Total = int64(number(first.rows[0][len(cols)]))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiOrdersCSV is every order of the drill-through (up to maxOrdersCSV)
// as CSV, with each order's revenue (quantity × price) when both are
// readable.
func (h *Handler) apiOrdersCSV(w http.ResponseWriter, r *http.Request, c *call) {
	f, city, cc, _, err := ordersQuery(r.URL.Query())
	if err != nil {
		h.fail(w, err)
		return
	}
	cols, ok, err := h.readableOrderColumns(r, c)
	if err != nil {
		h.fail(w, err)
		return
	}
	if !ok || len(cols) == 0 {
		writeError(w, http.StatusForbidden, "forbidden", noAccessMessage)
		return
	}
	sql, params := ordersSQL(f, cols, city, cc, 0, 0)
	res, err := h.run(requestContext(r, c.actor), c.as, sql, params, maxOrdersCSV)
	if err != nil {
		h.fail(w, err)
		return
	}
	qi, pi := slices.Index(cols, "quantity"), slices.Index(cols, "sales_price")
	name := strings.TrimSuffix(exportFileName(f), ".csv")
	name = strings.Replace(name, "tipgate-sales-by-city", "tipgate-orders_"+safeFilePart(city)+"_"+safeFilePart(cc), 1)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	head := append([]string{"city", "country"}, cols...)
	if qi >= 0 && pi >= 0 {
		head = append(head, "revenue")
	}
	_ = cw.Write(head)
	for _, row := range res.rows {
		rec := []string{csvSafe(city), csvSafe(cc)}
		for _, v := range row {
			rec = append(rec, csvSafe(str(v)))
		}
		if qi >= 0 && pi >= 0 {
			rec = append(rec, revenueOf(row[qi], row[pi]))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// revenueOf is quantity × price in exact cents.
func revenueOf(q, p any) string {
	n := int64(number(q)) * centsOf(p)
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

func safeFilePart(s string) string { return strings.Trim(fileUnsafe.ReplaceAllString(s, "-"), "-") }
