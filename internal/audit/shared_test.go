package audit_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// TestSharedLog: two replicas' logs on one backend read each other's
// records, newest first, redacted before they leave the replica.
func TestSharedLog(t *testing.T) {
	backend := memstore.New("", 0).Audit()
	a, err := audit.OpenShared(filepath.Join(t.TempDir(), "audit.log"), 100, backend)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := audit.OpenShared(filepath.Join(t.TempDir(), "audit.log"), 100, backend)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Now()
	if err := a.Write(audit.Record{Time: now, Kind: "statement", StatementID: "on-a", SQL: "CREATE USER x PASSWORD 'sekret1A'"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(audit.Record{Time: now.Add(time.Second), Kind: "auth_failure"}); err != nil {
		t.Fatal(err)
	}
	got := a.Recent(nil, 0)
	if len(got) != 2 || got[0].Kind != "auth_failure" || got[1].StatementID != "on-a" {
		t.Fatalf("a reads %+v", got)
	}
	if s := b.Recent(func(r audit.Record) bool { return r.Kind == "statement" }, 1); len(s) != 1 || s[0].StatementID != "on-a" ||
		s[0].SQL == "CREATE USER x PASSWORD 'sekret1A'" {
		t.Fatalf("b reads %+v (the password must be redacted)", s)
	}
}
