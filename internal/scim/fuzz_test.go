package scim_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"github.com/tipgate/tipgate/internal/scim"
)

// FuzzRequest drives the parsing entry points — the filter of a list and
// the body of a PATCH — with arbitrary input. Whatever comes in, the
// answer is a SCIM response (never a 5xx or a panic), an error is a SCIM
// error document, and a refused PATCH changes nothing.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct{ filter, patch string }{
		{`userName eq "ming@example.com"`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{`userName sw "m" and (active eq true or externalId pr)`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`},
		{`emails[type eq "work" and value co "@"]`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@y"}]}`},
		{`not (userName co "x") or meta.lastModified gt "2020-01-01T00:00:00Z"`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"name.givenName"},{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"b"}}]}`},
		{`userName eq "x\" or \"1\" eq \"1"`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[value ew \"com\"]"}]}`},
		{`members[value eq "a"]`, `{"Operations":[]}`},
	} {
		f.Add(s.filter, s.patch)
	}
	e := newEnvF(f)
	id := createUserF(f, e)
	f.Fuzz(func(t *testing.T, filter, patch string) {
		status, _, body := e.do(t, "GET", "/scim/v2/Users?filter="+url.QueryEscape(filter), "", nil)
		checkAnswer(t, "filter", status, body)
		before, _ := e.store.Get(t.Context(), scim.KindUser, id)
		status, _, body = e.do(t, "PATCH", "/scim/v2/Users/"+id, patch, nil)
		checkAnswer(t, "patch", status, body)
		after, err := e.store.Get(t.Context(), scim.KindUser, id)
		if err != nil {
			t.Fatalf("user vanished: %v", err)
		}
		if status >= 400 && !reflect.DeepEqual(before, after) {
			t.Fatalf("refused PATCH (%d) changed the user", status)
		}
		if status < 300 && after.Name() == "" {
			t.Fatalf("accepted PATCH left a user without userName")
		}
	})
}

func checkAnswer(t *testing.T, what string, status int, body []byte) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("%s: %d %s", what, status, body)
	}
	if status >= 400 {
		var e struct {
			Schemas []string `json:"schemas"`
			Status  string   `json:"status"`
		}
		if json.Unmarshal(body, &e) != nil || len(e.Schemas) != 1 || e.Status != fmt.Sprint(status) {
			t.Fatalf("%s: %d is not a SCIM error: %s", what, status, body)
		}
	}
}

func newEnvF(f *testing.F) *env { return newEnvTB(f) }

func createUserF(f *testing.F, e *env) string {
	status, _, resp := e.do(f, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"ming@example.com","externalId":"e1","name":{"givenName":"Ming"},"emails":[{"value":"ming@example.com","type":"work"}]}`, nil)
	var r struct{ ID string }
	if status != 201 || json.Unmarshal(resp, &r) != nil {
		f.Fatalf("create: %d %s", status, resp)
	}
	return r.ID
}
