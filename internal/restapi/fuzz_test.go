package restapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// FuzzExecuteBody posts arbitrary bodies: never a 5xx, always the stable
// {code, message} error shape.
func FuzzExecuteBody(f *testing.F) {
	for _, s := range []string{`{"Sql":"SELECT 1"}`, `{"Sqls":[]}`, `{"Sql":"SELECT :a","Parameters":[{"name":"a","value":"1"}]}`, `{`, `null`, `{"WaitTimeSeconds":31}`, `{"ResultFormat":"XML","Sql":"x"}`} {
		f.Add(s)
	}
	srv, _ := setup(f)
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/statements", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok-ming")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%q: %d %s", body, resp.StatusCode, b)
		}
		if resp.StatusCode != 200 {
			var e struct{ Code, Message string }
			if json.Unmarshal(b, &e) != nil || e.Code == "" || e.Message == "" {
				t.Fatalf("%q: error body %s", body, b)
			}
		}
	})
}
