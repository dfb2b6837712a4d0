package policy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// fakeAnalyzer answers AnalyzeExpr from a table of expressions, so catalog
// rules can be tested without an engine's parser.
type fakeAnalyzer map[string]ExprInfo

func (f fakeAnalyzer) AnalyzeExpr(_ context.Context, expr string) (ExprInfo, error) {
	info, ok := f[expr]
	if !ok {
		return ExprInfo{}, errors.New("fakeAnalyzer: unknown expression " + expr)
	}
	return info, nil
}

var testAnalyzer = fakeAnalyzer{
	"region IN (SELECT region FROM lookup)": {Columns: [][]string{{"region"}}, Tables: []string{"lookup"}},
	"true":                                  {},
}

func superEnv() Env {
	return Env{Actor: Subject{User: "admin", Superuser: true}, Analyzer: testAnalyzer}
}

// apply parses and applies one statement, failing the test on a parse error.
func apply(t *testing.T, c *Catalog, sql string) (*Catalog, error) {
	t.Helper()
	st, err := ddl.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	return c.Apply(context.Background(), st, superEnv())
}

func mustApply(t *testing.T, c *Catalog, sql string) *Catalog {
	t.Helper()
	n, err := apply(t, c, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func withTables(t *testing.T) *Catalog {
	t.Helper()
	c := New()
	var err error
	if c, err = c.AddTable("sales", "admin", []Column{{"id", "INT"}, {"region", "VARCHAR(10)"}}); err != nil {
		t.Fatal(err)
	}
	if c, err = c.AddTable("lookup", "admin", []Column{{"region", "VARCHAR(10)"}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func wantCode(t *testing.T, err error, code sqlerr.Code, substr string) {
	t.Helper()
	var se *sqlerr.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *sqlerr.Error", err)
	}
	if se.Code != code || !strings.Contains(se.Message, substr) {
		t.Fatalf("error %q (code %v), want code %v containing %q", se.Message, se.Code, code, substr)
	}
}

// A table with row level security turned on cannot be a lookup table, even
// with no policy attached to it (spec §1.2).
func TestLookupTableWithRLSOnRefused(t *testing.T) {
	c := withTables(t)
	c = mustApply(t, c, "ALTER TABLE lookup ROW LEVEL SECURITY ON")
	_, err := apply(t, c, "CREATE RLS POLICY p WITH (region VARCHAR(10)) USING (region IN (SELECT region FROM lookup))")
	wantCode(t, err, sqlerr.InvalidParameter, "row level security is turned on")

	c = mustApply(t, c, "ALTER TABLE lookup ROW LEVEL SECURITY OFF")
	c = mustApply(t, c, "CREATE RLS POLICY p WITH (region VARCHAR(10)) USING (region IN (SELECT region FROM lookup))")
	if _, ok := c.IsLookupTable("lookup"); !ok {
		t.Fatal("lookup is not recorded as a lookup table")
	}

	// The datashare flag counts as RLS turned on too.
	c = mustApply(t, c, "ALTER TABLE lookup ROW LEVEL SECURITY ON FOR DATASHARES")
	_, err = apply(t, c, "ALTER RLS POLICY p USING (region IN (SELECT region FROM lookup))")
	wantCode(t, err, sqlerr.InvalidParameter, "row level security is turned on")
}

// A relation qualified with another database is not the local table of
// that name: ATTACH, DETACH and GRANT refuse it, the connected database
// ("dev") is accepted.
func TestOtherDatabaseRelationRefused(t *testing.T) {
	c := withTables(t)
	c = mustApply(t, c, "CREATE ROLE r")
	c = mustApply(t, c, "CREATE RLS POLICY p USING (true)")
	for _, sql := range []string{
		"ATTACH RLS POLICY p ON otherdb.public.sales TO ROLE r",
		"GRANT SELECT ON otherdb.public.sales TO ROLE r",
		"ALTER TABLE otherdb.public.sales ROW LEVEL SECURITY ON",
	} {
		_, err := apply(t, c, sql)
		wantCode(t, err, sqlerr.UndefinedTable, "does not exist")
	}
	c = mustApply(t, c, "ATTACH RLS POLICY p ON dev.public.sales TO ROLE r")
	c = mustApply(t, c, "GRANT SELECT ON dev.public.sales TO ROLE r")
	if len(c.RLSAttachments) != 1 || c.RLSAttachments[0].Table != "sales" {
		t.Fatalf("attachments = %+v", c.RLSAttachments)
	}
	_, err := apply(t, c, "DETACH RLS POLICY p ON otherdb.public.sales FROM ROLE r")
	wantCode(t, err, sqlerr.UndefinedTable, "does not exist")
}
