package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/identity"
)

// salesTable is the table the dashboard shows.
const salesTable = "sales_data"

// filters are the dashboard's filters, validated. Each one that is set
// adds a fixed predicate whose value is bound as a Data API parameter:
// no part of a statement is ever built from what the browser sent.
type filters struct {
	From, To string
	// Categories, Countries and Regions each match any of their values
	// (a parameter given more than once); Regions are time-zone
	// continents, as the regions panel shows them.
	Categories, Countries, Regions []string
}

// maxFilterValues bounds how many values one filter may list.
const maxFilterValues = 50

// listFilters are the multi-valued filters: the query parameter, the
// column expression (fixed text) and the parameter name prefix.
var listFilters = []struct{ param, expr string }{
	{"category", "category"},
	{"country", "country"},
	{"region", "split_part(timezone, '/', 1)"},
}

func (f *filters) list(param string) *[]string {
	switch param {
	case "category":
		return &f.Categories
	case "country":
		return &f.Countries
	}
	return &f.Regions
}

// badRequest is a parameter the browser got wrong.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func parseFilters(q url.Values) (filters, error) {
	f := filters{From: q.Get("from"), To: q.Get("to")}
	for name, v := range map[string]string{"from": f.From, "to": f.To} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return f, &badRequest{fmt.Sprintf("%s must be a date as YYYY-MM-DD, not %q", name, truncate(v, 40))}
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		return f, &badRequest{"from must not be after to"}
	}
	for _, lf := range listFilters {
		vals := q[lf.param]
		if len(vals) > maxFilterValues {
			return f, &badRequest{fmt.Sprintf("%s is given more than %d times", lf.param, maxFilterValues)}
		}
		var out []string
		for _, v := range vals {
			if len(v) > 100 {
				return f, &badRequest{lf.param + " is longer than 100 characters"}
			}
			if strings.IndexFunc(v, unicode.IsControl) >= 0 {
				return f, &badRequest{lf.param + " contains a control character"}
			}
			if v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		// Sorted: the same set is the same filter (and cache entry) in any order.
		slices.Sort(out)
		*f.list(lf.param) = out
	}
	return f, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// where is the statement's WHERE clause and its parameters.
func (f filters) where() (string, []dataapi.Parameter) {
	var conds []string
	var params []dataapi.Parameter
	if f.From != "" {
		conds = append(conds, `"timestamp" >= CAST(:from_date AS DATE)`)
		params = append(params, dataapi.Parameter{Name: "from_date", Value: f.From})
	}
	if f.To != "" {
		// The day after is computed here, not in SQL: interval arithmetic
		// is spelt differently by every engine, a date comparison is not.
		to, _ := time.Parse(time.DateOnly, f.To)
		conds = append(conds, `"timestamp" < CAST(:before_date AS DATE)`)
		params = append(params, dataapi.Parameter{Name: "before_date", Value: to.AddDate(0, 0, 1).Format(time.DateOnly)})
	}
	for _, lf := range listFilters {
		vals := *f.list(lf.param)
		switch len(vals) {
		case 0:
		case 1:
			conds = append(conds, lf.expr+` = :`+lf.param)
			params = append(params, dataapi.Parameter{Name: lf.param, Value: vals[0]})
		default:
			names := make([]string, len(vals))
			for i, v := range vals {
				names[i] = ":" + lf.param + "_" + strconv.Itoa(i)
				params = append(params, dataapi.Parameter{Name: lf.param + "_" + strconv.Itoa(i), Value: v})
			}
			conds = append(conds, lf.expr+` IN (`+strings.Join(names, ", ")+`)`)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), params
}

// key is the filters' part of a cache key.
func (f filters) key() string {
	k := strconv.Quote(f.From) + strconv.Quote(f.To)
	for _, lf := range listFilters {
		k += "|" + lf.param
		for _, v := range *f.list(lf.param) {
			k += strconv.Quote(v)
		}
	}
	return k
}

// queryError is a statement the warehouse refused or failed.
type queryError struct {
	status int
	code   string
	msg    string
}

func (e *queryError) Error() string { return e.msg }

// result is a finished statement's rows, with values already typed.
type result struct {
	columns []dataapi.ColumnMetadata
	rows    [][]any
	total   int64
	id      string
}

// run executes one statement as p through the Data API service and reads
// up to maxRows of its result.
func (h *Handler) run(ctx context.Context, p identity.Principal, sql string, params []dataapi.Parameter, maxRows int) (*result, error) {
	wait := 30
	out, err := h.svc.Execute(ctx, p, dataapi.ExecuteInput{Sql: sql, Parameters: params, WaitTimeSeconds: &wait})
	if err != nil {
		return nil, fromDataAPI(err)
	}
	d, err := h.svc.Describe(ctx, p, out.ID, 0)
	if err != nil {
		return nil, fromDataAPI(err)
	}
	switch d.Status {
	case dataapi.StatusFinished:
	case dataapi.StatusFailed, dataapi.StatusAborted:
		return nil, &queryError{status: 422, code: "query_failed", msg: d.Error}
	default:
		_, _ = h.svc.Cancel(ctx, p, out.ID)
		return nil, &queryError{status: 504, code: "timeout", msg: "the statement took longer than 30 seconds and was cancelled"}
	}
	res := &result{id: out.ID}
	if !d.HasResultSet {
		return res, nil
	}
	next := ""
	for {
		page, err := h.svc.GetResult(ctx, p, out.ID, next, 0)
		if err != nil {
			return nil, fromDataAPI(err)
		}
		res.columns, res.total = page.ColumnMetadata, page.TotalNumRows
		for _, rec := range page.Records {
			if len(res.rows) >= maxRows {
				return res, nil
			}
			row := make([]any, len(rec))
			for i, f := range rec {
				row[i] = fieldValue(f)
			}
			res.rows = append(res.rows, row)
		}
		if page.NextToken == "" {
			return res, nil
		}
		next = page.NextToken
	}
}

func fromDataAPI(err error) error {
	var de *dataapi.Error
	if errors.As(err, &de) {
		switch de.Kind {
		case dataapi.ActiveStatementsExceeded, dataapi.RunningTimeExceeded:
			return &queryError{status: 429, code: "busy", msg: de.Message}
		case dataapi.Validation:
			return &queryError{status: 400, code: "bad_request", msg: de.Message}
		case dataapi.AccessDenied:
			return &queryError{status: 403, code: "forbidden", msg: de.Message}
		}
		return &queryError{status: 500, code: "internal", msg: de.Message}
	}
	return err
}

// fieldValue turns a Data API field into a JSON value.
func fieldValue(f dataapi.Field) any {
	switch {
	case f.IsNull != nil && *f.IsNull:
		return nil
	case f.LongValue != nil:
		return *f.LongValue
	case f.DoubleValue != nil:
		return *f.DoubleValue
	case f.BooleanValue != nil:
		return *f.BooleanValue
	case f.StringValue != nil:
		return *f.StringValue
	case f.BlobValue != nil:
		return f.BlobValue
	}
	return nil
}

// number reads a numeric column (DECIMALs arrive as strings).
func number(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err == nil {
			return f
		}
	}
	return 0
}
