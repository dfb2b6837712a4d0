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
	r      pgx.Rows
	cols   []engine.Column
	vals   []any
	err    error
	finish func(ok bool) error
	mapErr func(error) error
	closed bool
	// primed holds the first row, read before the rows were handed out.
	primed, havePrimed bool
	applied            []engine.AppliedPolicy
}

var _ engine.PolicyReporter = (*rows)(nil)

func newRows(r pgx.Rows, finish func(ok bool) error, mapErr func(error) error) *rows {
	out := &rows{r: r, finish: finish, mapErr: mapErr}
	for _, f := range r.FieldDescriptions() {
		out.cols = append(out.cols, engine.Column{Name: f.Name, Type: columnType(f.DataTypeOID, f.TypeModifier)})
	}
	return out
}

// AppliedPolicies implements engine.PolicyReporter.
func (r *rows) AppliedPolicies() []engine.AppliedPolicy { return r.applied }

func (r *rows) Columns() []engine.Column { return r.cols }
func (r *rows) Tag() string              { return "SELECT" }
func (r *rows) RowsAffected() int64      { return -1 }
func (r *rows) Values() []any            { return r.vals }
func (r *rows) Err() error               { return r.err }

// prime reads the first row, so that an error PostgreSQL raises when the
// statement starts (a permission denied, a data exception on the first
// rows) is the statement's error rather than a failure mid-stream, and
// the columns are known before the first row.
func (r *rows) prime() error {
	r.primed = r.next()
	r.havePrimed = true
	if r.err != nil {
		err := r.err
		r.Close()
		return err
	}
	if len(r.cols) == 0 {
		for _, f := range r.r.FieldDescriptions() {
			r.cols = append(r.cols, engine.Column{Name: f.Name, Type: columnType(f.DataTypeOID, f.TypeModifier)})
		}
	}
	return nil
}

func (r *rows) Next() bool {
	if r.havePrimed {
		r.havePrimed = false
		return r.primed
	}
	return r.next()
}

func (r *rows) next() bool {
	if r.err != nil || r.closed {
		return false
	}
	if !r.r.Next() {
		if err := r.r.Err(); err != nil {
			r.err = r.mapErr(err)
		}
		return false
	}
	vs, err := r.r.Values()
	if err != nil {
		r.err = r.mapErr(err)
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
		r.err = r.mapErr(err)
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

// columnType maps a result column's PostgreSQL type to the engine-neutral
// type the bindings see.
func columnType(oid uint32, mod int32) engine.Type {
	switch oid {
	case pgtype.BoolOID:
		return engine.Type{Kind: engine.TypeBool}
	case pgtype.Int2OID:
		return engine.Type{Kind: engine.TypeSmallInt}
	case pgtype.Int4OID:
		return engine.Type{Kind: engine.TypeInt}
	case pgtype.Int8OID:
		return engine.Type{Kind: engine.TypeBigInt}
	case pgtype.Float4OID:
		return engine.Type{Kind: engine.TypeReal}
	case pgtype.Float8OID:
		return engine.Type{Kind: engine.TypeDouble}
	case pgtype.NumericOID:
		if mod >= 4 {
			return engine.Numeric(int((mod-4)>>16), int((mod-4)&0xffff))
		}
		return engine.Type{Kind: engine.TypeNumeric}
	case pgtype.VarcharOID:
		if mod >= 4 {
			return engine.Type{Kind: engine.TypeVarchar, Length: int(mod - 4)}
		}
		return engine.Type{Kind: engine.TypeVarchar}
	case pgtype.TextOID, pgtype.NameOID, pgtype.UnknownOID, pgtype.UUIDOID:
		return engine.Type{Kind: engine.TypeVarchar}
	case pgtype.BPCharOID:
		if mod >= 4 {
			return engine.Type{Kind: engine.TypeChar, Length: int(mod - 4)}
		}
		return engine.Type{Kind: engine.TypeChar}
	case pgtype.DateOID:
		return engine.Type{Kind: engine.TypeDate}
	case pgtype.TimestampOID:
		return engine.Type{Kind: engine.TypeTimestamp}
	case pgtype.TimestamptzOID:
		return engine.Type{Kind: engine.TypeTimestampTZ}
	case pgtype.TimeOID:
		return engine.Type{Kind: engine.TypeTime}
	case pgtype.ByteaOID:
		return engine.Type{Kind: engine.TypeVarbyte}
	case pgtype.IntervalOID:
		return engine.Type{Kind: engine.TypeInterval}
	case pgtype.JSONOID, pgtype.JSONBOID:
		return engine.Type{Kind: engine.TypeSuper}
	}
	return engine.Type{Kind: engine.TypeUnknown}
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

// constRows is a result computed in Go (a reduced EXPLAIN plan).
type constRows struct {
	cols []engine.Column
	data [][]any
	i    int
}

func newConstRows(cols []engine.Column, data [][]any) *constRows {
	return &constRows{cols: cols, data: data, i: -1}
}

func (c *constRows) Columns() []engine.Column { return c.cols }
func (c *constRows) Next() bool               { c.i++; return c.i < len(c.data) }
func (c *constRows) Values() []any            { return c.data[c.i] }
func (c *constRows) Err() error               { return nil }
func (c *constRows) Close() error             { return nil }
func (c *constRows) Tag() string              { return "EXPLAIN" }
func (c *constRows) RowsAffected() int64      { return -1 }
