package dataapi_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store"
	"github.com/tipgate/tipgate/internal/store/embedded"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// replicas are two Data API services sharing one store (and, here, one
// engine): what two tipgate replicas behind a load balancer share.
type replicas struct {
	a, b  *dataapi.Service
	st    store.Store
	ming  identity.Principal
	frank identity.Principal
}

func newReplicas(t *testing.T, opts dataapi.Options) *replicas {
	t.Helper()
	eng := duckdbtest.New(t, 2,
		"CREATE TABLE sales (id INT, region VARCHAR(10))",
		"INSERT INTO sales SELECT i, CASE WHEN i % 2 = 0 THEN 'asia' ELSE 'amer' END FROM range(1, 2501) r(i)",
		`CREATE ROLE "AWSIDC:apac"`, `GRANT SELECT ON sales TO ROLE "AWSIDC:apac"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`, "ALTER TABLE sales ROW LEVEL SECURITY ON")
	st := memstore.New("", 0)
	keys := memstore.New("", 0).Keys()                                            // one NextToken key for both, as the store gives replicas
	results, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir()}) // one result store, as the PostgreSQL store gives them
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) *dataapi.Service {
		o := opts
		o.DataDir, o.Store, o.Replica, o.Keys, o.Results = t.TempDir(), st, name, keys, results
		svc, err := dataapi.New(eng, o)
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	frank, _ := identity.Simulated("frank@example.com", "AWSIDC", []string{"amer"})
	r := &replicas{a: mk("a"), b: mk("b"), st: st, ming: ming, frank: frank}
	beat(t, st, "a", time.Minute)
	beat(t, st, "b", time.Minute)
	return r
}

func beat(t *testing.T, st store.Store, id string, lease time.Duration) {
	t.Helper()
	now := time.Now()
	if _, err := st.Replicas().Beat(context.Background(), store.Replica{ID: id, Engine: "duckdb", Started: now, Until: now.Add(lease)}, now); err != nil {
		t.Fatal(err)
	}
}

// TestStatementOnAnyReplica: a statement run by one replica is described,
// paged (with the other's NextToken), listed and found by its ClientToken
// on the other; another principal gets 404 everywhere.
func TestStatementOnAnyReplica(t *testing.T) {
	r := newReplicas(t, dataapi.Options{PageRows: 500})
	ctx := context.Background()
	out, err := r.a.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT id FROM sales ORDER BY id", StatementName: "etl-1", ClientToken: "tok-1"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.b.Describe(ctx, r.ming, out.ID, 30)
	if err != nil || d.Status != dataapi.StatusFinished || d.ResultRows != 1250 || !d.HasResultSet {
		t.Fatalf("describe on b: %+v %v", d, err)
	}
	var rows int
	var tok string
	for page := 0; ; page++ {
		svc := []*dataapi.Service{r.a, r.b}[page%2] // alternate, as a round-robin balancer would
		res, err := svc.GetResult(ctx, r.ming, out.ID, tok, 0)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		if page == 0 && *res.Records[0][0].LongValue != 2 {
			t.Fatalf("first row %+v", res.Records[0])
		}
		rows += len(res.Records)
		if tok = res.NextToken; tok == "" {
			break
		}
	}
	if rows != 1250 {
		t.Fatalf("%d rows over the pages, want 1250", rows)
	}
	again, err := r.b.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: "tok-1"})
	if err != nil || again.ID != out.ID {
		t.Fatalf("ClientToken on b: %v %v, want %s", again, err, out.ID)
	}
	list, err := r.b.List(ctx, r.ming, dataapi.ListInput{StatementName: "etl"})
	if err != nil || len(list.Statements) != 1 || list.Statements[0].ID != out.ID || list.Statements[0].Status != dataapi.StatusFinished {
		t.Fatalf("list on b: %+v %v", list, err)
	}
	for _, svc := range []*dataapi.Service{r.a, r.b} {
		if _, err := svc.Describe(ctx, r.frank, out.ID, 0); kindOf(err) != dataapi.ResourceNotFound {
			t.Fatalf("another principal: %v, want not found", err)
		}
		if _, err := svc.GetResult(ctx, r.frank, out.ID, "", 0); kindOf(err) != dataapi.ResourceNotFound {
			t.Fatalf("another principal's result: %v", err)
		}
	}
}

// TestCancelOnAnotherReplica: cancelled on b, a statement a runs is
// ABORTED at once for everyone, and a stops it at its next heartbeat.
func TestCancelOnAnotherReplica(t *testing.T) {
	r := newReplicas(t, dataapi.Options{})
	ctx := context.Background()
	out, err := r.a.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: slowQuery})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.b.Cancel(ctx, r.ming, out.ID); !ok || err != nil {
		t.Fatalf("cancel on b: %v %v", ok, err)
	}
	if d, _ := r.b.Describe(ctx, r.ming, out.ID, 0); d.Status != dataapi.StatusAborted {
		t.Fatalf("after cancel, b describes %s", d.Status)
	}
	if _, err := r.b.Cancel(ctx, r.ming, out.ID); kindOf(err) != dataapi.Validation {
		t.Fatalf("second cancel: %v", err)
	}
	if err := r.a.SyncAborts(ctx); err != nil {
		t.Fatal(err)
	}
	d, _ := r.a.Describe(ctx, r.ming, out.ID, 10)
	if d.Status != dataapi.StatusAborted || r.a.Active() != 0 {
		t.Fatalf("a after its heartbeat: %s, %d active", d.Status, r.a.Active())
	}
}

// TestQuotasAcrossReplicas: a principal's active-statement limit counts
// its statements on every replica; sessions are shared and run one
// statement at a time wherever it was sent.
func TestQuotasAcrossReplicas(t *testing.T) {
	r := newReplicas(t, dataapi.Options{MaxActive: 2})
	ctx := context.Background()
	var ids []string
	for _, svc := range []*dataapi.Service{r.a, r.b} {
		out, err := svc.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: slowQuery})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, out.ID)
	}
	if _, err := r.a.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT 1"}); kindOf(err) != dataapi.ActiveStatementsExceeded {
		t.Fatalf("third statement over two replicas: %v, want ActiveStatementsExceeded", err)
	}
	if _, err := r.b.Execute(ctx, r.frank, dataapi.ExecuteInput{Sql: "SELECT 1"}); err != nil {
		t.Fatalf("another principal: %v", err)
	}
	for i, id := range ids {
		if _, err := []*dataapi.Service{r.b, r.a}[i].Cancel(ctx, r.ming, id); err != nil {
			t.Fatal(err)
		}
	}
	// A session opened on a, used on b.
	first, err := r.a.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: slowQuery, SessionKeepAliveSeconds: wait(60)})
	if err != nil || first.SessionID == "" {
		t.Fatalf("open session: %+v %v", first, err)
	}
	if _, err := r.b.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT 1", SessionID: first.SessionID}); kindOf(err) != dataapi.Validation {
		t.Fatalf("busy session on b: %v", err)
	}
	if _, err := r.b.Execute(ctx, r.frank, dataapi.ExecuteInput{Sql: "SELECT 1", SessionID: first.SessionID}); kindOf(err) != dataapi.Validation {
		t.Fatalf("another's session: %v", err)
	}
	if _, err := r.b.Cancel(ctx, r.ming, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := r.a.SyncAborts(ctx); err != nil {
		t.Fatal(err)
	}
	r.a.Describe(ctx, r.ming, first.ID, 10)
	next, err := r.b.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT 42", SessionID: first.SessionID, WaitTimeSeconds: wait(10)})
	if err != nil || next.SessionID != first.SessionID || next.Status != dataapi.StatusFinished {
		t.Fatalf("session on b after the cancel: %+v %v", next, err)
	}
}

// TestDeadReplica: the statements of a replica that stops beating are
// failed by the reaper, and its session freed; the others see it.
func TestDeadReplica(t *testing.T) {
	r := newReplicas(t, dataapi.Options{})
	ctx := context.Background()
	beat(t, r.st, "a", time.Millisecond) // a's lease ends now
	out, err := r.a.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: slowQuery, SessionKeepAliveSeconds: wait(60)})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	ids, err := r.st.Statements().Reap(ctx, time.Now(), "ERROR: the replica running the statement stopped")
	if err != nil || len(ids) != 1 || ids[0] != out.ID {
		t.Fatalf("Reap = %v %v", ids, err)
	}
	d, err := r.b.Describe(ctx, r.ming, out.ID, 0)
	if err != nil || d.Status != dataapi.StatusFailed || d.Error == "" {
		t.Fatalf("b describes %+v %v", d, err)
	}
	if _, err := r.b.Execute(ctx, r.ming, dataapi.ExecuteInput{Sql: "SELECT 1", SessionID: out.SessionID}); err != nil {
		t.Fatalf("the dead statement's session is still busy: %v", err)
	}
	r.a.SyncAborts(ctx)
	r.a.Describe(ctx, r.ming, out.ID, 10)
}

type downStore struct{ store.Store }

type downStatements struct{ store.Statements }

func (downStore) Statements() store.Statements { return downStatements{} }
func (downStatements) Insert(context.Context, store.Statement, store.Admission) error {
	return store.ErrUnavailable
}
func (downStatements) Get(context.Context, string) (store.Statement, error) {
	return store.Statement{}, store.ErrUnavailable
}

// TestStoreUnavailable: without its store a replica refuses new work with
// a clear, retryable error.
func TestStoreUnavailable(t *testing.T) {
	eng := duckdbtest.New(t, 1)
	svc, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Store: downStore{memstore.New("", 0)}, Replica: "a"})
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", nil)
	_, err = svc.Execute(context.Background(), ming, dataapi.ExecuteInput{Sql: "SELECT 1"})
	if kindOf(err) != dataapi.Unavailable {
		t.Fatalf("Execute without a store: %v", err)
	}
	if _, err := svc.Describe(context.Background(), ming, "0b0e2a3c-0000-4000-8000-000000000000", 0); kindOf(err) != dataapi.Unavailable {
		t.Fatalf("Describe without a store: %v", err)
	}
}

// TestNextTokenKeyShared: the NextToken key is key material, not random
// per process: two servers on one data directory (or replicas on one
// store) accept each other's tokens.
func TestNextTokenKeyShared(t *testing.T) {
	dir := t.TempDir()
	eng := duckdbtest.New(t, 1, "CREATE TABLE t AS SELECT range AS i FROM range(10)")
	shared := memstore.New("", 0)
	results, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name string) *dataapi.Service {
		svc, err := dataapi.New(eng, dataapi.Options{DataDir: dir, PageRows: 2, Store: shared, Replica: name, Results: results})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	a, b := mk("a"), mk("b")
	ctx := context.Background()
	su := identity.LocalSuperuser()
	out, _ := a.Execute(ctx, su, dataapi.ExecuteInput{Sql: "SELECT i FROM t ORDER BY i", WaitTimeSeconds: wait(10)})
	res, err := a.GetResult(ctx, su, out.ID, "", 0)
	if err != nil || res.NextToken == "" {
		t.Fatalf("first page: %v", err)
	}
	next, err := b.GetResult(ctx, su, out.ID, res.NextToken, 0)
	if err != nil || *next.Records[0][0].LongValue != 2 {
		t.Fatalf("a's token on b: %+v %v", next, err)
	}
	key, err := os.ReadFile(filepath.Join(dir, "dataapi-token.key"))
	if err != nil || len(key) != 32 {
		t.Fatalf("token key file: %d bytes, %v", len(key), err)
	}
}

// heldStatements holds Update (a statement's end) until release closes.
type heldStatements struct {
	store.Statements
	entered chan struct{}
	release chan struct{}
}

func (h *heldStatements) Update(ctx context.Context, st store.Statement) error {
	if !st.Active {
		close(h.entered)
		<-h.release
	}
	return h.Statements.Update(ctx, st)
}

type heldStore struct {
	store.Store
	st *heldStatements
}

func (h heldStore) Statements() store.Statements { return h.st }

// TestEndSeenOnlyOnceStored: the replica running a statement does not
// describe it FINISHED before its end is in the store, so a client that
// sees it finished there and asks another replica for the result finds it
// (with round-robin polling the describe and the result land on
// different replicas).
func TestEndSeenOnlyOnceStored(t *testing.T) {
	eng := duckdbtest.New(t, 1, "CREATE TABLE t AS SELECT range AS i FROM range(3)")
	mem := memstore.New("", 0)
	held := heldStore{Store: mem, st: &heldStatements{Statements: mem.Statements(), entered: make(chan struct{}), release: make(chan struct{})}}
	results, err := embedded.NewResults(embedded.ResultOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	keys := memstore.New("", 0).Keys()
	mk := func(name string) *dataapi.Service {
		svc, err := dataapi.New(eng, dataapi.Options{DataDir: t.TempDir(), Store: held, Replica: name, Keys: keys, Results: results})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	a, b := mk("a"), mk("b")
	beat(t, mem, "a", time.Minute)
	ctx := context.Background()
	su := identity.LocalSuperuser()
	out, err := a.Execute(ctx, su, dataapi.ExecuteInput{Sql: "SELECT i FROM t"})
	if err != nil {
		t.Fatal(err)
	}
	<-held.st.entered
	for name, svc := range map[string]*dataapi.Service{"a": a, "b": b} {
		if d, err := svc.Describe(ctx, su, out.ID, 0); err != nil || d.Status == dataapi.StatusFinished {
			t.Fatalf("before the end is stored, %s describes %+v %v", name, d, err)
		}
	}
	close(held.st.release)
	if d, err := a.Describe(ctx, su, out.ID, 10); err != nil || d.Status != dataapi.StatusFinished {
		t.Fatalf("after the end is stored, a describes %+v %v", d, err)
	}
	if r, err := b.GetResult(ctx, su, out.ID, "", 0); err != nil || len(r.Records) != 3 {
		t.Fatalf("result on b: %v", err)
	}
}
