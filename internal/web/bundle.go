package web

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Panels are the dashboard's panels, in the order of docs/dashboard.md.
var Panels = []string{"headline", "cities", "regions", "countries", "categories", "timeseries"}

// grains are the time series' periods.
var grains = []string{"day", "week", "month"}

// BundleSQL is the one statement behind every panel of a dashboard load:
// a single scan of the person's rows aggregated by GROUPING SETS, instead
// of one scan per panel. where is a fixed filter clause (filters.where).
// The sets are the finest the panels need: per city (with its position
// and time zone), per category and per day; countries, regions, the
// headline and weeks or months are summed from them in Go, which keeps the
// per-row work to one pass with three small hash tables. It is exported
// for the benchmark, which runs the same text on raw DuckDB.
func BundleSQL(where string) string {
	return `SELECT GROUPING(city, country, latitude, longitude, timezone, category, day) AS g, ` +
		`city, country, latitude, longitude, timezone, category, day, ` +
		`sum(quantity * sales_price) AS revenue, sum(quantity) AS units, count(*) AS orders ` +
		`FROM (SELECT city, country, latitude, longitude, timezone, category, CAST("timestamp" AS DATE) AS day, quantity, sales_price ` +
		`FROM sales_data` + where + `) AS s ` +
		`GROUP BY GROUPING SETS ((city, country, latitude, longitude, timezone), (category), (day))`
}

// GROUPING(city, country, latitude, longitude, timezone, category, day) of
// each set: a bit is set for every column the set does not group by.
const (
	setCities     = 0b0000011
	setCategories = 0b1111101
	setDays       = 0b1111110
)

// Columns of BundleSQL's result.
const (
	colG = iota
	colCity
	colCountry
	colLat
	colLon
	colTimezone
	colCategory
	colDay
	colRevenue
	colUnits
	colOrders
	bundleColumns
)

// sums are a group's measures; revenue in cents, exactly.
type sums struct{ cents, units, orders int64 }

func (s *sums) add(o sums) {
	s.cents, s.units, s.orders = s.cents+o.cents, s.units+o.units, s.orders+o.orders
}

func (s sums) json(m map[string]any) map[string]any {
	m["revenue"] = float64(s.cents) / 100
	m["units"] = s.units
	m["orders"] = s.orders
	return m
}

type cityRow struct {
	city, country, region string
	lat, lon              float64
	sums
}

type keyed struct {
	key string
	sums
}

// bundle is one dashboard load's data: every panel can be shaped from it.
type bundle struct {
	// statementID and rows name the statement the bundle came from, for
	// the audit record of every answer served from the cache.
	statementID string
	rows        int64
	cities      []cityRow
	categories  []keyed
	days        []keyed // ascending
}

// bundleFor is the call's person's bundle under f; nil when the person
// may not read the sales table at all (so the page can say so politely;
// the statement would be refused by the warehouse either way). cached
// says whether it came from the cache.
func (h *Handler) bundleFor(r *http.Request, c *call, f filters) (b *bundle, cached bool, err error) {
	d, err := h.svc.Decision(requestContext(r, c.actor), c.as)
	if err != nil {
		return nil, false, fromDataAPI(err)
	}
	if _, ok := d.Readable(salesTable); !ok {
		return nil, false, nil
	}
	if f.key() == (filters{}).key() {
		if v, ok := h.prefetched.take(prefetchKey(c, d.Key)); ok {
			return v.(*prefetch).wait()
		}
	}
	return h.bundleShared(r, c, f)
}

// bundleShared is bundleFor without the prefetched bundle: from the cache,
// or from the statement of the key, shared by every request that wants it
// while it runs.
func (h *Handler) bundleShared(r *http.Request, c *call, f filters) (b *bundle, cached bool, err error) {
	d, err := h.svc.Decision(requestContext(r, c.actor), c.as)
	if err != nil {
		return nil, false, fromDataAPI(err)
	}
	if _, ok := d.Readable(salesTable); !ok {
		return nil, false, nil
	}
	key := d.Key + "\x00" + f.key()
	where, params := f.where()
	if v, ok := h.cache.get(key); ok {
		b := v.(*bundle)
		h.svc.AuditCachedResult(requestContext(r, c.actor), c.as, d.Subject.Roles, b.statementID, BundleSQL(where), b.rows)
		return b, true, nil
	}
	// The statement runs for whichever request came first; it must not
	// be cancelled when that one browser connection goes away.
	ctx := context.WithoutCancel(requestContext(r, c.actor))
	v, err, _ := h.flight.Do(key, func() (any, error) {
		res, err := h.run(ctx, c.as, BundleSQL(where), params, 1_000_000)
		if err != nil {
			return nil, err
		}
		b := shapeBundle(res)
		h.cache.put(key, b)
		return b, nil
	})
	if err != nil {
		return nil, false, err
	}
	return v.(*bundle), false, nil
}

// shapeBundle reads the grouping sets.
func shapeBundle(res *result) *bundle {
	b := &bundle{statementID: res.id, rows: int64(len(res.rows))}
	cities := map[[2]string]int{}
	for _, r := range res.rows {
		if len(r) < bundleColumns {
			continue
		}
		m := sums{cents: centsOf(r[colRevenue]), units: int64(number(r[colUnits])), orders: int64(number(r[colOrders]))}
		switch int64(number(r[colG])) {
		case setCities:
			k := [2]string{str(r[colCity]), str(r[colCountry])}
			// A city seen with two positions or time zones is one city.
			if i, ok := cities[k]; ok {
				b.cities[i].add(m)
				continue
			}
			region, _, _ := strings.Cut(str(r[colTimezone]), "/")
			cities[k] = len(b.cities)
			b.cities = append(b.cities, cityRow{city: k[0], country: k[1], region: region, lat: number(r[colLat]), lon: number(r[colLon]), sums: m})
		case setCategories:
			b.categories = append(b.categories, keyed{key: str(r[colCategory]), sums: m})
		case setDays:
			b.days = append(b.days, keyed{key: str(r[colDay]), sums: m})
		}
	}
	slices.SortFunc(b.days, func(x, y keyed) int { return cmp.Compare(x.key, y.key) })
	return b
}

// centsOf reads a DECIMAL sum (a string from the Data API) as exact cents.
func centsOf(v any) int64 {
	if s, ok := v.(string); ok {
		neg := strings.HasPrefix(s, "-")
		whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
		w, err1 := strconv.ParseInt(whole, 10, 64)
		f, err2 := strconv.ParseInt((frac + "00")[:2], 10, 64)
		if err1 == nil && err2 == nil {
			c := w*100 + f
			if neg {
				c = -c
			}
			return c
		}
	}
	return int64(math.Round(number(v) * 100))
}

// byRevenue orders rows by revenue, descending, then by their names.
func byRevenue(keys ...string) func(a, b map[string]any) int {
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

// rollup sums cities by a key (country or region).
func (b *bundle) rollup(key func(cityRow) string) (map[string]*sums, map[string]string) {
	out, region := map[string]*sums{}, map[string]string{}
	for _, c := range b.cities {
		k := key(c)
		if out[k] == nil {
			out[k] = &sums{}
		}
		out[k].add(c.sums)
		// A country spanning continents is shown under the first of them.
		if r, ok := region[k]; !ok || c.region < r {
			region[k] = c.region
		}
	}
	return out, region
}

// panel shapes one panel's rows.
func (b *bundle) panel(name, grain string) []map[string]any {
	rows := []map[string]any{}
	switch name {
	case "headline":
		var t sums
		for _, c := range b.cities {
			t.add(c.sums)
		}
		countries, _ := b.rollup(func(c cityRow) string { return c.country })
		aov := 0.0
		if t.orders > 0 {
			aov = cents(float64(t.cents) / 100 / float64(t.orders))
		}
		rows = append(rows, t.json(map[string]any{"avgOrderValue": aov, "cities": int64(len(b.cities)), "countries": int64(len(countries))}))
	case "cities":
		for _, c := range b.cities {
			rows = append(rows, c.json(map[string]any{"city": c.city, "country": c.country, "region": c.region, "lat": c.lat, "lon": c.lon}))
		}
		slices.SortFunc(rows, byRevenue("city", "country"))
	case "countries":
		countries, region := b.rollup(func(c cityRow) string { return c.country })
		for k, s := range countries {
			rows = append(rows, s.json(map[string]any{"country": k, "region": region[k]}))
		}
		slices.SortFunc(rows, byRevenue("country"))
	case "regions":
		regions, _ := b.rollup(func(c cityRow) string { return c.region })
		for k, s := range regions {
			rows = append(rows, s.json(map[string]any{"region": k}))
		}
		slices.SortFunc(rows, byRevenue("region"))
	case "categories":
		for _, c := range b.categories {
			rows = append(rows, c.json(map[string]any{"category": c.key}))
		}
		slices.SortFunc(rows, byRevenue("category"))
	case "timeseries":
		// days are ascending, so periods come out ascending.
		var periods []keyed
		for _, d := range b.days {
			p := periodOf(d.key, grain)
			if n := len(periods); n > 0 && periods[n-1].key == p {
				periods[n-1].add(d.sums)
				continue
			}
			periods = append(periods, keyed{key: p, sums: d.sums})
		}
		for _, p := range periods {
			rows = append(rows, p.json(map[string]any{"period": p.key}))
		}
	}
	return rows
}

// periodOf is the start of the day's period: the day, its ISO week's
// Monday, or the first of its month.
func periodOf(day, grain string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	switch grain {
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		return t.AddDate(0, 0, -wd).Format(time.DateOnly)
	case "month":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return day
}

// choices are the filter options within the bundle.
func (b *bundle) choices() filtersOutput {
	out := filtersOutput{Categories: []string{}, Countries: []country{}}
	for _, c := range b.categories {
		out.Categories = append(out.Categories, c.key)
	}
	slices.Sort(out.Categories)
	_, region := b.rollup(func(c cityRow) string { return c.country })
	for k, r := range region {
		out.Countries = append(out.Countries, country{Code: k, Region: r})
	}
	slices.SortFunc(out.Countries, func(x, y country) int { return cmp.Compare(x.Code, y.Code) })
	if len(b.days) > 0 {
		first, last := b.days[0].key, b.days[len(b.days)-1].key
		out.MinDate, out.MaxDate = &first, &last
	}
	return out
}

func cents(f float64) float64 { return math.Round(f*100) / 100 }

// panelData answers one panel for the call's person from the load's bundle.
func (h *Handler) panelData(r *http.Request, c *call, name, grain string, f filters) (*panelOutput, error) {
	start := time.Now()
	if !slices.Contains(Panels, name) {
		return nil, &badRequest{"there is no panel " + strconv.Quote(truncate(name, 40))}
	}
	if !slices.Contains(grains, grain) {
		return nil, &badRequest{"grain must be day, week or month"}
	}
	b, cached, err := h.bundleFor(r, c, f)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return &panelOutput{Rows: []map[string]any{}, NoAccess: true, Message: noAccessMessage}, nil
	}
	return &panelOutput{Rows: b.panel(name, grain), Cached: cached, MS: ms(time.Since(start))}, nil
}
