package restapi_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/policy/desired"
)

func TestPolicyAsCode(t *testing.T) {
	log, err := audit.Open(filepath.Join(t.TempDir(), "audit.log"), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	_, call := setupWith(t, dataapi.Options{Audit: log})

	status, out := call("GET", "/v1/policy/export", "tok-ming", "")
	if status != 403 || out["code"] != "permission_denied" {
		t.Fatalf("export as ming: %d %v", status, out)
	}
	status, out = call("GET", "/v1/policy/export", "tok-admin", "")
	if status != 200 {
		t.Fatalf("export: %d %v", status, out)
	}
	var files []map[string]string
	b, _ := json.Marshal(out["Files"])
	json.Unmarshal(b, &files)
	var all strings.Builder
	for _, f := range files {
		all.WriteString(f["text"])
	}
	if !strings.Contains(all.String(), `ATTACH RLS POLICY asia ON TABLE sales TO ROLE "AWSIDC:apac"`) {
		t.Fatalf("export misses the attachment:\n%s", all.String())
	}

	widened := strings.Replace(all.String(), "USING (region = 'asia')", "USING (region IN ('asia', 'amer'))", 1)
	body, _ := json.Marshal(dataapi.PolicyPlanInput{Files: []desired.Source{{Name: "p.sql", Text: widened}}})
	req := string(body)
	status, _ = call("POST", "/v1/policy/plan", "tok-ming", req)
	if status != 403 {
		t.Fatalf("plan as ming: %d", status)
	}
	status, plan := call("POST", "/v1/policy/plan", "tok-admin", req)
	if status != 200 {
		t.Fatalf("plan: %d %v", status, plan)
	}
	steps := plan["steps"].([]any)
	if len(steps) != 1 || !strings.HasPrefix(steps[0].(map[string]any)["sql"].(string), "ALTER RLS POLICY asia") {
		t.Fatalf("plan steps: %v", steps)
	}
	planJSON, _ := json.Marshal(plan)
	status, out = call("POST", "/v1/policy/apply", "tok-admin", string(planJSON))
	if status != 200 || out["Statements"].(float64) != 1 {
		t.Fatalf("apply: %d %v", status, out)
	}
	status, out = call("POST", "/v1/policy/apply", "tok-admin", string(planJSON))
	if status != 400 || !strings.Contains(out["message"].(string), "the plan was made against policy version") {
		t.Fatalf("stale apply: %d %v", status, out)
	}
	status, out = call("POST", "/v1/policy/plan", "tok-admin", `{"Files":[{"name":"bad.sql","text":"CREATE ROLE x;\nCREATE USER bob;"}]}`)
	if status != 400 || !strings.Contains(out["message"].(string), "bad.sql:2: CREATE USER is not allowed") {
		t.Fatalf("bad plan: %d %v", status, out)
	}

	test := `{"Files":[{"name":"e.toml","text":"[[expect]]\nuser = \"AWSIDC:ming@example.com\"\ngroups = [\"apac\"]\ntable = \"sales\"\nevery_row = \"region IN ('asia', 'amer')\"\nno_row = \"region = 'asia'\"\n"}]}`
	status, out = call("POST", "/v1/policy/test", "tok-ming", test)
	if status != 403 {
		t.Fatalf("test as ming: %d %v", status, out)
	}
	status, out = call("POST", "/v1/policy/test", "tok-admin", test)
	if status != 200 || out["Checks"].(float64) != 2 || len(out["Failures"].([]any)) != 1 ||
		!strings.Contains(out["Failures"].([]any)[0].(string), "e.toml:1: AWSIDC:ming@example.com (groups apac) on table sales: no row satisfies region = 'asia'") {
		t.Fatalf("test: %d %v", status, out)
	}
	status, out = call("POST", "/v1/policy/test", "tok-admin", `{"Files":[{"name":"e.toml","text":"[[expect]]\nuser = \"x\"\n"}]}`)
	if status != 400 || !strings.Contains(out["message"].(string), "e.toml:1: give exactly one of table or query") {
		t.Fatalf("bad test: %d %v", status, out)
	}

	kinds := map[string][]string{}
	for _, r := range log.Recent(nil, 0) {
		if strings.HasPrefix(r.Kind, "policy_") {
			kinds[r.Kind] = append(kinds[r.Kind], r.Status)
		}
	}
	if strings.Join(kinds["policy_apply"], ",") != "FAILED,STARTED,FINISHED,STARTED" || len(kinds["policy_plan"]) != 2 || len(kinds["policy_export"]) != 1 || len(kinds["policy_test"]) != 1 {
		t.Fatalf("audit: %v", kinds)
	}
}
