package web_test

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/testenv/demoserver"
	"github.com/tipgate/tipgate/internal/testenv/webclient"
	"github.com/tipgate/tipgate/internal/web"
)

const dashboardClient = "tipgate-dashboard"

// start runs the shared test server with the dashboard enabled, signing
// in at the embedded IdP as a confidential client.
func start(t *testing.T) *demoserver.Server {
	t.Helper()
	return startWithClock(t, nil)
}

func startWithClock(t *testing.T, clock func() time.Time) *demoserver.Server {
	t.Helper()
	return startWith(t, clock, "")
}

// startWith is start with more keys of the [web] section.
func startWith(t *testing.T, clock func() time.Time, webKeys string) *demoserver.Server {
	t.Helper()
	secret := filepath.Join(t.TempDir(), "client-secret")
	if err := os.WriteFile(secret, []byte("dashboard-secret-for-tests-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return demoserver.Start(t, demoserver.Options{Rows: 5000, WebClock: clock, Extra: `
[[idp.clients]]
id = "` + dashboardClient + `"
secret = "dashboard-secret-for-tests-0123456789"
redirect_uris = ["{{URL}}/auth/callback"]
post_logout_redirect_uris = ["{{URL}}/signed-out"]
grants = ["authorization_code"]
[web]
enabled = true
issuer = "{{URL}}/idp"
client_id = "` + dashboardClient + `"
client_secret_file = "` + secret + `"
scopes = ["openid", "email", "profile", "groups"]
` + webKeys})
}

type browser = webclient.Browser

func newBrowser(t *testing.T, base string) *browser { return webclient.New(t, base) }

// signIn goes through the real login page of the embedded IdP.
func signIn(t *testing.T, b *browser, email, ret string) *http.Response {
	t.Helper()
	resp, page := b.Follow(b.Base + web.LoginPath + "?return=" + url.QueryEscape(ret))
	if !strings.Contains(resp.Request.URL.Path, "/idp/") {
		t.Fatalf("sign-in did not reach the IdP's login page: %s", resp.Request.URL)
	}
	final, _ := b.SubmitLogin(resp, page, map[string]string{"email": email, "password": demoserver.Password})
	return final
}

type me struct {
	User      string   `json:"user"`
	Groups    []string `json:"groups"`
	SecAdmin  bool     `json:"secadmin"`
	CSRFToken string   `json:"csrfToken"`
	ViewAs    *struct {
		User string `json:"user"`
	} `json:"viewAs"`
}

type panel struct {
	Rows     []map[string]any `json:"rows"`
	Cached   bool             `json:"cached"`
	NoAccess bool             `json:"noAccess"`
}

// truth is what a person may see, computed from the generated CSV
// without tipgate: the reference policies keep rows by time-zone prefix.
type truth struct {
	revenueCents, units, orders int64
	regions                     map[string]int64 // region → revenue cents
	cities                      map[string]int64 // city|country → revenue cents
	countries                   map[string]int64
	categories                  map[string]int64
	months, weeks, days         map[string]int64 // period start → revenue cents
}

func groundTruth(t *testing.T, csvPath, tzPrefix string, keep func(rec map[string]string) bool) truth {
	t.Helper()
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	tr := truth{regions: map[string]int64{}, cities: map[string]int64{}, countries: map[string]int64{}, categories: map[string]int64{},
		months: map[string]int64{}, weeks: map[string]int64{}, days: map[string]int64{}}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rec := map[string]string{}
		for i, h := range header {
			rec[strings.ToLower(h)] = row[i]
		}
		if !strings.HasPrefix(rec["timezone"], tzPrefix) || (keep != nil && !keep(rec)) {
			continue
		}
		q, _ := strconv.ParseInt(rec["quantity"], 10, 64)
		whole, frac, _ := strings.Cut(rec["sales_price"], ".")
		w, _ := strconv.ParseInt(whole, 10, 64)
		c, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
		cents := q * (w*100 + c)
		tr.revenueCents += cents
		tr.units += q
		tr.orders++
		region, _, _ := strings.Cut(rec["timezone"], "/")
		tr.regions[region] += cents
		tr.cities[rec["city"]+"|"+rec["country"]] += cents
		tr.countries[rec["country"]] += cents
		tr.categories[rec["category"]] += cents
		day, err := time.Parse(time.DateTime, rec["timestamp"])
		if err != nil {
			t.Fatalf("timestamp %q: %v", rec["timestamp"], err)
		}
		tr.days[day.Format(time.DateOnly)] += cents
		tr.months[day.Format("2006-01")+"-01"] += cents
		tr.weeks[day.AddDate(0, 0, -((int(day.Weekday())+6)%7)).Format(time.DateOnly)] += cents
	}
	return tr
}

func centsOf(v any) int64 { return int64(math.Round(v.(float64) * 100)) }

var people = []struct {
	email, tz string
	regions   int // -1: every region
}{
	{"ethan@example.com", "", -1},
	{"frank@example.com", "America", 1},
	{"alex@example.com", "Europe", 1},
	{"ming@example.com", "Asia", 1},
}

// checkDashboard compares what the dashboard API shows with the truth.
func checkDashboard(t *testing.T, b *browser, who string, tr truth, query string) {
	t.Helper()
	var head, regions, cities panel
	b.GetJSON("/app/api/panels/headline"+query, &head)
	b.GetJSON("/app/api/panels/regions"+query, &regions)
	b.GetJSON("/app/api/panels/cities"+query, &cities)
	if len(head.Rows) != 1 {
		t.Fatalf("%s: headline = %+v", who, head)
	}
	h := head.Rows[0]
	if centsOf(h["revenue"]) != tr.revenueCents || int64(h["units"].(float64)) != tr.units || int64(h["orders"].(float64)) != tr.orders {
		t.Errorf("%s: headline %v, want revenue %d¢ units %d orders %d", who, h, tr.revenueCents, tr.units, tr.orders)
	}
	got := map[string]int64{}
	for _, r := range regions.Rows {
		got[r["region"].(string)] = centsOf(r["revenue"])
	}
	if fmt.Sprint(got) != fmt.Sprint(tr.regions) {
		t.Errorf("%s: regions %v, want %v", who, got, tr.regions)
	}
	got = map[string]int64{}
	for _, r := range cities.Rows {
		got[r["city"].(string)+"|"+r["country"].(string)] = centsOf(r["revenue"])
	}
	if fmt.Sprint(got) != fmt.Sprint(tr.cities) {
		t.Errorf("%s: %d cities differ from the %d of the truth", who, len(got), len(tr.cities))
	}
	sep := "?"
	if query != "" {
		sep = "&"
	}
	for _, c := range []struct {
		panel, key string
		want       map[string]int64
	}{
		{"countries", "country", tr.countries}, {"categories", "category", tr.categories},
		{"timeseries" + query + sep + "grain=month", "period", tr.months}, {"timeseries" + query + sep + "grain=week", "period", tr.weeks},
		{"timeseries" + query + sep + "grain=day", "period", tr.days},
	} {
		var p panel
		path := "/app/api/panels/" + c.panel
		if !strings.Contains(c.panel, "?") {
			path += query
		}
		b.GetJSON(path, &p)
		got := map[string]int64{}
		prev := ""
		for _, r := range p.Rows {
			k := r[c.key].(string)
			got[k] = centsOf(r["revenue"])
			if c.key == "period" && k <= prev {
				t.Errorf("%s: %s periods not ascending at %s", who, c.panel, k)
			}
			prev = k
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %s = %d rows, want %d rows of the truth", who, c.panel, len(got), len(c.want))
		}
	}
}

func TestDashboardShowsEachPersonTheirSlice(t *testing.T) {
	srv := start(t)
	for _, p := range people {
		t.Run(p.email, func(t *testing.T) {
			b := newBrowser(t, srv.URL)
			final := signIn(t, b, p.email, "/app/#/access")
			if final.Request.URL.Path != "/app/" || final.StatusCode != http.StatusOK {
				t.Fatalf("after sign-in: %d %s", final.StatusCode, final.Request.URL)
			}
			c := b.Cookie(web.CookieName)
			if c == nil {
				t.Fatal("no session cookie")
			}
			var m me
			if b.GetJSON("/app/api/me", &m) != http.StatusOK || m.User != "AWSIDC:"+p.email || m.SecAdmin || m.CSRFToken == "" {
				t.Fatalf("me = %+v", m)
			}
			tr := groundTruth(t, srv.SourceCSV, p.tz, nil)
			if p.regions > 0 && len(tr.regions) != p.regions || p.regions < 0 && len(tr.regions) < 5 {
				t.Fatalf("%s: ground truth has regions %v", p.email, tr.regions)
			}
			checkDashboard(t, b, p.email, tr, "")
			// Filters narrow every panel; values are bound, never spliced.
			filtered := groundTruth(t, srv.SourceCSV, p.tz, func(rec map[string]string) bool {
				return rec["category"] == "Golf" && rec["timestamp"] >= "2024-03-01" && rec["timestamp"] < "2024-07-01"
			})
			checkDashboard(t, b, p.email+" (Golf, March–June 2024)", filtered, "?category=Golf&from=2024-03-01&to=2024-06-30")
			var evil panel
			if st := b.GetJSON("/app/api/panels/headline?category="+url.QueryEscape("' OR 1=1 --"), &evil); st != http.StatusOK || evil.Rows[0]["orders"].(float64) != 0 {
				t.Errorf("injection attempt: %d %+v", st, evil)
			}
			// The export is the cities table, exactly.
			resp, body := b.Do(http.MethodGet, "/app/api/export.csv", nil, nil)
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" || len(recs) != len(tr.cities)+1 {
				t.Fatalf("export: %v %s, %d rows for %d cities", err, resp.Header.Get("Content-Type"), len(recs), len(tr.cities))
			}
			for _, r := range recs[1:] {
				rev, _ := strconv.ParseFloat(r[7], 64)
				if want, ok := tr.cities[r[0]+"|"+r[1]]; !ok || int64(math.Round(rev*100)) != want {
					t.Errorf("export row %v: truth %d¢ (present %v)", r, want, ok)
				}
			}
			var access struct {
				Tables []struct {
					Table   string `json:"table"`
					Summary string `json:"summary"`
					Rows    struct {
						Mode string `json:"mode"`
					} `json:"rows"`
				} `json:"tables"`
			}
			b.GetJSON("/app/api/access", &access)
			if len(access.Tables) != 1 || access.Tables[0].Table != "sales_data" {
				t.Fatalf("access = %+v", access)
			}
			wantMode := "filtered"
			if p.tz == "" {
				wantMode = "bypassed"
			}
			if access.Tables[0].Rows.Mode != wantMode || (p.tz != "" && !strings.Contains(access.Tables[0].Summary, p.tz+"%")) {
				t.Errorf("access = %+v", access.Tables[0])
			}
		})
	}
}

// TestOrdersDrillThrough: the orders behind a city's figures add up to
// them, page by page and as CSV, with the person's masks applied.
func TestOrdersDrillThrough(t *testing.T) {
	srv := start(t)
	for _, tc := range []struct {
		email string
		mask  *regexp.Regexp
	}{
		{"ming@example.com", regexp.MustCompile(`^[A-Z]{3}-\*\*\*\*-.{4}$`)},
		{"alex@example.com", nil},
	} {
		b := newBrowser(t, srv.URL)
		signIn(t, b, tc.email, "/app/")
		var cities struct {
			Rows []struct {
				City, Country  string
				Orders         int64
				Revenue, Units float64
			}
		}
		b.GetJSON("/app/api/panels/cities?category=Cycling", &cities)
		if len(cities.Rows) == 0 {
			t.Fatalf("%s: no cities", tc.email)
		}
		top := cities.Rows[0]
		q := url.Values{"city": {top.City}, "cityCountry": {top.Country}, "category": {"Cycling"}}
		var got int64
		for page := 0; ; page++ {
			q.Set("page", strconv.Itoa(page))
			var out struct {
				Columns []string
				Rows    [][]any
				Total   int64
			}
			if st := b.GetJSON("/app/api/orders?"+q.Encode(), &out); st != http.StatusOK {
				t.Fatalf("%s: orders: %d", tc.email, st)
			}
			if out.Total != top.Orders {
				t.Fatalf("%s: %s has %d orders in the drill-through, %d in the cities panel", tc.email, top.City, out.Total, top.Orders)
			}
			if !slices.Equal(out.Columns, []string{"timestamp", "sku", "product_name", "category", "quantity", "sales_price"}) {
				t.Fatalf("%s: columns %v", tc.email, out.Columns)
			}
			for _, r := range out.Rows {
				if sku, _ := r[1].(string); tc.mask != nil && !tc.mask.MatchString(sku) {
					t.Fatalf("%s: sku %q is not masked", tc.email, sku)
				}
				if r[3] != "Cycling" {
					t.Fatalf("%s: a row of category %v", tc.email, r[3])
				}
			}
			got += int64(len(out.Rows))
			if len(out.Rows) < 50 {
				break
			}
		}
		if got != top.Orders {
			t.Errorf("%s: the pages hold %d orders, want %d", tc.email, got, top.Orders)
		}
		resp, body := b.Do(http.MethodGet, "/app/api/orders.csv?"+q.Encode(), nil, nil)
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || resp.StatusCode != http.StatusOK || len(recs) != int(top.Orders)+1 {
			t.Fatalf("%s: orders.csv: %d, %d records, %v", tc.email, resp.StatusCode, len(recs), err)
		}
		var cents int64
		for _, rec := range recs[1:] {
			v, _ := strconv.ParseFloat(rec[len(rec)-1], 64)
			cents += int64(math.Round(v * 100))
		}
		if want := int64(math.Round(top.Revenue * 100)); cents != want {
			t.Errorf("%s: orders.csv revenue %d cents, the cities panel %d", tc.email, cents, want)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "tipgate-orders_") || !strings.Contains(cd, "_Cycling") {
			t.Errorf("%s: orders.csv file name: %s", tc.email, cd)
		}
	}
	b := newBrowser(t, srv.URL)
	signIn(t, b, "ming@example.com", "/app/")
	for _, bad := range []string{"", "city=X", "city=X&cityCountry=CN&page=-1"} {
		if resp, _ := b.Do(http.MethodGet, "/app/api/orders?"+bad, nil, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("orders?%s: %d", bad, resp.StatusCode)
		}
	}
}

func TestNoAccessIsTold(t *testing.T) {
	srv := start(t)
	b := newBrowser(t, srv.URL)
	signIn(t, b, "sam@example.com", "/app/")
	var m me
	b.GetJSON("/app/api/me", &m)
	if !m.SecAdmin {
		t.Fatalf("sam is not a security admin: %+v", m)
	}
	for _, name := range []string{"headline", "cities", "regions", "countries", "categories", "timeseries"} {
		var p panel
		if st := b.GetJSON("/app/api/panels/"+name, &p); st != http.StatusOK || !p.NoAccess || len(p.Rows) != 0 {
			t.Errorf("%s: %d %+v", name, st, p)
		}
	}
	if resp, _ := b.Do(http.MethodGet, "/app/api/export.csv", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("export without access: %d", resp.StatusCode)
	}
}

func TestSessionSecurity(t *testing.T) {
	srv := start(t)
	anon := newBrowser(t, srv.URL)
	// A signed-out visitor is sent to sign-in, and the API says why.
	resp, _ := anon.Do(http.MethodGet, "/app/", nil, nil)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/signin?") {
		t.Errorf("signed-out /app/: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var e struct{ Code string }
	if st := anon.GetJSON("/app/api/me", &e); st != http.StatusUnauthorized || e.Code != "signed_out" {
		t.Errorf("signed-out /me: %d %+v", st, e)
	}
	// Security headers on pages, assets and API.
	for _, p := range []string{"/signin", "/app/api/me", "/signed-out"} {
		resp, _ := anon.Do(http.MethodGet, p, nil, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", p, resp.Header)
		}
	}
	// A plain sign-in goes on to the provider by itself (its script carries
	// the link's #view); one with a message waits for the button.
	for _, tc := range []struct {
		path, text string
		auto       bool
	}{
		{"/signin?return=/app/", "Taking you to your organisation", true},
		{"/signin?reason=expired&return=/app/", "Your session has expired", false},
		{"/signin?reason=error", "Something went wrong", false},
	} {
		_, body := anon.Do(http.MethodGet, tc.path, nil, nil)
		if !strings.Contains(body, tc.text) || !strings.Contains(body, `<script src="/app/assets/signin.js" defer></script>`) ||
			strings.Contains(body, `data-auto="1"`) != tc.auto {
			t.Errorf("%s: want %q, script, auto=%v; body:\n%s", tc.path, tc.text, tc.auto, body)
		}
	}
	if resp, body := anon.Do(http.MethodGet, "/app/assets/signin.js", nil, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "return") {
		t.Errorf("/app/assets/signin.js: %d", resp.StatusCode)
	}

	b := newBrowser(t, srv.URL)
	signIn(t, b, "ming@example.com", "/app/")
	sc := b.Cookie(web.CookieName)
	if sc == nil {
		t.Fatal("no session cookie")
	}
	var m me
	b.GetJSON("/app/api/me", &m)

	// A tampered cookie is refused.
	tampered := newBrowser(t, srv.URL)
	flip := []byte(sc.Value)
	flip[5] ^= 1
	tampered.SetCookie(&http.Cookie{Name: web.CookieName, Value: string(flip), Path: "/"})
	if st := tampered.GetJSON("/app/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("tampered cookie: %d", st)
	}

	// State changes need the CSRF token, and only from this origin.
	if st := b.SendJSON(http.MethodPost, web.LogoutPath, "", nil, nil); st != http.StatusForbidden {
		t.Errorf("logout without CSRF token: %d", st)
	}
	if st := b.SendJSON(http.MethodPost, web.LogoutPath, "wrong", nil, nil); st != http.StatusForbidden {
		t.Errorf("logout with a wrong CSRF token: %d", st)
	}
	resp, _ = b.Do(http.MethodPost, web.LogoutPath, nil, map[string]string{"X-CSRF-Token": m.CSRFToken, "Origin": "https://evil.example"})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout from another origin: %d", resp.StatusCode)
	}
	// Sign-out ends the session and sends the browser to the IdP's logout.
	var out struct{ Redirect string }
	if st := b.SendJSON(http.MethodPost, web.LogoutPath, m.CSRFToken, nil, &out); st != http.StatusOK {
		t.Fatalf("logout: %d", st)
	}
	lu, err := url.Parse(out.Redirect)
	if err != nil || !strings.HasPrefix(out.Redirect, srv.URL+"/idp/") || lu.Query().Get("id_token_hint") == "" ||
		lu.Query().Get("post_logout_redirect_uri") != srv.URL+web.SignedOutPath {
		t.Fatalf("logout redirect %q", out.Redirect)
	}
	final, page := b.Follow(out.Redirect)
	if final.Request.URL.Path != web.SignedOutPath || !strings.Contains(page, `data-testid="signed-out"`) {
		t.Errorf("after the IdP's logout: %s", final.Request.URL)
	}
	// The old cookie, replayed, is refused.
	replay := newBrowser(t, srv.URL)
	replay.SetCookie(&http.Cookie{Name: web.CookieName, Value: sc.Value, Path: "/"})
	if st := replay.GetJSON("/app/api/me", nil); st != http.StatusUnauthorized {
		t.Errorf("replayed cookie after sign-out: %d", st)
	}
	if resp, _ := replay.Do(http.MethodGet, "/app/", nil, nil); resp.StatusCode != http.StatusFound {
		t.Errorf("replayed cookie /app/: %d", resp.StatusCode)
	}
}

func TestSignInFlowRefusals(t *testing.T) {
	srv := start(t)
	// Start a sign-in, then try to finish it in another browser (login
	// CSRF), twice (replay), and with a forged state.
	b := newBrowser(t, srv.URL)
	resp, _ := b.Do(http.MethodGet, web.LoginPath+"?return="+url.QueryEscape("https://evil.example/"), nil, nil)
	authz, _ := url.Parse(resp.Header.Get("Location"))
	q := authz.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		q.Get("client_id") != dashboardClient || q.Get("redirect_uri") != srv.URL+web.CallbackPath {
		t.Fatalf("authorization request %s", authz)
	}
	for _, c := range b.Jar.Cookies(authz) {
		t.Errorf("cookie %s sent to the IdP's path", c.Name)
	}
	other := newBrowser(t, srv.URL)
	if resp, _ := other.Do(http.MethodGet, web.CallbackPath+"?code=x&state="+url.QueryEscape(q.Get("state")), nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback in another browser: %d", resp.StatusCode)
	}
	if resp, _ := b.Do(http.MethodGet, web.CallbackPath+"?code=x&state="+url.QueryEscape(q.Get("state")), nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback after the state was spent: %d", resp.StatusCode)
	}
	if resp, _ := b.Do(http.MethodGet, web.CallbackPath+"?code=x&state=forged", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("forged state: %d", resp.StatusCode)
	}
	// An open redirect in return= ends on the dashboard.
	final := signIn(t, newBrowser(t, srv.URL), "ming@example.com", "https://evil.example/")
	if final.Request.URL.Host != strings.TrimPrefix(srv.URL, "http://") || final.Request.URL.Path != "/app/" {
		t.Errorf("return=https://evil.example/ ended at %s", final.Request.URL)
	}
	// The session cookie's attributes.
	resp2 := newBrowser(t, srv.URL)
	signIn(t, resp2, "frank@example.com", "/app/")
	if !strings.Contains(srv.Logs.String(), `"dashboard sign-in"`) {
		t.Error("sign-in not logged")
	}
	for _, secret := range []string{"dashboard-secret-for-tests", demoserver.Password} {
		if strings.Contains(srv.Logs.String(), secret) {
			t.Errorf("a secret reached the log")
		}
	}
}

func TestAdmin(t *testing.T) {
	srv := start(t)
	ming := newBrowser(t, srv.URL)
	signIn(t, ming, "ming@example.com", "/app/")
	var mm me
	ming.GetJSON("/app/api/me", &mm)
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/app/api/admin/audit"}, {http.MethodGet, "/app/api/admin/view-as/options"},
		{http.MethodPost, "/app/api/admin/sql"}, {http.MethodPost, "/app/api/admin/view-as"}, {http.MethodDelete, "/app/api/admin/view-as"},
	} {
		var e struct{ Code string }
		if st := ming.SendJSON(c.method, c.path, mm.CSRFToken, map[string]string{"sql": "SELECT 1"}, &e); st != http.StatusForbidden || e.Code != "forbidden" {
			t.Errorf("ming %s %s: %d %+v", c.method, c.path, st, e)
		}
	}

	sam := newBrowser(t, srv.URL)
	signIn(t, sam, "sam@example.com", "/app/")
	var m me
	sam.GetJSON("/app/api/me", &m)
	var res struct {
		Columns []struct{ Name string }
		Rows    [][]any
	}
	if st := sam.SendJSON(http.MethodPost, "/app/api/admin/sql", m.CSRFToken, map[string]string{"sql": "SELECT polname FROM svv_rls_policy ORDER BY 1"}, &res); st != http.StatusOK {
		t.Fatalf("console: %d %+v", st, res)
	}
	if fmt.Sprint(res.Rows) != "[[amer_sales_policy] [apac_sales_policy] [emea_sales_policy]]" {
		t.Errorf("console rows %v", res.Rows)
	}
	var e struct{ Code, Message string }
	if st := sam.SendJSON(http.MethodPost, "/app/api/admin/sql", m.CSRFToken, map[string]string{"sql": "SELECT count(*) FROM sales_data"}, &e); st != 422 || !strings.Contains(e.Message, "permission denied") {
		t.Errorf("console as sam on sales_data: %d %+v", st, e)
	}
	if st := sam.SendJSON(http.MethodPost, "/app/api/admin/view-as", "", map[string]any{"user": "frank@example.com", "groups": []string{"amer-sales"}}, nil); st != http.StatusForbidden {
		t.Errorf("view-as without CSRF: %d", st)
	}
	var opts struct{ Groups, Users []string }
	sam.GetJSON("/app/api/admin/view-as/options", &opts)
	if !slices.Contains(opts.Groups, "amer-sales") || !slices.Contains(opts.Groups, "security-admins") {
		t.Errorf("view-as options %+v", opts)
	}
	// View-as takes an email address, nothing else (D14).
	for _, bad := range []string{"not an email", "frank", "a@b@c", "<frank@example.com>", "Frank <frank@example.com>"} {
		var e struct{ Code, Message string }
		if st := sam.SendJSON(http.MethodPost, "/app/api/admin/view-as", m.CSRFToken, map[string]any{"user": bad, "groups": []string{}}, &e); st != http.StatusBadRequest || !strings.Contains(e.Message, "email address") {
			t.Errorf("view-as %q: %d %+v", bad, st, e)
		}
	}
	sam.GetJSON("/app/api/admin/view-as/options", &opts)
	if slices.Contains(opts.Users, "not an email") {
		t.Errorf("a refused view-as became a suggestion: %v", opts.Users)
	}
	// Refused passwords at the embedded IdP are audited as failed sign-ins,
	// naming the account only when it exists.
	for _, u := range []string{"frank@example.com", "nobody-here@example.com"} {
		resp, err := http.PostForm(srv.URL+"/idp/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {"tipgate-cli"},
			"username": {u}, "password": {"wrong"}, "scope": {"openid"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	var fails struct {
		Records []struct{ Kind, User, Binding, Error string }
	}
	sam.GetJSON("/app/api/admin/audit?limit=500", &fails)
	var known, unknown bool
	for _, r := range fails.Records {
		if r.Kind == "auth_failure" && r.Binding == "idp" {
			known = known || (r.User == "AWSIDC:frank@example.com" && strings.HasPrefix(r.Error, "bad_credentials (password_grant"))
			unknown = unknown || (r.User == "" && strings.HasPrefix(r.Error, "unknown_user (password_grant"))
		}
	}
	if !known || !unknown {
		t.Errorf("failed IdP sign-ins in the audit log: frank %v, unknown %v: %+v", known, unknown, fails.Records)
	}
	var va me
	if st := sam.SendJSON(http.MethodPost, "/app/api/admin/view-as", m.CSRFToken, map[string]any{"user": "frank@example.com", "groups": []string{"amer-sales"}}, &va); st != http.StatusOK || va.ViewAs == nil || va.ViewAs.User != "AWSIDC:frank@example.com" {
		t.Fatalf("view-as: %d %+v", st, va)
	}
	checkDashboard(t, sam, "sam viewing as frank", groundTruth(t, srv.SourceCSV, "America", nil), "")
	var audit struct {
		Records []struct {
			Kind, User, Actor, Binding string
		}
	}
	sam.GetJSON("/app/api/admin/audit?limit=500", &audit)
	var viewAs, asFrank int
	for _, r := range audit.Records {
		if r.Kind == "view_as" && r.User == "AWSIDC:frank@example.com" && r.Actor == "AWSIDC:sam@example.com" && r.Binding == "web" {
			viewAs++
		}
		if r.Kind == "statement" && r.User == "AWSIDC:frank@example.com" && r.Actor == "AWSIDC:sam@example.com" {
			asFrank++
		}
	}
	if viewAs != 1 || asFrank == 0 {
		t.Errorf("audit: %d view_as records, %d statements as frank by sam", viewAs, asFrank)
	}
	var cleared me
	if st := sam.SendJSON(http.MethodDelete, "/app/api/admin/view-as", m.CSRFToken, nil, &cleared); st != http.StatusOK || cleared.ViewAs != nil {
		t.Errorf("clear view-as: %d %+v", st, cleared)
	}
	var p panel
	if sam.GetJSON("/app/api/panels/headline", &p); !p.NoAccess {
		t.Errorf("after clearing view-as sam sees %+v", p)
	}
}

func TestCacheIsPerPolicyContext(t *testing.T) {
	srv := start(t)
	var first, again, other panel
	ming := newBrowser(t, srv.URL)
	signIn(t, ming, "ming@example.com", "/app/")
	// The first statement records the federated user, which leaves the
	// policy version (and so the cache key) as it was: the first answer is
	// computed and the second is the cached one.
	ming.GetJSON("/app/api/panels/regions", &first)
	ming.GetJSON("/app/api/panels/regions", &again)
	if first.Cached || !again.Cached || fmt.Sprint(first.Rows) != fmt.Sprint(again.Rows) {
		t.Errorf("ming: first cached=%v, again cached=%v", first.Cached, again.Cached)
	}
	frank := newBrowser(t, srv.URL)
	signIn(t, frank, "frank@example.com", "/app/")
	frank.GetJSON("/app/api/panels/regions", &other)
	if other.Cached || fmt.Sprint(other.Rows) == fmt.Sprint(first.Rows) {
		t.Errorf("frank got ming's cached regions: %+v", other)
	}
	// The cached answer is audited like a fresh one: who read it, through
	// which binding, from which statement, under which policies.
	sam := newBrowser(t, srv.URL)
	signIn(t, sam, "sam@example.com", "/app/")
	var audit struct {
		Records []struct {
			Kind, User, Binding string
			StatementID         string   `json:"statement_id"`
			Policies            []string `json:"policies"`
		}
	}
	sam.GetJSON("/app/api/admin/audit?limit=500", &audit)
	statements, cached := map[string]bool{}, 0
	for _, r := range audit.Records {
		if r.User == "AWSIDC:ming@example.com" && r.Kind == "statement" && r.StatementID != "" {
			statements[r.StatementID] = true
		}
	}
	for _, r := range audit.Records {
		if r.User == "AWSIDC:ming@example.com" && r.Kind == "cached_result" && r.Binding == "web" {
			cached++
			if !statements[r.StatementID] || len(r.Policies) == 0 {
				t.Errorf("cached answer record %+v does not name its statement and policies", r)
			}
		}
	}
	if cached != 1 {
		t.Errorf("%d audit records of cached answers to ming, want 1", cached)
	}
}

func TestBadRequests(t *testing.T) {
	srv := start(t)
	b := newBrowser(t, srv.URL)
	signIn(t, b, "ming@example.com", "/app/")
	for _, tc := range []struct {
		path, code, msg string
		status          int
	}{
		{"/app/api/panels/headline?from=2024-02-30", "bad_request", "from must be a date", 400},
		{"/app/api/panels/headline?from=2024-03-01&to=2024-01-01", "bad_request", "from must not be after to", 400},
		{"/app/api/panels/timeseries?grain=year", "bad_request", "grain must be day, week or month", 400},
		{"/app/api/panels/passwords", "bad_request", `there is no panel "passwords"`, 400},
		{"/app/api/nothing", "not_found", "no such dashboard API", 404},
		{"/app/api/admin/audit?limit=0", "forbidden", "security administrators", 403},
	} {
		var e struct{ Code, Message string }
		if st := b.GetJSON(tc.path, &e); st != tc.status || e.Code != tc.code || !strings.Contains(e.Message, tc.msg) {
			t.Errorf("%s: %d %+v, want %d %s %q", tc.path, st, e, tc.status, tc.code, tc.msg)
		}
	}
}

// TestExpiredSession: once the session's time is up, the API says so and
// the page sends the person to sign in again with a clear message.
func TestExpiredSession(t *testing.T) {
	var skew atomic.Int64
	srv := startWithClock(t, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	b := newBrowser(t, srv.URL)
	signIn(t, b, "ming@example.com", "/app/")
	if st := b.GetJSON("/app/api/me", nil); st != http.StatusOK {
		t.Fatalf("fresh session: %d", st)
	}
	skew.Store(int64(2 * time.Hour)) // past the session's lifetime (1h)
	var e struct{ Code string }
	if st := b.GetJSON("/app/api/panels/headline", &e); st != http.StatusUnauthorized || e.Code != "session_expired" {
		t.Errorf("expired session, API: %d %+v", st, e)
	}
	// The page itself redirects with the reason; the sign-in page says it.
	skew.Store(0)
	b2 := newBrowser(t, srv.URL)
	signIn(t, b2, "frank@example.com", "/app/")
	skew.Store(int64(2 * time.Hour))
	resp, _ := b2.Do(http.MethodGet, "/app/", nil, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "reason=expired") {
		t.Fatalf("expired session, page: %d %s", resp.StatusCode, loc)
	}
	if _, page := b2.Follow(srv.URL + loc); !strings.Contains(page, "Your session has expired. Please sign in again.") {
		t.Errorf("the sign-in page does not say the session expired")
	}
}
