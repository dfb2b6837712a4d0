package duckdb

import (
	"database/sql"
	"regexp"

	"github.com/tipgate/tipgate/internal/duckval"
	"github.com/tipgate/tipgate/internal/engine"
)

// rows adapts *sql.Rows to engine.Rows, normalising values and mapping
// errors raised while streaming.
type rows struct {
	r       *sql.Rows
	cols    []engine.Column
	vals    []any
	ptrs    []any
	err     error
	release func()
	pc      *policyContext
	closed  bool
	// isJSON marks JSON columns, whose values the driver hands over decoded.
	isJSON  []bool
	applied []engine.AppliedPolicy
}

var _ engine.PolicyReporter = (*rows)(nil)

// AppliedPolicies implements engine.PolicyReporter.
func (r *rows) AppliedPolicies() []engine.AppliedPolicy { return r.applied }

func newRows(r *sql.Rows, release func(), pc *policyContext) *rows {
	out := &rows{r: r, release: release, pc: pc}
	types, err := r.ColumnTypes()
	if err != nil {
		out.err = mapError(err, pc)
		return out
	}
	for _, t := range types {
		out.cols = append(out.cols, engine.Column{Name: columnName(t.Name()), Type: columnType(t.DatabaseTypeName())})
		out.isJSON = append(out.isJSON, t.DatabaseTypeName() == "JSON")
	}
	out.vals = make([]any, len(types))
	out.ptrs = make([]any, len(types))
	for i := range out.vals {
		out.ptrs[i] = &out.vals[i]
	}
	return out
}

func (r *rows) Columns() []engine.Column { return r.cols }
func (r *rows) Tag() string              { return "SELECT" }
func (r *rows) RowsAffected() int64      { return -1 }

func (r *rows) Next() bool {
	if r.err != nil || r.closed {
		return false
	}
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			r.err = mapError(err, r.pc)
		}
		return false
	}
	if err := r.r.Scan(r.ptrs...); err != nil {
		r.err = mapError(err, r.pc)
		return false
	}
	for i, v := range r.vals {
		if r.isJSON[i] && v != nil {
			// A JSON value reaches Go decoded; it goes on as JSON text,
			// scalars included, as Redshift returns SUPER.
			r.vals[i] = duckval.JSONText(v)
			continue
		}
		r.vals[i] = duckval.Normalise(v)
	}
	return true
}

func (r *rows) Values() []any { return r.vals }
func (r *rows) Err() error    { return r.err }

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.r.Close()
	r.release()
	return err
}

var reCallName = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)\(.*\)$`)

// columnName names an unaliased call column as Redshift does: by the
// function ("count", not DuckDB's "count_star()").
func columnName(n string) string {
	m := reCallName.FindStringSubmatch(n)
	if m == nil {
		return n
	}
	if m[1] == "count_star" {
		return "count"
	}
	return m[1]
}

// valueRows is a small in-memory result (EXPLAIN output).
type valueRows struct {
	cols []engine.Column
	data [][]any
	i    int
}

func (v *valueRows) Columns() []engine.Column { return v.cols }
func (v *valueRows) Next() bool {
	if v.i >= len(v.data) {
		return false
	}
	v.i++
	return true
}
func (v *valueRows) Values() []any       { return v.data[v.i-1] }
func (v *valueRows) Err() error          { return nil }
func (v *valueRows) Close() error        { return nil }
func (v *valueRows) Tag() string         { return "EXPLAIN" }
func (v *valueRows) RowsAffected() int64 { return -1 }
