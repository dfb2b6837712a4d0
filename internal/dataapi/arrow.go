package dataapi

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/tipgate/tipgate/internal/identity"
)

// CheckArrow reports whether WriteArrow can stream the result, so a
// binding can refuse before it writes the first byte, and the stream's
// length, so the binding can send it (a body of known length goes out
// unchunked: from a file, by sendfile).
func (s *Service) CheckArrow(ctx context.Context, p identity.Principal, id string) (int64, error) {
	_, res, err := s.result(ctx, p, id, false, 0)
	if err != nil {
		return 0, err
	}
	return res.size + int64(len(arrowEOS)), nil
}

// arrowEOS ends an Arrow IPC stream (continuation marker, zero length).
var arrowEOS = []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}

// WriteArrow streams a finished result, of either ResultFormat, as an
// Arrow IPC stream with one record batch per page: the stored bytes as they
// are (never re-run, never re-encoded), then the end-of-stream marker.
func (s *Service) WriteArrow(ctx context.Context, p identity.Principal, id string, w io.Writer) error {
	_, res, err := s.result(ctx, p, id, false, 0)
	if err != nil {
		return err
	}
	if _, err := res.writeTo(ctx, w); err != nil {
		return fmt.Errorf("dataapi: write arrow: %w", err)
	}
	if _, err := w.Write(arrowEOS); err != nil {
		return fmt.Errorf("dataapi: write arrow: %w", err)
	}
	return nil
}

// arrowSchema is the stored result's schema: the engine-neutral types
// Arrow has a type for keep it (so an Arrow client gets numbers, decimals
// and timestamps); the rest are text, as the Data API's JSON shows them.
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
