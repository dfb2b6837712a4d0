package web

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sync/singleflight"
)

// Panels are the dashboard's panels, in the order of docs/dashboard.md.
var Panels = []string{"headline", "cities", "regions", "countries", "categories", "timeseries"}

var grains = map[string]string{"day": "day", "week": "week", "month": "month"}

// BundleSQL is the one statement behind every panel of a dashboard load:
// a single scan of the person's rows aggregated by GROUPING SETS, one set
// per panel, instead of one scan per panel. where is a fixed filter
// clause (filters.where) and grain one of day, week or month. It is
// exported for the benchmark, which runs the same text on raw DuckDB.
func BundleSQL(where, grain string) string {
	g, ok := grains[grain]
	if !ok {
		g = "month"
	}
	// The region of a sale is its time zone's continent: that is what the
	// reference scenario's row policies are written on.
	return `WITH s AS (SELECT city, country, category, split_part(timezone, '/', 1) AS region, ` +
		`CAST(date_trunc('` + g + `', "timestamp") AS DATE) AS period, "timestamp" AS ts, quantity, quantity * sales_price AS amount, ` +
		`latitude, longitude FROM sales_data` + where + `) ` +
		`SELECT GROUPING(city, country, region, category, period) AS g, city, country, region, category, period, ` +
		`min(region) AS any_region, round(sum(amount), 2) AS revenue, sum(quantity) AS units, count(*) AS orders, ` +
		`min(latitude) AS lat, min(longitude) AS lon, CAST(min(ts) AS DATE) AS first_day, CAST(max(ts) AS DATE) AS last_day ` +
		`FROM s GROUP BY GROUPING SETS ((), (city, country), (country), (region), (category), (period))`
}

// GROUPING(city, country, region, category, period) of each set: a bit is
// set for every column the set does not group by.
const (
	setTotal      = 31
	setCities     = 7
	setCountries  = 23
	setRegions    = 27
	setCategories = 29
	setPeriods    = 30
)

// Columns of BundleSQL's result.
const (
	colG = iota
	colCity
	colCountry
	colRegion
	colCategory
	colPeriod
	colAnyRegion
	colRevenue
	colUnits
	colOrders
	colLat
	colLon
	colFirstDay
	colLastDay
	bundleColumns
)

// bundle is every panel of one dashboard load, and the filter choices.
type bundle struct {
	panels  map[string][]map[string]any
	filters filtersOutput
}

// bundles computes bundles once per (policy context, filters, grain):
// the panels of one page load, requested in parallel, share one
// statement, and with the cache on, later loads share its result.
type bundles struct {
	flight singleflight.Group
}

type bundleResult struct {
	b      *bundle
	cached bool
	ms     float64
}

func (h *Handler) bundleFor(r *http.Request, c *call, f filters, grain string) (*bundleResult, error) {
	start := time.Now()
	cat := h.catalog()
	key := strconv.FormatInt(cat.Version, 10) + "\x00" + cat.Subject(c.as).Key() + "\x00" + grain + "\x00" + f.key()
	if v, ok := h.cache.get(key); ok {
		return &bundleResult{b: v.(*bundle), cached: true, ms: ms(time.Since(start))}, nil
	}
	where, params := f.where()
	// The statement runs for whichever request came first; it must not
	// be cancelled when that one browser connection goes away.
	ctx := context.WithoutCancel(requestContext(r, c.actor))
	v, err, _ := h.bundles.flight.Do(key, func() (any, error) {
		res, err := h.run(ctx, c.as, BundleSQL(where, grain), params, 100000)
		if err != nil {
			return nil, err
		}
		b := shapeBundle(res)
		h.cache.put(key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return &bundleResult{b: v.(*bundle), ms: ms(time.Since(start))}, nil
}

// shapeBundle splits the grouping sets into panels.
func shapeBundle(res *result) *bundle {
	b := &bundle{panels: map[string][]map[string]any{}, filters: filtersOutput{Categories: []string{}, Countries: []country{}}}
	for _, name := range Panels {
		b.panels[name] = []map[string]any{}
	}
	measures := func(r []any, m map[string]any) map[string]any {
		m["revenue"] = cents(number(r[colRevenue]))
		m["units"] = int64(number(r[colUnits]))
		m["orders"] = int64(number(r[colOrders]))
		return m
	}
	var total []any
	for _, r := range res.rows {
		if len(r) < bundleColumns {
			continue
		}
		switch int64(number(r[colG])) {
		case setTotal:
			total = r
		case setCities:
			b.panels["cities"] = append(b.panels["cities"], measures(r, map[string]any{"city": r[colCity], "country": r[colCountry],
				"region": r[colAnyRegion], "lat": number(r[colLat]), "lon": number(r[colLon])}))
		case setCountries:
			b.panels["countries"] = append(b.panels["countries"], measures(r, map[string]any{"country": r[colCountry], "region": r[colAnyRegion]}))
			b.filters.Countries = append(b.filters.Countries, country{Code: str(r[colCountry]), Region: str(r[colAnyRegion])})
		case setRegions:
			b.panels["regions"] = append(b.panels["regions"], measures(r, map[string]any{"region": r[colRegion]}))
		case setCategories:
			b.panels["categories"] = append(b.panels["categories"], measures(r, map[string]any{"category": r[colCategory]}))
			b.filters.Categories = append(b.filters.Categories, str(r[colCategory]))
		case setPeriods:
			b.panels["timeseries"] = append(b.panels["timeseries"], measures(r, map[string]any{"period": r[colPeriod]}))
		}
	}
	byRevenue := func(keys ...string) func(a, b map[string]any) int {
		return func(x, y map[string]any) int {
			if c := cmp.Compare(y["revenue"].(float64), x["revenue"].(float64)); c != 0 {
				return c
			}
			for _, k := range keys {
				if c := cmp.Compare(str(x[k]), str(y[k])); c != 0 {
					return c
				}
			}
			return 0
		}
	}
	slices.SortFunc(b.panels["cities"], byRevenue("city", "country"))
	slices.SortFunc(b.panels["countries"], byRevenue("country"))
	slices.SortFunc(b.panels["regions"], byRevenue("region"))
	slices.SortFunc(b.panels["categories"], byRevenue("category"))
	slices.SortFunc(b.panels["timeseries"], func(x, y map[string]any) int { return cmp.Compare(str(x["period"]), str(y["period"])) })
	slices.Sort(b.filters.Categories)
	slices.SortFunc(b.filters.Countries, func(x, y country) int { return cmp.Compare(x.Code, y.Code) })

	head := map[string]any{"revenue": 0.0, "units": int64(0), "orders": int64(0), "avgOrderValue": 0.0,
		"cities": int64(len(b.panels["cities"])), "countries": int64(len(b.panels["countries"]))}
	// An empty input still yields the () set, with NULL sums.
	if total != nil && number(total[colOrders]) > 0 {
		measures(total, head)
		head["avgOrderValue"] = cents(head["revenue"].(float64) / float64(head["orders"].(int64)))
		if s, ok := total[colFirstDay].(string); ok {
			b.filters.MinDate = &s
		}
		if s, ok := total[colLastDay].(string); ok {
			b.filters.MaxDate = &s
		}
	}
	b.panels["headline"] = []map[string]any{head}
	return b
}

func cents(f float64) float64 { return math.Round(f*100) / 100 }

// panelData answers one panel for the call's person from the load's bundle.
func (h *Handler) panelData(r *http.Request, c *call, name, grain string, f filters) (*panelOutput, error) {
	start := time.Now()
	if !slices.Contains(Panels, name) {
		return nil, &badRequest{"there is no panel " + strconv.Quote(truncate(name, 40))}
	}
	if _, ok := grains[grain]; !ok {
		return nil, &badRequest{"grain must be day, week or month"}
	}
	if !h.canRead(c.as) {
		return &panelOutput{Rows: []map[string]any{}, NoAccess: true, Message: noAccessMessage}, nil
	}
	br, err := h.bundleFor(r, c, f, grain)
	if err != nil {
		return nil, err
	}
	return &panelOutput{Rows: br.b.panels[name], Cached: br.cached, MS: ms(time.Since(start))}, nil
}

// filterChoices are the filter options: the unfiltered bundle's
// categories, countries and date range.
func (h *Handler) filterChoices(r *http.Request, c *call) (filtersOutput, error) {
	br, err := h.bundleFor(r, c, filters{}, "month")
	if err != nil {
		return filtersOutput{}, err
	}
	return br.b.filters, nil
}
