package expect_test

import (
	"context"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/engine/duckdb/duckdbtest"
	"github.com/tipgate/tipgate/internal/expect"
)

const fixture = `
CREATE TABLE sales (id INT, region VARCHAR(20), email VARCHAR(50), amount INT);
INSERT INTO sales VALUES (1, 'EU', 'a@x', 10), (2, 'AF', 'b@x', 20), (3, 'US', 'c@x', 30);
CREATE ROLE "AWSIDC:emea-sales";
GRANT SELECT ON TABLE sales TO ROLE "AWSIDC:emea-sales";
CREATE RLS POLICY emea WITH (region VARCHAR(20)) USING (region = 'EU');
ATTACH RLS POLICY emea ON sales TO ROLE "AWSIDC:emea-sales";
CREATE MASKING POLICY hide WITH (email VARCHAR(50)) USING ('***'::VARCHAR(50));
ATTACH MASKING POLICY hide ON sales (email) TO ROLE "AWSIDC:emea-sales";
ALTER TABLE sales ROW LEVEL SECURITY ON;
`

const expectations = `
# alex is in EMEA sales: Europe only, email masked.
[[expect]]
name = "alex sees exactly Europe"
user = "AWSIDC:alex@example.com"
groups = ["emea-sales"]
table = "sales"
rows = 1
every_row = "region = 'EU'"
no_row = "region = 'AF'"
granted = ["id", "region", "amount"]
masked = { email = "hide" }
refused = ["ALTER TABLE sales ROW LEVEL SECURITY OFF"]

[[expect.count]]
where = "amount >= 10"
rows = 1

[[expect]]
user = "AWSIDC:alex@example.com"
groups = ["emea-sales"]
query = "SELECT region, count(*) AS n FROM sales GROUP BY region"
rows = 1

[[expect]]
user = "nobody@example.com"
table = "sales"
denied = ["id", "email"]
refused = ["SELECT * FROM sales"]
`

func run(t *testing.T, mutation string) []string {
	t.Helper()
	eng := duckdbtest.New(t, 1, fixture, mutation)
	f, err := expect.Parse("sales.toml", expectations)
	if err != nil {
		t.Fatal(err)
	}
	res, err := expect.Run(context.Background(), eng, []*expect.File{f})
	if err != nil {
		t.Fatal(err)
	}
	if res.Expectations != 3 || res.Checks != 13 {
		t.Fatalf("ran %d expectations, %d checks", res.Expectations, res.Checks)
	}
	var out []string
	for _, fl := range res.Failures {
		out = append(out, fl.String())
	}
	// A refusal that did not happen was rolled back.
	if on := eng.Catalog().Tables["sales"].RLS; !on {
		t.Fatal("a statement that had to be refused changed the warehouse")
	}
	return out
}

// TestKindsFail: the expectations hold for the right policy, and each kind
// of expectation fails, naming principal, expectation and what was seen,
// when the policy is wrong.
func TestKindsFail(t *testing.T) {
	if got := run(t, ""); len(got) != 0 {
		t.Fatalf("failures with the right policy:\n%s", strings.Join(got, "\n"))
	}
	widen := "ALTER RLS POLICY emea USING (region IN ('EU', 'AF'))"
	cases := []struct {
		kind, mutation, want string
	}{
		{"rows", widen, `sales.toml:3: AWSIDC:alex@example.com (groups emea-sales) on table sales: rows = 1; saw 2 rows`},
		{"rows of a query", widen, `sales.toml:19: AWSIDC:alex@example.com (groups emea-sales) on query SELECT region, count(*) AS n FROM sales GROUP BY region: rows = 1; saw 2 rows`},
		{"every_row", "ALTER RLS POLICY emea USING (region <> 'AF')", `every row satisfies region = 'EU'; saw 1 rows that do not`},
		{"no_row", widen, `no row satisfies region = 'AF'; saw 1 rows that do`},
		{"count", widen, `1 rows where amount >= 10; saw 2 rows`},
		{"granted", `REVOKE SELECT ON TABLE sales FROM ROLE "AWSIDC:emea-sales"; GRANT SELECT (id, amount, email) ON TABLE sales TO ROLE "AWSIDC:emea-sales"`,
			`column region granted; saw denied`},
		{"masked", `DETACH MASKING POLICY hide ON sales (email) FROM ROLE "AWSIDC:emea-sales"`, `column email masked by hide; saw granted`},
		{"denied", "GRANT SELECT (id) ON TABLE sales TO PUBLIC", `sales.toml:25: AWSIDC:nobody@example.com (no groups) on table sales: column id denied; saw granted`},
		{"refused", `GRANT ROLE sys:secadmin TO ROLE "AWSIDC:emea-sales"`, `refused: ALTER TABLE sales ROW LEVEL SECURITY OFF; saw it succeeded (and was rolled back)`},
		{"refused read", "GRANT SELECT ON TABLE sales TO PUBLIC", `refused: SELECT * FROM sales; saw it succeeded (and was rolled back)`},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			got := run(t, c.mutation)
			for _, g := range got {
				if strings.Contains(g, c.want) {
					return
				}
			}
			t.Fatalf("no failure contains %q:\n%s", c.want, strings.Join(got, "\n"))
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"toml syntax", "[[expect]]\nuser = \n", "x.toml:2:"},
		{"unknown key", "[[expect]]\nuser = \"a\"\ntable = \"t\"\nrows = 1\nrow = 2\n", `unknown key "expect.row"`},
		{"checks nothing", "[[expect]]\nuser = \"a\"\ntable = \"t\"\n", "x.toml:1: the expectation checks nothing"},
		{"table and query", "\n[[expect]]\nuser = \"a\"\ntable = \"t\"\nquery = \"SELECT 1\"\nrows = 1\n", "x.toml:2: give exactly one of table or query"},
		{"columns of a query", "[[expect]]\nuser = \"a\"\nquery = \"SELECT 1\"\ndenied = [\"x\"]\n", "granted, masked and denied need a table"},
		{"two statements", "[[expect]]\nuser = \"a\"\ntable = \"t\"\nrefused = [\"SELECT 1; SELECT 2\"]\n", "must be one statement"},
		{"predicate smuggles a statement", "[[expect]]\nuser = \"a\"\ntable = \"t\"\nevery_row = \"true; DROP TABLE t\"\n", "is not one expression"},
		{"no user", "[[expect]]\ntable = \"t\"\nrows = 1\n", "user is required"},
		{"column in two states", "[[expect]]\nuser = \"a\"\ntable = \"t\"\ngranted = [\"a\"]\ndenied = [\"A\"]\n", "two states"},
		{"empty", "# nothing\n", "no [[expect]] tables"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := expect.Parse("x.toml", c.text)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}
