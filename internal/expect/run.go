package expect

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Failure is one expectation that did not hold: who, what was expected,
// what was seen.
type Failure struct {
	Where       string // file:line
	Principal   string // user and groups
	Subject     string // table or query
	Expectation string
	Saw         string
}

func (f Failure) String() string {
	return fmt.Sprintf("%s: %s on %s: %s; saw %s", f.Where, f.Principal, f.Subject, f.Expectation, f.Saw)
}

// Result counts what ran.
type Result struct {
	Expectations int
	Checks       int
	Failures     []Failure
}

// Principal is the simulated principal an expectation names: its user in
// the namespace its name carries (the default one otherwise).
func (e *Expectation) Principal() (identity.Principal, error) {
	ns := identity.DefaultNamespace
	if before, _, ok := strings.Cut(e.User, ":"); ok {
		ns = before
	}
	return identity.Simulated(e.User, ns, e.Groups)
}

// errSucceeded ends the transaction of a statement that had to be refused
// and was not, so that it leaves nothing behind.
var errSucceeded = errors.New("expect: the statement succeeded")

// Run checks every expectation of files against eng.
func Run(ctx context.Context, eng engine.Engine, files []*File) (Result, error) {
	var res Result
	for _, f := range files {
		for i := range f.Expect {
			e := &f.Expect[i]
			if err := ctx.Err(); err != nil {
				return res, err
			}
			res.Expectations++
			r := runner{ctx: ctx, eng: eng, e: e, res: &res}
			r.fail = Failure{Where: e.where(f.Name, i), Subject: e.subject()}
			p, err := e.Principal()
			if err != nil {
				return res, fmt.Errorf("%s: %w", r.fail.Where, err)
			}
			r.p = p
			r.fail.Principal = describe(p)
			r.run()
		}
	}
	return res, nil
}

func describe(p identity.Principal) string {
	if len(p.Groups) == 0 {
		return p.User + " (no groups)"
	}
	return p.User + " (groups " + strings.Join(p.Groups, ", ") + ")"
}

func (e *Expectation) subject() string {
	if e.Table != "" {
		return "table " + e.Table
	}
	return "query " + oneLine(e.Query)
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

type runner struct {
	ctx  context.Context
	eng  engine.Engine
	e    *Expectation
	p    identity.Principal
	res  *Result
	fail Failure
}

func (r *runner) failed(expectation, saw string) {
	f := r.fail
	f.Expectation, f.Saw = expectation, saw
	r.res.Failures = append(r.res.Failures, f)
}

func (r *runner) run() {
	e := r.e
	if e.Rows != nil {
		r.count("", fmt.Sprintf("rows = %d", *e.Rows), func(n int64) (bool, string) {
			return n == *e.Rows, fmt.Sprintf("%d rows", n)
		})
	}
	if e.EveryRow != "" {
		r.count("("+e.EveryRow+") IS NOT TRUE", fmt.Sprintf("every row satisfies %s", e.EveryRow), func(n int64) (bool, string) {
			return n == 0, fmt.Sprintf("%d rows that do not", n)
		})
	}
	if e.NoRow != "" {
		r.count("("+e.NoRow+") IS TRUE", fmt.Sprintf("no row satisfies %s", e.NoRow), func(n int64) (bool, string) {
			return n == 0, fmt.Sprintf("%d rows that do", n)
		})
	}
	for _, c := range e.Count {
		r.count("("+c.Where+") IS TRUE", fmt.Sprintf("%d rows where %s", *c.Rows, c.Where), func(n int64) (bool, string) {
			return n == *c.Rows, fmt.Sprintf("%d rows", n)
		})
	}
	r.columns()
	for _, s := range e.Refused {
		r.refused(s)
	}
}

func (r *runner) source() string {
	if r.e.Table != "" {
		return tableRef(r.e.Table)
	}
	return "(" + strings.TrimSuffix(strings.TrimSpace(r.e.Query), ";") + ") AS expect_q"
}

// tableRef quotes each part of a possibly qualified name.
func tableRef(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = ddl.QuoteName(strings.ToLower(p))
	}
	return strings.Join(parts, ".")
}

// count runs SELECT count(*) over the source, filtered by cond, as the
// principal, and judges the number.
func (r *runner) count(cond, expectation string, judge func(int64) (bool, string)) {
	r.res.Checks++
	sql := "SELECT count(*) FROM " + r.source()
	if cond != "" {
		sql += " WHERE " + cond
	}
	n, err := r.scalar(sql)
	if err != nil {
		r.failed(expectation, "error: "+message(err))
		return
	}
	if ok, saw := judge(n); !ok {
		r.failed(expectation, saw)
	}
}

func (r *runner) scalar(sql string) (int64, error) {
	rows, err := r.eng.Query(r.ctx, r.p, sql)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("no row")
	}
	v := rows.Values()
	if len(v) != 1 {
		return 0, fmt.Errorf("%d columns", len(v))
	}
	n, ok := v[0].(int64)
	if !ok {
		return 0, fmt.Errorf("count is %T", v[0])
	}
	return n, rows.Err()
}

func message(err error) string {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

// columns checks column states twice: in the engine's decision for the
// principal (which says which mask) and by reading the column as the
// principal (which must succeed exactly when it is granted or masked).
func (r *runner) columns() {
	e := r.e
	if len(e.Granted)+len(e.Masked)+len(e.Denied) == 0 {
		return
	}
	d, err := r.eng.Decide(r.ctx, r.p)
	if err != nil {
		r.failed("column states", "error: "+message(err))
		return
	}
	acc := d.Tables[strings.ToLower(lastPart(e.Table))]
	state := func(col string) (string, *policy.ColumnAccess) {
		i := slices.IndexFunc(acc.Columns, func(c policy.ColumnAccess) bool { return strings.EqualFold(c.Name, col) })
		switch {
		case i < 0:
			return "no such column", nil
		case !acc.Visible || !acc.Columns[i].Granted:
			return "denied", &acc.Columns[i]
		case acc.Columns[i].Mask != nil:
			return "masked by " + acc.Columns[i].Mask.Policy, &acc.Columns[i]
		}
		return "granted", &acc.Columns[i]
	}
	check := func(col, want string) {
		r.res.Checks++
		got, _ := state(col)
		readErr := r.read(col)
		switch {
		case got != want:
			r.failed("column "+col+" "+want, got)
		case want == "denied" && readErr == nil:
			r.failed("column "+col+" denied", "a read of the column succeeded")
		case want != "denied" && readErr != nil:
			r.failed("column "+col+" "+want, "a read of the column failed: "+message(readErr))
		}
	}
	for _, c := range e.Granted {
		check(c, "granted")
	}
	for _, c := range slices.Sorted(maps.Keys(e.Masked)) {
		check(c, "masked by "+e.Masked[c])
	}
	for _, c := range e.Denied {
		check(c, "denied")
	}
}

func lastPart(name string) string {
	parts := strings.Split(name, ".")
	return parts[len(parts)-1]
}

func (r *runner) read(col string) error {
	rows, err := r.eng.Query(r.ctx, r.p, "SELECT "+ddl.QuoteName(col)+" FROM "+r.source()+" LIMIT 0")
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	err = rows.Err()
	rows.Close()
	return err
}

// refused runs s as the principal in a transaction that is rolled back if
// s succeeds. A syntax error is no refusal: it is a mistake in the file.
func (r *runner) refused(s string) {
	r.res.Checks++
	want := "refused: " + oneLine(s)
	b, ok := r.eng.(engine.Batcher)
	if !ok {
		r.failed(want, "this engine cannot run a statement in a transaction that is rolled back, so refusals are not checked")
		return
	}
	err := b.QueryBatch(r.ctx, r.p, []engine.Stmt{{SQL: s}}, func(_ int, rows engine.Rows) error {
		// An engine may report a refusal only when the rows are read
		// (PostgreSQL does): a statement has succeeded once they all were.
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return errSucceeded
	})
	switch {
	case errors.Is(err, errSucceeded):
		r.failed(want, "it succeeded (and was rolled back)")
	case sqlerr.CodeOf(err) == sqlerr.SyntaxError:
		r.failed(want, "a syntax error, not a refusal: "+message(err))
	}
}
