package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/policy"
)

func TestSafeReturn(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "/app/"},
		{"/app/", "/app/"},
		{"/app/#/access", "/app/#/access"},
		{"/app/?x=1#/admin/sql", "/app/?x=1#/admin/sql"},
		{"https://evil.example/", "/app/"},
		{"//evil.example/app/", "/app/"},
		{"/\\evil.example/app/", "/app/"},
		{"\\\\evil.example", "/app/"},
		{"/app/../idp/logout", "/app/"},
		{"/app/..", "/app/"},
		{"javascript:alert(1)", "/app/"},
		{"/signin", "/app/"},
		{"/app", "/app/"},
		{"http:/app/", "/app/"},
		{"/app/\r\nSet-Cookie: x=1", "/app/"},
		{"/app/%0d%0aLocation:%20https://evil.example", "/app/%0D%0ALocation:%20https://evil.example"},
		{"https://user@evil.example/app/", "/app/"},
		{strings.Repeat("/app/", 1000), "/app/"},
	} {
		if got := safeReturn(tc.in); got != tc.want {
			t.Errorf("safeReturn(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzSafeReturn: whatever the browser sends, the destination after
// sign-in is a path of the dashboard on this server.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/app/", "//evil", "https://e/", "/app/#/x", "/\\e", "/app/%2F%2Fe", "/app/..;/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := safeReturn(in)
		u, err := url.Parse(got)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(got, AppPath) || strings.HasPrefix(got, "//") ||
			strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("safeReturn(%q) = %q leaves the dashboard", in, got)
		}
	})
}

func TestParseFilters(t *testing.T) {
	for _, tc := range []struct {
		q       string
		wantErr string
		where   string
		params  int
	}{
		{"", "", "", 0},
		{"from=2024-01-01&to=2024-01-31", "", ` WHERE "timestamp" >= CAST(:from_date AS DATE) AND "timestamp" < CAST(:before_date AS DATE)`, 2},
		{"category=Golf&country=CN", "", ` WHERE category = :category AND country = :country`, 2},
		{"category=x'%20OR%201=1--", "", ` WHERE category = :category`, 1},
		{"category=Golf&category=Cycling&category=Golf", "", ` WHERE category IN (:category_0, :category_1)`, 2},
		{"region=Asia&country=CN&country=JP", "", ` WHERE country IN (:country_0, :country_1) AND split_part(timezone, '/', 1) = :region`, 3},
		{strings.Repeat("country=X&", 51), "country is given more than 50 times", "", 0},
		{"from=2024-13-01", "from must be a date", "", 0},
		{"to=yesterday", "to must be a date", "", 0},
		{"from=2024-02-01&to=2024-01-01", "from must not be after to", "", 0},
		{"country=C%00N", "country contains a control character", "", 0},
		{"category=" + strings.Repeat("x", 101), "category is longer than 100 characters", "", 0},
	} {
		q, _ := url.ParseQuery(tc.q)
		f, err := parseFilters(q)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err = %v, want %q", tc.q, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		where, params := f.where()
		if where != tc.where || len(params) != tc.params {
			t.Errorf("%q: where %q with %d params, want %q with %d", tc.q, where, len(params), tc.where, tc.params)
		}
	}
}

// TestFiltersBeforeDate: the inclusive "to" day becomes the exclusive day
// after it, across month, year and leap-day boundaries.
func TestFiltersBeforeDate(t *testing.T) {
	for to, want := range map[string]string{"2024-01-31": "2024-02-01", "2024-02-28": "2024-02-29", "2023-02-28": "2023-03-01", "2024-12-31": "2025-01-01"} {
		f, err := parseFilters(url.Values{"to": {to}})
		if err != nil {
			t.Fatal(err)
		}
		_, params := f.where()
		if len(params) != 1 || params[0].Name != "before_date" || params[0].Value != want {
			t.Errorf("to=%s: params %+v, want before_date=%s", to, params, want)
		}
	}
}

// FuzzParseFilters: any query string either is refused with a message or
// yields a WHERE clause built only from fixed fragments; values travel
// only as parameters.
func FuzzParseFilters(f *testing.F) {
	f.Add("from=2024-01-01&to=2024-12-31&category=Golf&country=CN")
	f.Add("category=%27%3B%20DROP%20TABLE%20sales_data%3B--")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := parseFilters(q)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		where, _ := flt.where()
		fixed := map[string]bool{`"timestamp" >= CAST(:from_date AS DATE)`: true, `"timestamp" < CAST(:before_date AS DATE)`: true,
			`category = :category`: true, `country = :country`: true, `split_part(timezone, '/', 1) = :region`: true}
		inList := regexp.MustCompile(`^(category|country|split_part\(timezone, '/', 1\)) IN \(:(category|country|region)_0(, :(category|country|region)_[1-9][0-9]?)+\)$`)
		if where == "" {
			return
		}
		for _, part := range strings.Split(strings.TrimPrefix(where, " WHERE "), " AND ") {
			if !fixed[part] && !inList.MatchString(part) {
				t.Fatalf("WHERE clause %q has a part %q that is not a fixed fragment", where, part)
			}
		}
	})
}

func TestPeriodOf(t *testing.T) {
	for _, tc := range []struct{ day, grain, want string }{
		{"2024-03-14", "day", "2024-03-14"},
		{"2024-03-14", "month", "2024-03-01"},
		{"2024-03-14", "week", "2024-03-11"}, // a Thursday; its ISO week starts Monday the 11th
		{"2024-03-11", "week", "2024-03-11"},
		{"2024-03-17", "week", "2024-03-11"}, // Sunday ends the ISO week
		{"2025-01-01", "week", "2024-12-30"},
	} {
		if got := periodOf(tc.day, tc.grain); got != tc.want {
			t.Errorf("periodOf(%s, %s) = %s, want %s", tc.day, tc.grain, got, tc.want)
		}
	}
}

func TestCentsOf(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want int64
	}{{"12345.67", 1234567}, {"-0.5", -50}, {"7", 700}, {"1.2", 120}, {int64(3), 300}, {2.345, 235}} {
		if got := centsOf(tc.in); got != tc.want {
			t.Errorf("centsOf(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestDescribeAccessRowModes(t *testing.T) {
	cols := []policy.ColumnAccess{{Column: policy.Column{Name: "region", Type: "VARCHAR(10)"}, Granted: true}}
	apac := policy.Grantee{Kind: policy.KindRole, Name: "AWSIDC:apac"}
	exec := policy.Grantee{Kind: policy.KindRole, Name: "AWSIDC:exec"}
	filtered := policy.RowFilter{Enforced: true, Conjunction: "and", Policies: []policy.AppliedRLS{
		{Policy: "asia", Predicate: "region = 'asia'", Via: []policy.Grantee{apac}}}}
	for _, tc := range []struct {
		name         string
		rows         policy.RowFilter
		reasons      policy.Reasons
		rlsOn        bool
		mode, inText string
	}{
		{"row security off", policy.RowFilter{}, policy.Reasons{{Kind: policy.ReasonRLSOff}}, false, "all", "off for this table"},
		{"bypassed", policy.RowFilter{}, policy.Reasons{{Kind: policy.ReasonIgnoreRLS, Bypass: policy.BypassIgnoreRLS, Via: []policy.Grantee{exec}}},
			true, "bypassed", "you hold IGNORE RLS, granted to role AWSIDC:exec)"},
		{"secadmin", policy.RowFilter{}, policy.Reasons{{Kind: policy.ReasonIgnoreRLS, Bypass: policy.BypassSecAdmin}}, true, "bypassed", "you hold sys:secadmin)"},
		{"superuser, row security on", policy.RowFilter{}, policy.Reasons{{Kind: policy.ReasonSuperuser}}, true, "bypassed", "you hold superuser)"},
		{"superuser, row security off", policy.RowFilter{}, policy.Reasons{{Kind: policy.ReasonSuperuser}}, false, "all", "off for this table"},
		{"no policy applies", policy.RowFilter{Enforced: true}, policy.Reasons{{Kind: policy.ReasonDenyAll}}, true, "none", "you see no rows"},
		{"no row reason fails closed", policy.RowFilter{Enforced: true}, nil, true, "none", "you see no rows"},
		{"filtered", filtered, policy.Reasons{{Kind: policy.ReasonFilter, Policy: "asia", Via: []policy.Grantee{apac}, Conjunction: "and"}},
			true, "filtered", "only rows where region = 'asia' (policy asia, through role AWSIDC:apac)"},
	} {
		got := describeAccess(policy.Access{Table: "sales", Visible: true, Columns: cols, Rows: tc.rows, Reasons: tc.reasons}, tc.rlsOn)
		if got.Rows.Mode != tc.mode || !strings.Contains(got.Rows.Text, tc.inText) {
			t.Errorf("%s: mode %q, text %q", tc.name, got.Rows.Mode, got.Rows.Text)
		}
		if len(got.Reasons) != len(tc.reasons) {
			t.Errorf("%s: reasons %q", tc.name, got.Reasons)
		}
	}
}

func TestExportFileName(t *testing.T) {
	for _, tc := range []struct {
		f    filters
		want string
	}{
		{filters{}, "tipgate-sales-by-city.csv"},
		{filters{From: "2024-03-01", To: "2024-05-31", Categories: []string{"Cycling"}, Countries: []string{"US"}}, "tipgate-sales-by-city_2024-03-01_to_2024-05-31_Cycling_US.csv"},
		{filters{Regions: []string{"Asia"}, Countries: []string{"CN", "JP"}}, "tipgate-sales-by-city_Asia_CN-JP.csv"},
		{filters{To: "2024-05-31"}, "tipgate-sales-by-city_start_to_2024-05-31.csv"},
		{filters{Categories: []string{`Winter "Sports"; x/y`}}, "tipgate-sales-by-city_Winter-Sports-x-y.csv"},
	} {
		if got := exportFileName(tc.f); got != tc.want {
			t.Errorf("exportFileName(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
