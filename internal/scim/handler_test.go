package scim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/scim"
)

func createUser(t *testing.T, e *env, userName string, extra string) string {
	t.Helper()
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q%s}`, userName, extra)
	status, _, resp := e.do(t, "POST", "/scim/v2/Users", body, nil)
	if status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", userName, status, resp)
	}
	var r struct{ ID string }
	json.Unmarshal(resp, &r)
	return r.ID
}

type listResp struct {
	TotalResults int `json:"totalResults"`
	StartIndex   int `json:"startIndex"`
	Resources    []struct {
		UserName string `json:"userName"`
	} `json:"Resources"`
}

func TestFilterAndPaging(t *testing.T) {
	e := newEnv(t)
	createUser(t, e, "ming@example.com", `,"externalId":"e1","active":true,"name":{"givenName":"Ming"}`)
	createUser(t, e, "bob@example.com", `,"externalId":"e2","active":false`)
	createUser(t, e, "alice@corp.example", `,"externalId":"e3","active":true,"emails":[{"value":"alice@example.com","type":"work"}]`)
	for _, tc := range []struct {
		filter string
		query  string
		want   []string
		total  int
	}{
		{filter: `userName eq "MING@example.com"`, want: []string{"ming@example.com"}},
		{filter: `userName co "example"`, want: []string{"ming@example.com", "bob@example.com", "alice@corp.example"}},
		{filter: `userName co "example.com"`, want: []string{"ming@example.com", "bob@example.com"}},
		{filter: `userName sw "b"`, want: []string{"bob@example.com"}},
		{filter: `userName ew "corp.example"`, want: []string{"alice@corp.example"}},
		{filter: `active eq true and userName co "ming"`, want: []string{"ming@example.com"}},
		{filter: `userName sw "bob" or externalId eq "e3"`, want: []string{"bob@example.com", "alice@corp.example"}},
		{filter: `emails[type eq "work" and value co "alice"]`, want: []string{"alice@corp.example"}},
		{filter: `name.givenName pr`, want: []string{"ming@example.com"}},
		{filter: `not (active eq true)`, want: []string{"bob@example.com"}},
		{query: "startIndex=2&count=1", want: []string{"bob@example.com"}, total: 3},
		{query: "startIndex=3&count=5", want: []string{"alice@corp.example"}, total: 3},
		{query: "startIndex=9", want: nil, total: 3},
		{query: "count=0", want: nil, total: 3},
		{query: "startIndex=-4&count=1", want: []string{"ming@example.com"}, total: 3},
	} {
		q := tc.query
		if tc.filter != "" {
			q = "filter=" + url.QueryEscape(tc.filter)
		}
		status, _, resp := e.do(t, "GET", "/scim/v2/Users?"+q, "", nil)
		if status != 200 {
			t.Errorf("%s: %d %s", q, status, resp)
			continue
		}
		var lr listResp
		json.Unmarshal(resp, &lr)
		var got []string
		for _, r := range lr.Resources {
			got = append(got, r.UserName)
		}
		total := tc.total
		if total == 0 {
			total = len(tc.want)
		}
		if !slices.Equal(got, tc.want) || lr.TotalResults != total {
			t.Errorf("%s%s: got %v (total %d), want %v (total %d)", tc.filter, tc.query, got, lr.TotalResults, tc.want, total)
		}
	}
}

func TestDiscovery(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/scim/v2/ServiceProviderConfig", []string{`"patch":{"supported":true}`, `"filter":{"maxResults":200,"supported":true}`, `"etag":{"supported":true}`, "oauthbearertoken"}},
		{"/scim/v2/ResourceTypes", []string{`"endpoint":"/Users"`, `"endpoint":"/Groups"`, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
		{"/scim/v2/ResourceTypes/User", []string{`"name":"User"`}},
		{"/scim/v2/Schemas", []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}},
		{"/scim/v2/Schemas/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", []string{`"name":"employeeNumber"`, `"name":"manager"`}},
	} {
		status, hdr, body := e.do(t, "GET", tc.path, "", nil)
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/scim+json") {
			t.Errorf("%s: %d %s", tc.path, status, hdr.Get("Content-Type"))
		}
		for _, w := range tc.want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("%s lacks %s:\n%s", tc.path, w, body)
			}
		}
	}
}

func TestETagHeader(t *testing.T) {
	e := newEnv(t)
	id := createUser(t, e, "ming@example.com", "")
	_, hdr, _ := e.do(t, "GET", "/scim/v2/Users/"+id, "", nil)
	if hdr.Get("Etag") != `W/"1"` {
		t.Fatalf("ETag = %q", hdr.Get("Etag"))
	}
	status, hdr, _ := e.do(t, "PUT", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ming@example.com","active":false}`,
		map[string]string{"If-Match": `W/"1"`})
	if status != 200 || hdr.Get("Etag") != `W/"2"` {
		t.Fatalf("PUT with current If-Match: %d ETag %q", status, hdr.Get("Etag"))
	}
	status, _, _ = e.do(t, "PUT", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ming@example.com","active":true}`,
		map[string]string{"If-Match": `W/"1"`})
	if status != http.StatusPreconditionFailed {
		t.Fatalf("PUT with stale If-Match: %d", status)
	}
}

func TestLimits(t *testing.T) {
	e := newEnv(t)
	id := createUser(t, e, "ming@example.com", "")
	members := make([]string, 0, 60000)
	for i := range 60000 {
		members = append(members, fmt.Sprintf(`{"value":"%08d-0000-0000-0000-000000000000"}`, i))
	}
	huge := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"big","members":[` + strings.Join(members, ",") + `]}`
	status, _, body := e.do(t, "POST", "/scim/v2/Groups", huge, nil)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("%d-byte group: %d %s", len(huge), status, body)
	}
	ops := strings.Repeat(`{"op":"replace","path":"displayName","value":"x"},`, 1001)
	status, _, body = e.do(t, "PATCH", "/scim/v2/Users/"+id,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+strings.TrimSuffix(ops, ",")+`]}`, nil)
	if status != http.StatusBadRequest || !bytes.Contains(body, []byte("at most 1000")) || !bytes.Contains(body, []byte("invalidValue")) {
		t.Errorf("1001 operations: %d %s", status, body)
	}
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	status, _, body = e.do(t, "POST", "/scim/v2/Users", deep, nil)
	if status != http.StatusBadRequest || !bytes.Contains(body, []byte("invalidSyntax")) {
		t.Errorf("deep nesting: %d %s", status, body)
	}
}

// TestAuditAndSecrets: every change and refusal is audited with the
// client; neither the bearer token nor a password reaches the audit, the
// log, the store or a response.
func TestAuditAndSecrets(t *testing.T) {
	var logBuf bytes.Buffer
	dir := t.TempDir()
	st, err := scim.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	st.PutClient(t.Context(), scim.Client{Name: "okta", TokenHash: scim.HashToken(testToken), Created: now, Rotated: now})
	a := &memAudit{}
	h, err := scim.New(scim.Options{Store: st, Audit: a, Logger: slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{h: h, store: st, audit: a}
	id := createUser(t, e, "ming@example.com", `,"password":"hunter2-secret"`)
	gs, _, gb := e.do(t, "POST", "/scim/v2/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"apac-sales","members":[{"value":%q}]}`, id), nil)
	var g struct{ ID string }
	json.Unmarshal(gb, &g)
	e.do(t, "PATCH", "/scim/v2/Groups/"+g.ID, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"%s\"]"}]}`, id), nil)
	e.do(t, "PATCH", "/scim/v2/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, nil)
	e.do(t, "GET", "/scim/v2/Users", "", map[string]string{"Authorization": "Bearer wrong-" + testToken})
	if gs != 201 {
		t.Fatalf("group create: %d", gs)
	}
	var sources []string
	for _, r := range a.all() {
		sources = append(sources, r.Kind+" "+r.Actor+" "+r.Status+" "+r.Source)
	}
	want := []string{
		"scim scim-client:okta ok create User " + id + ": active=true",
		"scim scim-client:okta ok create Group " + g.ID + ": +member " + id,
		"scim scim-client:okta ok patch Group " + g.ID + ": -member " + id,
		"scim scim-client:okta ok patch User " + id + ": active=false",
		"auth_failure  refused GET /scim/v2/Users",
	}
	if !slices.Equal(sources, want) {
		t.Errorf("audit:\n%s\nwant\n%s", strings.Join(sources, "\n"), strings.Join(want, "\n"))
	}
	cs, _ := st.Clients(t.Context())
	if len(cs) != 1 || !cs[0].LastUsed.Equal(now) {
		t.Errorf("client's last provisioning time: %+v", cs)
	}
	everything := logBuf.String() + fmt.Sprint(a.all())
	stored, _ := st.Get(t.Context(), scim.KindUser, id)
	everything += fmt.Sprint(stored)
	for _, secret := range []string{testToken, "hunter2-secret"} {
		if strings.Contains(everything, secret) {
			t.Errorf("a secret reached the log, audit or store")
		}
	}
}

func TestUnauthenticatedDiscoveryRefused(t *testing.T) {
	e := newEnv(t)
	req := httptest.NewRequest("GET", "/scim/v2/ServiceProviderConfig", nil)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != 401 || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("%d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
}
