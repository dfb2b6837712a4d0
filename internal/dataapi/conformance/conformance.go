// Package conformance is the one Data API behaviour suite every wire
// binding must pass: each binding's test supplies a Client per principal
// over its own wire format, and the same table of cases runs against it.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/identity"
)

// Error is a binding's error reduced to the Data API shape it carries.
type Error struct {
	Kind    dataapi.Kind
	Message string
}

func (e *Error) Error() string { return string(e.Kind) + ": " + e.Message }

// Statement is what DescribeStatement says, reduced.
type Statement struct {
	Status     string
	ResultRows int64
	Error      string
	HasResult  bool
	Subs       []string // sub-statement statuses
}

// Page is one page of a result, values rendered as strings ("NULL" for null).
type Page struct {
	Rows      [][]string
	Total     int64
	NextToken string
	CSV       string
}

// Client is one principal's handle on a binding.
type Client interface {
	Execute(ctx context.Context, in dataapi.ExecuteInput) (string, error)
	Describe(ctx context.Context, id string) (Statement, error)
	Result(ctx context.Context, id, next string) (Page, error)
	ResultCSV(ctx context.Context, id, next string) (Page, error)
	Cancel(ctx context.Context, id string) (bool, error)
	List(ctx context.Context, namePrefix, status string) ([]string, error)
	ListTables(ctx context.Context) ([]string, error)
	DescribeTable(ctx context.Context, table string) ([]string, error)
}

// Principals of the suite.
var (
	Ming, _  = identity.Simulated("ming@example.com", "AWSIDC", []string{"apac"})
	Frank, _ = identity.Simulated("frank@example.com", "AWSIDC", []string{"amer"})
)

// NewService builds the suite's warehouse and service: table sales
// (2000 rows, half 'asia' half 'amer', RLS per region, column secret not
// granted) and table hidden (no grants).
func NewService(t testing.TB, opts dataapi.Options) *dataapi.Service {
	t.Helper()
	eng := duckdbtest.New(t, 1,
		"CREATE TABLE sales (id INT, region VARCHAR(10), amount DECIMAL(10,2), note VARCHAR(20), secret VARCHAR(20))",
		"INSERT INTO sales SELECT i, CASE WHEN i % 2 = 0 THEN 'asia' ELSE 'amer' END, i / 4.0, CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || i END, 's' FROM range(1, 2001) r(i)",
		"CREATE TABLE hidden (x INT)",
		`CREATE ROLE "AWSIDC:apac"`, `CREATE ROLE "AWSIDC:amer"`,
		`GRANT SELECT (id, region, amount, note) ON sales TO ROLE "AWSIDC:apac", ROLE "AWSIDC:amer"`,
		"CREATE RLS POLICY asia WITH (region VARCHAR(10)) USING (region = 'asia')",
		"CREATE RLS POLICY amer WITH (region VARCHAR(10)) USING (region = 'amer')",
		`ATTACH RLS POLICY asia ON sales TO ROLE "AWSIDC:apac"`, `ATTACH RLS POLICY amer ON sales TO ROLE "AWSIDC:amer"`,
		"ALTER TABLE sales ROW LEVEL SECURITY ON",
	)
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.PageRows == 0 {
		opts.PageRows = 300
	}
	svc, err := dataapi.New(eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// Clients returns the suite's two principals' clients over one binding.
type Clients func(t *testing.T, svc *dataapi.Service) (ming, frank Client)

// Run runs every case through the binding.
func Run(t *testing.T, clients Clients) {
	svc := NewService(t, dataapi.Options{MaxActive: 3})
	ming, frank := clients(t, svc)
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, ctx, ming, frank) })
	}
}

type testCase struct {
	name string
	run  func(t *testing.T, ctx context.Context, ming, frank Client)
}

func kind(err error) dataapi.Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// finish polls until the statement ends, as clients of the Data API do.
func finish(t *testing.T, ctx context.Context, c Client, id string) Statement {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := c.Describe(ctx, id)
		if err != nil {
			t.Fatalf("describe %s: %v", id, err)
		}
		switch st.Status {
		case dataapi.StatusFinished, dataapi.StatusFailed, dataapi.StatusAborted:
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("statement %s still %s", id, st.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func run(t *testing.T, ctx context.Context, c Client, in dataapi.ExecuteInput) (string, Statement) {
	t.Helper()
	id, err := c.Execute(ctx, in)
	if err != nil {
		t.Fatalf("execute %q: %v", in.Sql, err)
	}
	return id, finish(t, ctx, c, id)
}

func allRows(t *testing.T, ctx context.Context, c Client, id string) ([][]string, int) {
	t.Helper()
	var rows [][]string
	next, pages := "", 0
	for {
		p, err := c.Result(ctx, id, next)
		if err != nil {
			t.Fatalf("result %s: %v", id, err)
		}
		pages++
		rows = append(rows, p.Rows...)
		if p.NextToken == "" {
			return rows, pages
		}
		next = p.NextToken
	}
}

const slow = "SELECT sum(a.range * b.range) FROM range(300000) a, range(300000) b"

var cases = []testCase{
	{"finished with typed values", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, st := run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT id, amount, note FROM sales WHERE id IN (2, 10) ORDER BY id"})
		if st.Status != dataapi.StatusFinished || st.ResultRows != 2 || !st.HasResult {
			t.Fatalf("%+v", st)
		}
		rows, _ := allRows(t, ctx, ming, id)
		if fmt.Sprint(rows) != "[[2 0.50 n2] [10 2.50 NULL]]" {
			t.Fatalf("rows %v", rows)
		}
	}},
	{"paging across many pages", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, st := run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT id FROM sales ORDER BY id"})
		rows, pages := allRows(t, ctx, ming, id)
		if st.ResultRows != 1000 || len(rows) != 1000 || pages != 4 || rows[0][0] != "2" || rows[999][0] != "2000" {
			t.Fatalf("%d rows in %d pages (first %v)", len(rows), pages, rows[0])
		}
	}},
	{"csv results", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, _ := run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT id, note FROM sales WHERE id IN (4, 10) ORDER BY id", ResultFormat: "CSV"})
		p, err := ming.ResultCSV(ctx, id, "")
		if err != nil || p.CSV != "4,n4\n10,\n" || p.Total != 2 {
			t.Fatalf("%+v %v", p, err)
		}
		if _, err := ming.Result(ctx, id, ""); kind(err) != dataapi.Validation {
			t.Fatalf("JSON page of a CSV statement: %v", err)
		}
	}},
	{"parameters are values", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, _ := run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT count(*), :label FROM sales WHERE id <= :n",
			Parameters: []dataapi.Parameter{{Name: "n", Value: "20"}, {Name: "label", Value: "secret"}}})
		rows, _ := allRows(t, ctx, ming, id)
		if fmt.Sprint(rows) != "[[10 secret]]" {
			t.Fatalf("%v", rows)
		}
		if _, err := ming.Execute(ctx, dataapi.ExecuteInput{Sql: "SELECT :x"}); kind(err) != dataapi.Validation {
			t.Fatalf("missing parameter: %v", err)
		}
	}},
	{"sql errors are FAILED statements", func(t *testing.T, ctx context.Context, ming, _ Client) {
		for sql, want := range map[string]string{"SELECT secret FROM sales": "permission denied", "SELECT * FROM hidden": "permission denied", "SELEC 1": "syntax error"} {
			_, st := run(t, ctx, ming, dataapi.ExecuteInput{Sql: sql})
			if st.Status != dataapi.StatusFailed || !strings.Contains(st.Error, want) || st.ResultRows != -1 {
				t.Errorf("%s: %+v", sql, st)
			}
		}
	}},
	{"client token idempotency", func(t *testing.T, ctx context.Context, ming, _ Client) {
		a, _ := ming.Execute(ctx, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: "conformance-token"})
		b, _ := ming.Execute(ctx, dataapi.ExecuteInput{Sql: "SELECT 1", ClientToken: "conformance-token"})
		if a == "" || a != b {
			t.Fatalf("%q %q", a, b)
		}
	}},
	{"batch sub-statements", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, st := run(t, ctx, ming, dataapi.ExecuteInput{Sqls: []string{"SELECT count(*) FROM sales", "SELECT 2"}})
		if st.Status != dataapi.StatusFinished || len(st.Subs) != 2 {
			t.Fatalf("%+v", st)
		}
		rows, _ := allRows(t, ctx, ming, id+":1")
		if fmt.Sprint(rows) != "[[1000]]" {
			t.Fatalf("%v", rows)
		}
	}},
	{"cancel a long query", func(t *testing.T, ctx context.Context, ming, _ Client) {
		id, err := ming.Execute(ctx, dataapi.ExecuteInput{Sql: slow})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		if ok, err := ming.Cancel(ctx, id); !ok || err != nil {
			t.Fatalf("cancel: %v %v", ok, err)
		}
		if st := finish(t, ctx, ming, id); st.Status != dataapi.StatusAborted {
			t.Fatalf("%+v", st)
		}
		if _, err := ming.Cancel(ctx, id); kind(err) != dataapi.Validation {
			t.Fatalf("second cancel: %v", err)
		}
	}},
	{"active statement limit", func(t *testing.T, ctx context.Context, ming, _ Client) {
		var ids []string
		for i := 0; i < 3; i++ {
			id, err := ming.Execute(ctx, dataapi.ExecuteInput{Sql: slow})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		_, err := ming.Execute(ctx, dataapi.ExecuteInput{Sql: "SELECT 1"})
		for _, id := range ids {
			ming.Cancel(ctx, id)
			finish(t, ctx, ming, id)
		}
		if kind(err) != dataapi.ActiveStatementsExceeded {
			t.Fatalf("fourth active statement: %v", err)
		}
	}},
	{"validation", func(t *testing.T, ctx context.Context, ming, _ Client) {
		for _, in := range []dataapi.ExecuteInput{{Sql: strings.Repeat("x", 100<<10+1)}, {Sql: "SELECT 1", ResultFormat: "XML"}, {Sqls: make([]string, 41)}} {
			if _, err := ming.Execute(ctx, in); kind(err) != dataapi.Validation {
				t.Errorf("%.40v: %v", in, err)
			}
		}
	}},
	{"list and metadata show only what the principal may read", func(t *testing.T, ctx context.Context, ming, frank Client) {
		run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT 1", StatementName: "conformance-list"})
		ids, err := ming.List(ctx, "conformance-l", "ALL")
		if err != nil || len(ids) != 1 {
			t.Fatalf("%v %v", ids, err)
		}
		if ids, _ := frank.List(ctx, "conformance-l", "ALL"); len(ids) != 0 {
			t.Fatalf("frank lists ming's statements: %v", ids)
		}
		tables, err := ming.ListTables(ctx)
		if err != nil || !slices.Equal(tables, []string{"sales"}) {
			t.Fatalf("tables %v %v", tables, err)
		}
		cols, err := ming.DescribeTable(ctx, "sales")
		if err != nil || !slices.Equal(cols, []string{"id", "region", "amount", "note"}) {
			t.Fatalf("columns %v %v", cols, err)
		}
		if _, err := ming.DescribeTable(ctx, "hidden"); kind(err) != dataapi.ResourceNotFound {
			t.Fatalf("hidden table: %v", err)
		}
	}},
	{"isolation: another principal gets not found everywhere", func(t *testing.T, ctx context.Context, ming, frank Client) {
		id, _ := run(t, ctx, ming, dataapi.ExecuteInput{Sql: "SELECT id FROM sales ORDER BY id"})
		p, err := ming.Result(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		probes := map[string]func() error{
			"describe": func() error { _, err := frank.Describe(ctx, id); return err },
			"result":   func() error { _, err := frank.Result(ctx, id, ""); return err },
			"page":     func() error { _, err := frank.Result(ctx, id, p.NextToken); return err },
			"csv":      func() error { _, err := frank.ResultCSV(ctx, id, ""); return err },
			"cancel":   func() error { _, err := frank.Cancel(ctx, id); return err },
			"sub id":   func() error { _, err := frank.Describe(ctx, id+":1"); return err },
		}
		for name, probe := range probes {
			if err := probe(); kind(err) != dataapi.ResourceNotFound {
				t.Errorf("%s: %v", name, err)
			}
		}
		// The same text as frank reads frank's rows only.
		fid, _ := run(t, ctx, frank, dataapi.ExecuteInput{Sql: "SELECT count(*) FROM sales WHERE region = 'asia'"})
		rows, _ := allRows(t, ctx, frank, fid)
		if fmt.Sprint(rows) != "[[0]]" {
			t.Fatalf("frank sees asia rows: %v", rows)
		}
	}},
}
