package dataapi

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/tipgate/tipgate/internal/identity"
)

// CheckArrow reports whether WriteArrow can stream the result, so a
// binding can refuse before it writes the first byte.
func (s *Service) CheckArrow(ctx context.Context, p identity.Principal, id string) error {
	_, res, err := s.result(ctx, p, id, 0)
	if err != nil {
		return err
	}
	if res.format != "JSON" {
		return validation("Arrow streams are made from JSON-format results; run the statement without ResultFormat CSV")
	}
	return nil
}

// WriteArrow streams a finished JSON-format result as an Arrow IPC stream,
// one record batch per page, read from the result file (never re-run).
func (s *Service) WriteArrow(ctx context.Context, p identity.Principal, id string, w io.Writer) error {
	_, res, err := s.result(ctx, p, id, 0)
	if err != nil {
		return err
	}
	if res.format != "JSON" {
		return validation("Arrow streams are made from JSON-format results; run the statement without ResultFormat CSV")
	}
	schema := arrowSchema(res.columns)
	wr := ipc.NewWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(memory.DefaultAllocator))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := range res.pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		recs, _, err := res.page(ctx, i)
		if err != nil {
			return err
		}
		for _, row := range recs {
			for c, f := range row {
				appendField(b.Field(c), f)
			}
		}
		rec := b.NewRecordBatch()
		err = wr.Write(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("dataapi: write arrow: %w", err)
		}
	}
	return wr.Close()
}

func arrowSchema(cols []ColumnMetadata) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		var t arrow.DataType
		switch c.TypeName {
		case "int2", "int4", "int8":
			t = arrow.PrimitiveTypes.Int64
		case "float4", "float8":
			t = arrow.PrimitiveTypes.Float64
		case "bool":
			t = arrow.FixedWidthTypes.Boolean
		case "numeric":
			if c.Precision > 0 && c.Precision <= 38 {
				t = &arrow.Decimal128Type{Precision: int32(c.Precision), Scale: int32(c.Scale)}
			} else {
				t = arrow.BinaryTypes.String
			}
		case "timestamp":
			t = &arrow.TimestampType{Unit: arrow.Microsecond}
		case "varbyte":
			t = arrow.BinaryTypes.Binary
		default:
			t = arrow.BinaryTypes.String
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func appendField(b array.Builder, f Field) {
	if f.IsNull != nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.Int64Builder:
		if f.LongValue != nil {
			bb.Append(*f.LongValue)
			return
		}
	case *array.Float64Builder:
		if f.DoubleValue != nil {
			bb.Append(*f.DoubleValue)
			return
		}
	case *array.BooleanBuilder:
		if f.BooleanValue != nil {
			bb.Append(*f.BooleanValue)
			return
		}
	case *array.Decimal128Builder:
		if f.StringValue != nil {
			dt := bb.Type().(*arrow.Decimal128Type)
			if v, err := decimal128.FromString(*f.StringValue, dt.Precision, dt.Scale); err == nil {
				bb.Append(v)
				return
			}
		}
	case *array.TimestampBuilder:
		if f.StringValue != nil {
			layout := "2006-01-02 15:04:05"
			if strings.Contains(*f.StringValue, ".") {
				layout = "2006-01-02 15:04:05.999999"
			}
			if t, err := time.Parse(layout, *f.StringValue); err == nil {
				bb.Append(arrow.Timestamp(t.UnixMicro()))
				return
			}
		}
	case *array.BinaryBuilder:
		bb.Append(f.BlobValue)
		return
	case *array.StringBuilder:
		if f.StringValue != nil {
			bb.Append(*f.StringValue)
			return
		}
	}
	// A value that does not fit its column's type would be a bug upstream;
	// NULL is safer than a wrong value.
	b.AppendNull()
}
