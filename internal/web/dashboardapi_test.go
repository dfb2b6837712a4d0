package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// dashboardAnswer is GET /app/api/dashboard.
type dashboardAnswer struct {
	Panels   map[string]panel `json:"panels"`
	Filters  *filtersAnswer   `json:"filters"`
	Previous *panel           `json:"previous"`
}

type filtersAnswer struct {
	Categories []string `json:"categories"`
	Countries  []struct {
		Code, Region string
	} `json:"countries"`
	MinDate string `json:"minDate"`
	MaxDate string `json:"maxDate"`
}

// TestDashboardInOneAnswer: api/dashboard answers every panel exactly as
// the panels' own endpoints do, with the filter choices and the previous
// period's headline on request, from one statement per bundle (the cache
// is off, so nothing is shared between requests), each audited as the
// person's.
func TestDashboardInOneAnswer(t *testing.T) {
	srv := startWith(t, nil, "cache_ttl = \"0s\"\n")
	ming := newBrowser(t, srv.URL)
	signIn(t, ming, "ming@example.com", "/app/")
	sam := newBrowser(t, srv.URL)
	signIn(t, sam, "sam@example.com", "/app/")
	statements := func() int {
		var audit struct {
			Records []struct{ Kind, User, Binding string }
		}
		sam.GetJSON("/app/api/admin/audit?limit=1000", &audit)
		n := 0
		for _, r := range audit.Records {
			if r.Kind == "statement" && r.User == "AWSIDC:ming@example.com" && r.Binding == "web" {
				n++
			}
		}
		return n
	}
	// Signing in ends on the page, whose bundle was prefetched: the first
	// dashboard request takes it.
	var first dashboardAnswer
	if st := ming.GetJSON("/app/api/dashboard?choices=1", &first); st != http.StatusOK || len(first.Panels["cities"].Rows) == 0 {
		t.Fatalf("first load: %d", st)
	}
	t.Run("the page and its request are one statement", func(t *testing.T) {
		for range 2 {
			before := statements()
			if resp, _ := ming.Do(http.MethodGet, "/app/", nil, nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /app/: %d", resp.StatusCode)
			}
			var d dashboardAnswer
			if st := ming.GetJSON("/app/api/dashboard?grain=month&choices=1", &d); st != http.StatusOK || fmt.Sprint(d.Panels["cities"].Rows) != fmt.Sprint(first.Panels["cities"].Rows) || d.Filters == nil {
				t.Fatalf("%d, %+v", st, d.Filters)
			}
			if n := statements() - before; n != 1 {
				t.Errorf("%d statements for the page and its dashboard request, want 1", n)
			}
		}
		// The prefetched bundle served that one request only: the next
		// runs its own statement (the cache is off).
		before := statements()
		var d dashboardAnswer
		ming.GetJSON("/app/api/dashboard?choices=1", &d)
		if n := statements() - before; n != 1 {
			t.Errorf("%d statements for a request after the page's, want 1", n)
		}
	})
	same := func(who string, got, want panel) {
		t.Helper()
		if fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) || len(want.Rows) == 0 {
			t.Errorf("%s: the dashboard's %d rows differ from the panel's %d", who, len(got.Rows), len(want.Rows))
		}
	}
	for _, tc := range []struct {
		name, query string
		choices     bool
		statements  int // per load
	}{
		{"a page load", "grain=month&choices=1", true, 1},
		{"filters changed", "category=Golf&from=2024-03-01&to=2024-06-30&grain=week&compare=1", false, 2},
		{"a filtered link opened", "country=CN&from=2024-03-01&to=2024-03-31&grain=day&choices=1&compare=1", true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := statements()
			var d dashboardAnswer
			if st := ming.GetJSON("/app/api/dashboard?"+tc.query, &d); st != http.StatusOK || len(d.Panels) != 6 {
				t.Fatalf("%d, %d panels", st, len(d.Panels))
			}
			if n := statements() - before; n != tc.statements {
				t.Errorf("%d statements for one answer, want %d", n, tc.statements)
			}
			filters := strings.NewReplacer("&choices=1", "", "&compare=1", "").Replace(tc.query)
			for name, got := range d.Panels {
				var want panel
				ming.GetJSON("/app/api/panels/"+name+"?"+filters, &want)
				same(name, got, want)
			}
			if tc.choices {
				var want filtersAnswer
				ming.GetJSON("/app/api/filters", &want)
				if d.Filters == nil || fmt.Sprint(*d.Filters) != fmt.Sprint(want) || len(want.Countries) == 0 || want.MinDate == "" {
					t.Errorf("choices %+v, want %+v", d.Filters, want)
				}
			} else if d.Filters != nil {
				t.Errorf("choices sent unasked: %+v", d.Filters)
			}
			if strings.Contains(tc.query, "compare=1") {
				// The period of the same length just before from..to.
				prev := map[string]string{"2024-03-01&to=2024-06-30": "2023-11-01&to=2024-02-29", "2024-03-01&to=2024-03-31": "2024-01-30&to=2024-02-29"}
				var want panel
				for cur, p := range prev {
					if strings.Contains(filters, cur) {
						ming.GetJSON("/app/api/panels/headline?"+strings.Replace(filters, cur, p, 1), &want)
					}
				}
				if d.Previous == nil {
					t.Fatal("no previous headline")
				}
				same("previous headline", *d.Previous, want)
			} else if d.Previous != nil {
				t.Errorf("previous headline sent unasked")
			}
		})
	}
	t.Run("some panels", func(t *testing.T) {
		var d dashboardAnswer
		if st := ming.GetJSON("/app/api/dashboard?panels=timeseries,headline&grain=week", &d); st != http.StatusOK || len(d.Panels) != 2 || d.Panels["timeseries"].Rows == nil {
			t.Fatalf("%d %+v", st, d.Panels)
		}
	})
	for _, tc := range []struct{ query, msg string }{
		{"panels=headline,passwords", `there is no panel "passwords"`},
		{"grain=year", "grain must be day, week or month"},
		{"from=2024-03-01&to=2024-01-01", "from must not be after to"},
	} {
		var e struct{ Code, Message string }
		if st := ming.GetJSON("/app/api/dashboard?"+tc.query, &e); st != http.StatusBadRequest || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %d %+v", tc.query, st, e)
		}
	}
	// No access: every panel and the choices say so, politely.
	var d dashboardAnswer
	if st := sam.GetJSON("/app/api/dashboard?choices=1", &d); st != http.StatusOK || !d.Panels["cities"].NoAccess || d.Filters == nil {
		t.Errorf("sam: %d %+v", st, d)
	}
}
