package web

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// dashboardOutput is a whole page load in one answer: the panels of the
// load's bundle, and on request the filter choices and the headline of the
// previous period. The page sends this one request instead of one per
// panel: a browser opens six connections per host over HTTP/1.1, and a
// seventh request used to wait for a first answer and then, with the
// cache off, run the bundle's statement a second time.
type dashboardOutput struct {
	Panels map[string]*panelOutput `json:"panels"`
	// Filters are the choices within the person's unfiltered rows
	// (choices=1).
	Filters *filtersOutput `json:"filters,omitempty"`
	// Previous is the headline of the period of the same length just
	// before from..to (compare=1 with both dates); absent when it failed,
	// which costs the page its comparison only.
	Previous *panelOutput `json:"previous,omitempty"`
	Cached   bool         `json:"cached"`
	MS       float64      `json:"ms"`
}

// apiDashboard answers GET api/dashboard?<filters>[&grain=][&panels=a,b]
// [&choices=1][&compare=1]. Each bundle it needs (the filtered one, the
// unfiltered one for the choices when filters are set, the previous
// period's) is the same statement under the same enforcement, audit and
// cache as the panels' own endpoints, and they run at once.
func (h *Handler) apiDashboard(w http.ResponseWriter, r *http.Request, c *call) {
	start := time.Now()
	q := r.URL.Query()
	f, err := parseFilters(q)
	if err != nil {
		h.fail(w, err)
		return
	}
	grain := q.Get("grain")
	if grain == "" {
		grain = "month"
	}
	if !slices.Contains(grains, grain) {
		h.fail(w, &badRequest{"grain must be day, week or month"})
		return
	}
	names := Panels
	if v := q.Get("panels"); v != "" {
		names = strings.Split(v, ",")
		for _, n := range names {
			if !slices.Contains(Panels, n) {
				h.fail(w, &badRequest{"there is no panel " + truncateQuoted(n)})
				return
			}
		}
	}
	choices := q.Get("choices") == "1"
	var prev *filters
	if q.Get("compare") == "1" && f.From != "" && f.To != "" {
		p := f
		p.From, p.To = previousPeriod(f.From, f.To)
		prev = &p
	}

	type got struct {
		b      *bundle
		cached bool
		err    error
	}
	var main, unfiltered, before got
	var wg sync.WaitGroup
	fetch := func(dst *got, f filters) {
		wg.Go(func() { dst.b, dst.cached, dst.err = h.bundleFor(r, c, f) })
	}
	fetch(&main, f)
	if choices && f.key() != (filters{}).key() {
		fetch(&unfiltered, filters{})
	}
	if prev != nil {
		fetch(&before, *prev)
	}
	wg.Wait()
	if main.err != nil {
		h.fail(w, main.err)
		return
	}
	out := dashboardOutput{Panels: map[string]*panelOutput{}, Cached: main.cached}
	if main.b == nil {
		// No access: every panel, and the choices, say so.
		for _, n := range names {
			out.Panels[n] = &panelOutput{Rows: []map[string]any{}, NoAccess: true, Message: noAccessMessage}
		}
		if choices {
			out.Filters = &filtersOutput{Categories: []string{}, Countries: []country{}, NoAccess: true}
		}
		out.MS = ms(time.Since(start))
		writeJSON(w, http.StatusOK, out)
		return
	}
	elapsed := ms(time.Since(start))
	for _, n := range names {
		out.Panels[n] = &panelOutput{Rows: main.b.panel(n, grain), Cached: main.cached, MS: elapsed}
	}
	if choices {
		src := main.b
		if unfiltered.b != nil || unfiltered.err != nil {
			src = unfiltered.b
		}
		if src != nil {
			ch := src.choices()
			out.Filters = &ch
		}
	}
	if prev != nil && before.err == nil && before.b != nil {
		out.Previous = &panelOutput{Rows: before.b.panel("headline", grain), Cached: before.cached, MS: elapsed}
	}
	out.MS = ms(time.Since(start))
	writeJSON(w, http.StatusOK, out)
}

func truncateQuoted(s string) string { return `"` + truncate(s, 40) + `"` }

// previousPeriod is the period of the same length that ends the day
// before from (both dates valid: parseFilters checked them), as the page's
// previousRange computes it.
func previousPeriod(from, to string) (string, string) {
	f, _ := time.Parse(time.DateOnly, from)
	t, _ := time.Parse(time.DateOnly, to)
	days := int(t.Sub(f).Hours()/24) + 1
	return f.AddDate(0, 0, -days).Format(time.DateOnly), f.AddDate(0, 0, -1).Format(time.DateOnly)
}
