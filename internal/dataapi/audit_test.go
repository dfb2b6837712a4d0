package dataapi_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/identity"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := audit.Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	var svc *dataapi.Service
	eng, err := engines.Open(ctx, engines.Config{DataDir: t.TempDir(), Threads: 1, QueryHistory: func() []engine.QueryRecord { return svc.History() }})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	svc, err = dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	su := identity.LocalSuperuser()
	rctx := dataapi.WithRequestInfo(ctx, dataapi.RequestInfo{Binding: "rest", Source: "127.0.0.1:5000"})
	for _, q := range []string{
		"CREATE TABLE t (id INT, region VARCHAR(5))", "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
		`CREATE ROLE "AWSIDC:ra"`, `GRANT SELECT ON t TO ROLE "AWSIDC:ra"`,
		"CREATE RLS POLICY pa WITH (region VARCHAR(5)) USING (region = 'a')", `ATTACH RLS POLICY pa ON t TO ROLE "AWSIDC:ra"`,
		"ALTER TABLE t ROW LEVEL SECURITY ON", "CREATE USER bob PASSWORD 'Sup3rSecret!'",
	} {
		out, err := svc.Execute(rctx, su, dataapi.ExecuteInput{Sql: q, WaitTimeSeconds: wait(30)})
		if err != nil || out.Status != dataapi.StatusFinished {
			t.Fatalf("%s: %v %+v", q, err, out)
		}
	}
	ann, _ := identity.Simulated("ann@example.com", "AWSIDC", []string{"ra"})
	out, err := svc.Execute(rctx, ann, dataapi.ExecuteInput{Sql: "SELECT id FROM t WHERE id = :id", Parameters: []dataapi.Parameter{{Name: "id", Value: "7341"}}, WaitTimeSeconds: wait(30)})
	if err != nil || out.Status != dataapi.StatusFinished {
		t.Fatalf("%v %+v", err, out)
	}
	svc.AuditAuthFailure(rctx, "bad_signature")
	recs, err := svc.AuditLog(ctx, su, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 10 || recs[0].Kind != "auth_failure" || recs[0].Error != "bad_signature" || recs[0].Binding != "rest" {
		t.Fatalf("%d records, newest %+v", len(recs), recs[0])
	}
	sel := recs[1]
	if sel.User != "AWSIDC:ann@example.com" || sel.Status != "FINISHED" || sel.Rows != 0 || len(sel.ParamNames) != 1 || sel.ParamNames[0] != "id" ||
		len(sel.Policies) != 1 || sel.Policies[0] != "rls:pa on t" || sel.Source != "127.0.0.1:5000" || len(sel.Roles) != 1 {
		t.Fatalf("select record %+v", sel)
	}
	if _, err := svc.AuditLog(ctx, ann, 0); err == nil {
		t.Fatal("a principal without sys:secadmin read the audit log")
	}
	raw, _ := os.ReadFile(path)
	for _, secret := range []string{"Sup3rSecret!", "7341"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the audit file holds %q", secret)
		}
	}
	if !strings.Contains(string(raw), "PASSWORD '***'") {
		t.Fatal("the CREATE USER statement is not recorded redacted")
	}
	// SYS_QUERY_HISTORY: ann sees her own statement only, the superuser all.
	for _, tc := range []struct {
		p    identity.Principal
		want string
	}{{ann, "1"}, {su, "10"}} {
		d := svcRun(t, svc, tc.p, "SELECT count(*) FROM sys_query_history")
		r, _ := svc.GetResult(ctx, tc.p, d, "", 0)
		got := r.Records[0][0].LongValue
		if got == nil || strconv.FormatInt(*got, 10) != tc.want {
			t.Errorf("%s sees %v history rows, want %s", tc.p.User, *got, tc.want)
		}
	}
}

func svcRun(t *testing.T, svc *dataapi.Service, p identity.Principal, q string) string {
	t.Helper()
	out, err := svc.Execute(context.Background(), p, dataapi.ExecuteInput{Sql: q, WaitTimeSeconds: wait(30)})
	if err != nil || out.Status != dataapi.StatusFinished {
		d, _ := svc.Describe(context.Background(), p, out.ID, 0)
		t.Fatalf("%s: %v %+v", q, err, d)
	}
	return out.ID
}
