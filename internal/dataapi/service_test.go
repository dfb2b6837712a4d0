package dataapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
)

type env struct {
	svc   *dataapi.Service
	su    identity.Principal
	ming  identity.Principal
	frank identity.Principal
	now   *fakeClock
}

type fakeClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

func newEnv(t *testing.T, opts dataapi.Options) *env {
	t.Helper()
	eng := duckdbtest.New(t, 2,
		"CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2), sold_at TIMESTAMP, note VARCHAR(20), secret VARCHAR(20))",
		"INSERT INTO sales SELECT i, CASE WHEN i % 2 = 0 THEN 'asia' ELSE 'amer' END, i * 1.25, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) MINUTE, CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || i END, 's' || i FROM range(1, 2501) r(i)",
		`CREATE ROLE "AWSIDC:apac"`, `CREATE ROLE "AWSIDC:amer"`,
		`GRANT SELECT (id, region, amount, sold_at, note) ON sales TO ROLE "AWSIDC:apac"`,
		`GRANT SELECT (id, region, amount, sold_at, note) ON sales TO ROLE "AWSIDC:amer"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		"CREATE RLS POLICY amer WITH (region VARCHAR(10)) USING (region = 'amer')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`,
		`ATTACH RLS POLICY amer ON sales TO ROLE "AWSIDC:amer"`,
		"ALTER TABLE sales ROW LEVEL SECURITY ON",
		"CREATE TABLE hidden (x INT)",
	)
	su := identity.LocalSuperuser()
	clock := &fakeClock{}
	opts.DataDir = t.TempDir()
	opts.Clock = clock.Now
	svc, err := dataapi.New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	frank, _ := identity.Simulated("frank@example.com", "AWSIDC", []string{"amer"})
	return &env{svc: svc, su: su, ming: ming, frank: frank, now: clock}
}

func wait(n int) *int { return &n }

func (e *env) run(t *testing.T, p identity.Principal, in dataapi.ExecuteInput) *dataapi.DescribeOutput {
	t.Helper()
	out, err := e.svc.Execute(context.Background(), p, in)
	if err != nil {
		t.Fatalf("execute %q: %v", in.Sql, err)
	}
	d, err := e.svc.Describe(context.Background(), p, out.ID, 30)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func kindOf(err error) dataapi.Kind {
	var ae *dataapi.Error
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return ""
}

func TestExecuteAndPage(t *testing.T) {
	e := newEnv(t, dataapi.Options{PageRows: 500})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT id, amount, note, sold_at FROM sales ORDER BY id"})
	if d.Status != dataapi.StatusFinished || !d.HasResultSet || d.ResultRows != 1250 || d.Duration <= 0 || d.ResultSize <= 0 {
		t.Fatalf("describe: %+v", d)
	}
	var rows [][]dataapi.Field
	tok := ""
	pages := 0
	for {
		r, err := e.svc.GetResult(ctx, e.ming, d.ID, tok, 0)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if r.TotalNumRows != 1250 || len(r.ColumnMetadata) != 4 {
			t.Fatalf("page %d: total %d, %d columns", pages, r.TotalNumRows, len(r.ColumnMetadata))
		}
		rows = append(rows, r.Records...)
		if r.NextToken == "" {
			break
		}
		// A token is bound to its owner and statement.
		if _, err := e.svc.GetResult(ctx, e.frank, d.ID, r.NextToken, 0); kindOf(err) != dataapi.ResourceNotFound {
			t.Fatalf("another principal with the token: %v", err)
		}
		tok = r.NextToken
	}
	if pages != 3 || len(rows) != 1250 {
		t.Fatalf("%d pages, %d rows", pages, len(rows))
	}
	first := rows[0]
	if *first[0].LongValue != 2 || *first[1].StringValue != "2.50" || *first[2].StringValue != "n2" || *first[3].StringValue != "2024-01-01 00:02:00" {
		t.Fatalf("first row %+v", first)
	}
	if r := rows[4]; r[2].IsNull == nil || !*r[2].IsNull {
		t.Fatalf("row 5 note should be NULL: %+v", r)
	}
	// Column metadata speaks Redshift's type names.
	r, _ := e.svc.GetResult(ctx, e.ming, d.ID, "", 0)
	if got := []string{r.ColumnMetadata[0].TypeName, r.ColumnMetadata[1].TypeName, r.ColumnMetadata[2].TypeName, r.ColumnMetadata[3].TypeName}; strings.Join(got, ",") != "int4,numeric,varchar,timestamp" {
		t.Fatalf("types %v", got)
	}
	if _, err := e.svc.GetResult(ctx, e.ming, d.ID, "garbage", 0); kindOf(err) != dataapi.Validation {
		t.Fatalf("bad token: %v", err)
	}
}

func TestCSVResults(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT id, note FROM sales WHERE id IN (2, 10) ORDER BY id", ResultFormat: "CSV"})
	r, err := e.svc.GetResultV2(ctx, e.ming, d.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || r.Records[0].CSVRecords != "2,n2\n10,\n" || r.ResultFormat != "CSV" {
		t.Fatalf("%+v", r)
	}
	if _, err := e.svc.GetResult(ctx, e.ming, d.ID, "", 0); kindOf(err) != dataapi.Validation {
		t.Fatalf("JSON result of a CSV statement: %v", err)
	}
}

// TestDateValues: a DATE is "YYYY-MM-DD" in both formats, as in Redshift's
// Data API; a TIMESTAMP keeps its time.
func TestDateValues(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	const q = "SELECT CAST(sold_at AS DATE) AS d, sold_at FROM sales WHERE id = 2"
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: q})
	r, err := e.svc.GetResult(ctx, e.ming, d.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Records) != 1 || *r.Records[0][0].StringValue != "2024-01-01" || *r.Records[0][1].StringValue != "2024-01-01 00:02:00" ||
		r.ColumnMetadata[0].TypeName != "date" {
		t.Fatalf("JSON: %+v %+v", r.Records, r.ColumnMetadata)
	}
	d = e.run(t, e.ming, dataapi.ExecuteInput{Sql: q, ResultFormat: "CSV"})
	r2, err := e.svc.GetResultV2(ctx, e.ming, d.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(r2.Records) != 1 || r2.Records[0].CSVRecords != "2024-01-01,2024-01-01 00:02:00\n" {
		t.Fatalf("CSV: %+v", r2.Records)
	}
}

func TestParameters(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT count(*) FROM sales WHERE id <= :n AND region = :r", Parameters: []dataapi.Parameter{{Name: "n", Value: "10"}, {Name: "r", Value: "asia"}}})
	r, err := e.svc.GetResult(ctx, e.ming, d.ID, "", 0)
	if err != nil || *r.Records[0][0].LongValue != 5 {
		t.Fatalf("%+v %v", r, err)
	}
	if d.QueryString != "SELECT count(*) FROM sales WHERE id <= :n AND region = :r" {
		t.Fatalf("QueryString must be the text as submitted: %q", d.QueryString)
	}
	// A parameter is a value, never an identifier.
	d = e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT :col FROM sales WHERE id = 2", Parameters: []dataapi.Parameter{{Name: "col", Value: "secret"}}})
	r, _ = e.svc.GetResult(ctx, e.ming, d.ID, "", 0)
	if *r.Records[0][0].StringValue != "secret" {
		t.Fatalf("parameter became an identifier: %+v", r.Records)
	}
	for _, tc := range []struct {
		sql    string
		params []dataapi.Parameter
	}{
		{"SELECT 1", []dataapi.Parameter{{Name: "unused", Value: "1"}}},
		{"SELECT :missing", nil},
		{"SELECT :e", []dataapi.Parameter{{Name: "e", Value: ""}}},
		{"SELECT :a", []dataapi.Parameter{{Name: "a-b", Value: "1"}}},
	} {
		if _, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: tc.sql, Parameters: tc.params}); kindOf(err) != dataapi.Validation {
			t.Errorf("%s %v: %v, want ValidationException", tc.sql, tc.params, err)
		}
	}
}

func TestFailuresAreStatuses(t *testing.T) {
	e := newEnv(t, dataapi.Options{ResultCap: 2000})
	for _, tc := range []struct{ sql, err string }{
		{"SELECT secret FROM sales", "permission denied for relation sales"},
		{"SELECT * FROM hidden", "permission denied for relation hidden"},
		{"SELEC 1", "syntax error"},
		{"SELECT id, note FROM sales", "larger than the limit of 2000 bytes"},
	} {
		d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: tc.sql})
		if d.Status != dataapi.StatusFailed || !strings.Contains(d.Error, tc.err) || d.ResultRows != -1 || d.ResultSize != -1 {
			t.Errorf("%s: %+v", tc.sql, d)
		}
	}
}

func TestValidation(t *testing.T) {
	e := newEnv(t, dataapi.Options{MaxStatementBytes: 100})
	ctx := context.Background()
	for _, in := range []dataapi.ExecuteInput{
		{},
		{Sql: strings.Repeat("x", 101)},
		{Sql: "SELECT 1", ResultFormat: "XML"},
		{Sql: "SELECT 1", WaitTimeSeconds: wait(31)},
		{Sql: "SELECT 1", Connection: dataapi.Connection{DbUser: "admin"}},
		{Sqls: make([]string, 41)},
		{Sql: "SELECT 1", Sqls: []string{"SELECT 2"}},
	} {
		if _, err := e.svc.Execute(ctx, e.ming, in); kindOf(err) != dataapi.Validation {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

func TestIsolation(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT count(*) FROM sales", StatementName: "mine"})
	if _, err := e.svc.Describe(ctx, e.frank, d.ID, 0); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("describe: %v", err)
	}
	if _, err := e.svc.GetResult(ctx, e.frank, d.ID, "", 0); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("result: %v", err)
	}
	if _, err := e.svc.Cancel(ctx, e.frank, d.ID); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("cancel: %v", err)
	}
	l, _ := e.svc.List(ctx, e.frank, dataapi.ListInput{})
	if len(l.Statements) != 0 {
		t.Fatalf("frank lists ming's statements: %+v", l)
	}
	l, _ = e.svc.List(ctx, e.ming, dataapi.ListInput{StatementName: "mi"})
	if len(l.Statements) != 1 || l.Statements[0].ID != d.ID {
		t.Fatalf("ming's list: %+v", l)
	}
	// The same query as another principal sees other rows: nothing is shared.
	r1, _ := e.svc.GetResult(ctx, e.ming, d.ID, "", 0)
	d2 := e.run(t, e.frank, dataapi.ExecuteInput{Sql: "SELECT count(*) FROM sales WHERE region = 'asia'"})
	r2, _ := e.svc.GetResult(ctx, e.frank, d2.ID, "", 0)
	if *r1.Records[0][0].LongValue != 1250 || *r2.Records[0][0].LongValue != 0 {
		t.Fatalf("ming %d, frank sees asia rows: %d", *r1.Records[0][0].LongValue, *r2.Records[0][0].LongValue)
	}
}

func TestClientTokenIdempotency(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	in := dataapi.ExecuteInput{Sql: "INSERT INTO hidden VALUES (1)", ClientToken: "tok-1"}
	a, err := e.svc.Execute(ctx, e.su, in)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.svc.Execute(ctx, e.su, in)
	if a.ID != b.ID {
		t.Fatalf("a retry with the same ClientToken ran again: %s vs %s", a.ID, b.ID)
	}
	e.svc.Describe(ctx, e.su, a.ID, 30)
	d := e.run(t, e.su, dataapi.ExecuteInput{Sql: "SELECT count(*) FROM hidden"})
	r, _ := e.svc.GetResult(ctx, e.su, d.ID, "", 0)
	if *r.Records[0][0].LongValue != 1 {
		t.Fatalf("the insert ran %d times", *r.Records[0][0].LongValue)
	}
	// Another principal's identical token is a different statement.
	c, _ := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: "tok-1"})
	if c.ID == a.ID {
		t.Fatal("client tokens are shared across principals")
	}
	// After 8 hours the token is forgotten.
	e.now.advance(9 * time.Hour)
	f, _ := e.svc.Execute(ctx, e.su, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: "tok-1"})
	if f.ID == a.ID {
		t.Fatal("client token outlived 8 hours")
	}
}

const slowQuery = "SELECT sum(a.range * b.range) FROM range(200000) a, range(200000) b"

func TestCancelTimeoutAndLimits(t *testing.T) {
	e := newEnv(t, dataapi.Options{MaxActive: 1, StatementTimeout: 300 * time.Millisecond})
	ctx := context.Background()
	out, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: slowQuery})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1"}); kindOf(err) != dataapi.ActiveStatementsExceeded {
		t.Fatalf("second active statement: %v", err)
	}
	d, _ := e.svc.Describe(ctx, e.ming, out.ID, 30)
	if d.Status != dataapi.StatusFailed || !strings.Contains(d.Error, "statement timeout") {
		t.Fatalf("timeout: %+v", d)
	}
	e2 := newEnv(t, dataapi.Options{})
	out, _ = e2.svc.Execute(ctx, e2.ming, dataapi.ExecuteInput{Sql: slowQuery})
	time.Sleep(100 * time.Millisecond)
	if ok, err := e2.svc.Cancel(ctx, e2.ming, out.ID); !ok || err != nil {
		t.Fatalf("cancel: %v %v", ok, err)
	}
	d, _ = e2.svc.Describe(ctx, e2.ming, out.ID, 30)
	if d.Status != dataapi.StatusAborted {
		t.Fatalf("after cancel: %+v", d)
	}
	if _, err := e2.svc.Cancel(ctx, e2.ming, out.ID); kindOf(err) != dataapi.Validation {
		t.Fatalf("cancel of a finished statement: %v", err)
	}
}

func TestBatch(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sqls: []string{"SELECT count(*) FROM sales", "SELECT nope FROM sales", "SELECT 3"}})
	if d.Status != dataapi.StatusFailed || len(d.SubStatements) != 3 {
		t.Fatalf("%+v", d)
	}
	s := d.SubStatements
	if s[0].ID != d.ID+":1" || s[0].Status != dataapi.StatusFinished || s[1].Status != dataapi.StatusFailed || s[2].Status != dataapi.StatusSubmitted {
		t.Fatalf("sub statements %+v", s)
	}
	r, err := e.svc.GetResult(ctx, e.ming, d.ID+":1", "", 0)
	if err != nil || *r.Records[0][0].LongValue != 1250 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := e.svc.GetResult(ctx, e.ming, d.ID, "", 0); kindOf(err) != dataapi.Validation {
		t.Fatalf("result of a batch id: %v", err)
	}
	if _, err := e.svc.Describe(ctx, e.ming, d.ID+":4", 0); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("sub id out of range: %v", err)
	}
}

func TestRetentionAndMetadata(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1"})
	e.now.advance(25 * time.Hour)
	if _, err := e.svc.Describe(ctx, e.ming, d.ID, 0); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("statement outlived 24 hours: %v", err)
	}
	tables, err := e.svc.ListTables(ctx, e.ming, "", "")
	if err != nil || len(tables) != 1 || tables[0].Name != "sales" {
		t.Fatalf("ming lists %+v (%v)", tables, err)
	}
	if all, err := e.svc.ListTables(ctx, e.su, "", "%"); err != nil || len(all) != 2 {
		t.Fatalf("superuser lists %+v (%v)", all, err)
	}
	cols, err := e.svc.DescribeTable(ctx, e.ming, "public", "sales")
	if err != nil || len(cols) != 5 {
		t.Fatalf("columns %+v %v", cols, err)
	}
	for _, c := range cols {
		if c.Name == "secret" {
			t.Fatal("a column without privilege is described")
		}
	}
	if _, err := e.svc.DescribeTable(ctx, e.ming, "public", "hidden"); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("describe a hidden table: %v", err)
	}
}

func TestShutdownAbortsRunningStatements(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	out, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: slowQuery})
	if err != nil {
		t.Fatal(err)
	}
	quick, _ := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1"})
	// Let the quick one finish first, so a loaded machine cannot turn this
	// into a test of the machine's speed.
	e.svc.Describe(ctx, e.ming, quick.ID, 30)
	sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	e.svc.Shutdown(sctx)
	d, _ := e.svc.Describe(ctx, e.ming, out.ID, 10)
	if d.Status != dataapi.StatusAborted {
		t.Fatalf("long statement after shutdown: %s", d.Status)
	}
	if q, _ := e.svc.Describe(ctx, e.ming, quick.ID, 10); q.Status != dataapi.StatusFinished {
		t.Fatalf("quick statement: %s", q.Status)
	}
	if e.svc.Active() != 0 {
		t.Fatal("statements still active")
	}
}

func TestSessions(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	a, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1", SessionKeepAliveSeconds: wait(60), WaitTimeSeconds: wait(10)})
	if err != nil || a.SessionID == "" {
		t.Fatalf("%+v %v", a, err)
	}
	b, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 2", SessionID: a.SessionID, WaitTimeSeconds: wait(10)})
	if err != nil || b.SessionID != a.SessionID {
		t.Fatalf("%+v %v", b, err)
	}
	// One statement at a time.
	slow, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: slowQuery, SessionID: a.SessionID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 3", SessionID: a.SessionID}); kindOf(err) != dataapi.Validation {
		t.Fatalf("busy session: %v", err)
	}
	e.svc.Cancel(ctx, e.ming, slow.ID)
	e.svc.Describe(ctx, e.ming, slow.ID, 10)
	// Another principal cannot join it.
	if _, err := e.svc.Execute(ctx, e.frank, dataapi.ExecuteInput{Sql: "SELECT 1", SessionID: a.SessionID}); kindOf(err) != dataapi.Validation {
		t.Fatalf("foreign session: %v", err)
	}
	// It closes once idle longer than its keep-alive.
	e.now.advance(2 * time.Minute)
	if _, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1", SessionID: a.SessionID}); kindOf(err) != dataapi.Validation {
		t.Fatalf("expired session: %v", err)
	}
	if _, err := e.svc.Execute(ctx, e.ming, dataapi.ExecuteInput{Sql: "SELECT 1", SessionKeepAliveSeconds: wait(90000)}); kindOf(err) != dataapi.Validation {
		t.Fatalf("keep-alive beyond 24 h: %v", err)
	}
}

func TestBatchTransaction(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	run := func(p identity.Principal, mode string, sqls ...string) *dataapi.DescribeOutput {
		out, err := e.svc.Execute(ctx, p, dataapi.ExecuteInput{Sqls: sqls, ExecutionMode: mode})
		if err != nil {
			t.Fatal(err)
		}
		d, _ := e.svc.Describe(ctx, p, out.ID, 30)
		return d
	}
	// A failing statement rolls back the whole batch, table and rows alike.
	d := run(e.su, "", "CREATE TABLE t2 (a INT)", "INSERT INTO t2 VALUES (1)", "INSERT INTO nowhere VALUES (1)")
	if d.Status != dataapi.StatusFailed || d.SubStatements[2].Status != dataapi.StatusFailed {
		t.Fatalf("%+v", d)
	}
	if d := run(e.su, "", "SELECT count(*) FROM t2"); d.Status != dataapi.StatusFailed || !strings.Contains(d.SubStatements[0].Error, "t2") {
		t.Fatalf("t2 survived a rolled-back batch: %+v", d)
	}
	// AUTO_COMMIT keeps what succeeded.
	run(e.su, "AUTO_COMMIT", "CREATE TABLE t3 (a INT)", "INSERT INTO t3 VALUES (1)", "INSERT INTO nowhere VALUES (1)")
	if d := run(e.su, "", "SELECT count(*) FROM t3"); d.Status != dataapi.StatusFinished {
		t.Fatalf("AUTO_COMMIT lost t3: %+v", d)
	}
	// Policy changes in one transaction: both or neither.
	d = run(e.su, "", `CREATE ROLE "AWSIDC:new"`, `CREATE ROLE "AWSIDC:new"`)
	if d.Status != dataapi.StatusFailed {
		t.Fatalf("%+v", d)
	}
	if d := run(e.su, "", `CREATE ROLE "AWSIDC:new"`); d.Status != dataapi.StatusFinished {
		t.Fatalf("the first CREATE ROLE was not rolled back: %+v", d)
	}
	// A principal's reads run in one snapshot; mixing in policy changes is refused.
	if d := run(e.ming, "", "SELECT count(*) FROM sales", "SELECT max(id) FROM sales"); d.Status != dataapi.StatusFinished {
		t.Fatalf("%+v", d)
	}
	if d := run(e.ming, "", "SELECT 1", `CREATE ROLE "AWSIDC:x"`); d.Status != dataapi.StatusFailed || !strings.Contains(d.Error, "may not mix") {
		t.Fatalf("%+v", d)
	}
	if _, err := e.svc.Execute(ctx, e.su, dataapi.ExecuteInput{Sqls: []string{"SELECT 1"}, ExecutionMode: "SOMETIMES"}); kindOf(err) != dataapi.Validation {
		t.Fatalf("bad mode: %v", err)
	}
}

// TestStatementsScopedToRole: the same user through another IAM role does
// not see the statement (trusted identity propagation's rule).
func TestStatementsScopedToRole(t *testing.T) {
	e := newEnv(t, dataapi.Options{})
	ctx := context.Background()
	viaA, viaB := e.ming, e.ming
	viaA.Role = "arn:aws:iam::000000000000:role/A"
	viaB.Role = "arn:aws:iam::000000000000:role/B"
	out, err := e.svc.Execute(ctx, viaA, dataapi.ExecuteInput{Sql: "SELECT 1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Describe(ctx, viaA, out.ID, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Describe(ctx, viaB, out.ID, 0); kindOf(err) != dataapi.ResourceNotFound {
		t.Fatalf("the same user through another role: %v", err)
	}
}

// A page ends at PageRows rows or once its text passes 8 MiB, so wide
// rows make more, smaller pages (a response stays far below 100 MB).
func TestPageBytes(t *testing.T) {
	e := newEnv(t, dataapi.Options{PageRows: 10000})
	ctx := context.Background()
	for _, tc := range []struct {
		sql   string
		rows  []int // rows per page
		width int
	}{
		{"SELECT id, note FROM sales ORDER BY id", []int{1250}, 0},
		{"SELECT repeat('x', 3000000) AS big FROM sales WHERE id <= 10 ORDER BY id", []int{3, 2}, 3000000},
		{"SELECT repeat('y', 9000000) AS big FROM sales WHERE id <= 6 ORDER BY id", []int{1, 1, 1}, 9000000},
	} {
		d := e.run(t, e.ming, dataapi.ExecuteInput{Sql: tc.sql})
		if d.Status != dataapi.StatusFinished {
			t.Fatalf("%s: %+v", tc.sql, d)
		}
		var got []int
		tok := ""
		for {
			r, err := e.svc.GetResult(ctx, e.ming, d.ID, tok, 0)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, len(r.Records))
			for _, row := range r.Records {
				if tc.width > 0 && len(*row[0].StringValue) != tc.width {
					t.Fatalf("%s: a value of %d bytes", tc.sql, len(*row[0].StringValue))
				}
			}
			if tok = r.NextToken; tok == "" {
				break
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.rows) {
			t.Errorf("%s: rows per page %v, want %v", tc.sql, got, tc.rows)
		}
	}
}
