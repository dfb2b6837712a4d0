package trino

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/tipgate/tipgate/internal/engine"
)

// rows streams a Trino result.
type rows struct {
	r       *sql.Rows
	cols    []engine.Column
	vals    []any
	ptrs    []any
	err     error
	release func()
	closed  bool
	tag     string
	applied []engine.AppliedPolicy
}

var (
	_ engine.Rows           = (*rows)(nil)
	_ engine.PolicyReporter = (*rows)(nil)
)

func newRows(r *sql.Rows, release func(), tag string) (*rows, error) {
	types, err := r.ColumnTypes()
	if err != nil {
		r.Close()
		release()
		return nil, mapReadError(err)
	}
	out := &rows{r: r, release: release, tag: tag}
	for _, t := range types {
		out.cols = append(out.cols, engine.Column{Name: t.Name(), Type: engineType(t.DatabaseTypeName())})
	}
	out.vals = make([]any, len(types))
	out.ptrs = make([]any, len(types))
	for i := range out.ptrs {
		out.ptrs[i] = &out.vals[i]
	}
	return out, nil
}

func (r *rows) Columns() []engine.Column { return r.cols }

func (r *rows) Next() bool {
	if r.closed || r.err != nil {
		return false
	}
	if !r.r.Next() {
		r.err = mapReadError(r.r.Err())
		r.Close()
		return false
	}
	if err := r.r.Scan(r.ptrs...); err != nil {
		r.err = mapReadError(err)
		r.Close()
		return false
	}
	return true
}

// Values converts Trino's Go values to tipgate's: DECIMAL stays exact text,
// nested values become JSON text.
func (r *rows) Values() []any {
	out := make([]any, len(r.vals))
	for i, v := range r.vals {
		out[i] = convert(v, r.cols[i].Type)
	}
	return out
}

func convert(v any, t engine.Type) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, time.Time, []byte:
		if s, ok := x.(string); ok && t.Kind == engine.TypeNumeric {
			return s
		}
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float32:
		return float64(x)
	case *big.Float:
		return x.Text('f', -1)
	case []any, map[string]any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

func (r *rows) Err() error { return r.err }

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.r.Close()
	r.release()
	return mapReadError(err)
}

func (r *rows) Tag() string                             { return r.tag }
func (r *rows) RowsAffected() int64                     { return -1 }
func (r *rows) AppliedPolicies() []engine.AppliedPolicy { return r.applied }
