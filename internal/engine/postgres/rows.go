package postgres

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/tipgate/tipgate/internal/engine"
)

// rows adapts pgx rows read inside a transaction to engine.Rows; Close
// ends the transaction (committed: it only read) and returns the
// connection, with nothing of the principal left on it.
type rows struct {
	r       pgx.Rows
	cols    []engine.Column
	vals    []any
	err     error
	finish  func(ok bool) error
	closed  bool
	applied []string
}

var _ engine.PolicyReporter = (*rows)(nil)

func newRows(r pgx.Rows, finish func(ok bool) error) *rows {
	out := &rows{r: r, finish: finish}
	for _, f := range r.FieldDescriptions() {
		out.cols = append(out.cols, engine.Column{Name: f.Name, Type: typeName(f.DataTypeOID, f.TypeModifier)})
	}
	return out
}

// AppliedPolicies implements engine.PolicyReporter.
func (r *rows) AppliedPolicies() []string { return r.applied }

func (r *rows) Columns() []engine.Column { return r.cols }
func (r *rows) Tag() string              { return "SELECT" }
func (r *rows) RowsAffected() int64      { return -1 }
func (r *rows) Values() []any            { return r.vals }
func (r *rows) Err() error               { return r.err }

func (r *rows) Next() bool {
	if r.err != nil || r.closed {
		return false
	}
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			r.err = mapError(err)
		}
		return false
	}
	vs, err := r.r.Values()
	if err != nil {
		r.err = mapError(err)
		return false
	}
	for i, v := range vs {
		vs[i] = normalize(v)
	}
	r.vals = vs
	return true
}

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.r.Close()
	if err := r.r.Err(); err != nil && r.err == nil {
		r.err = mapError(err)
	}
	return r.finish(r.err == nil)
}

// normalize turns pgx's values into engine.Rows' kinds: nil, bool, int64,
// float64, string (DECIMAL exactly), time.Time or []byte.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, time.Time, []byte:
		return v
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case pgtype.Numeric:
		return numericText(x)
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case pgtype.Time:
		return time.Time{}.Add(time.Duration(x.Microseconds) * time.Microsecond).Format("15:04:05.999999")
	case fmt.Stringer:
		return x.String()
	default:
		return fmt.Sprint(x)
	}
}

// numericText prints a NUMERIC exactly, with its scale.
func numericText(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	if n.NaN {
		return "NaN"
	}
	if n.InfinityModifier != pgtype.Finite {
		if n.InfinityModifier > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	v, err := n.Value()
	if err != nil {
		return new(big.Int).Set(n.Int).String()
	}
	s, _ := v.(string)
	return s
}

// typeName names a result column's type as the engines do ("VARCHAR",
// "DECIMAL(10,2)", "BIGINT", …).
func typeName(oid uint32, mod int32) string {
	switch oid {
	case pgtype.BoolOID:
		return "BOOLEAN"
	case pgtype.Int2OID:
		return "SMALLINT"
	case pgtype.Int4OID:
		return "INTEGER"
	case pgtype.Int8OID:
		return "BIGINT"
	case pgtype.Float4OID:
		return "REAL"
	case pgtype.Float8OID:
		return "DOUBLE"
	case pgtype.NumericOID:
		if mod >= 4 {
			return fmt.Sprintf("DECIMAL(%d,%d)", (mod-4)>>16, (mod-4)&0xffff)
		}
		return "DECIMAL"
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.NameOID, pgtype.UnknownOID:
		return "VARCHAR"
	case pgtype.BPCharOID:
		return "CHAR"
	case pgtype.DateOID:
		return "DATE"
	case pgtype.TimestampOID:
		return "TIMESTAMP"
	case pgtype.TimestamptzOID:
		return "TIMESTAMPTZ"
	case pgtype.TimeOID:
		return "TIME"
	case pgtype.ByteaOID:
		return "VARBYTE"
	case pgtype.IntervalOID:
		return "INTERVAL"
	}
	return "VARCHAR"
}

// finisher ends a read's transaction and releases its connection.
func finisher(ctx context.Context, tx pgx.Tx, release func()) func(ok bool) error {
	return func(ok bool) error {
		defer release()
		if ok {
			if err := tx.Commit(ctx); err != nil {
				return mapError(err)
			}
			return nil
		}
		return tx.Rollback(context.WithoutCancel(ctx))
	}
}
