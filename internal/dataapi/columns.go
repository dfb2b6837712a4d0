package dataapi

import "github.com/tipgate/tipgate/internal/engine"

// columnMetadata describes result columns with Redshift's type names.
func columnMetadata(cols []engine.Column) []ColumnMetadata {
	out := make([]ColumnMetadata, 0, len(cols))
	for _, c := range cols {
		m := ColumnMetadata{Name: c.Name, Label: c.Name, Nullable: 1}
		t := c.Type
		switch t.Kind {
		case engine.TypeInt:
			m.TypeName, m.IsSigned, m.Precision = "int4", true, 10
		case engine.TypeBigInt:
			m.TypeName, m.IsSigned, m.Precision = "int8", true, 19
		case engine.TypeSmallInt:
			m.TypeName, m.IsSigned, m.Precision = "int2", true, 5
		case engine.TypeDouble:
			m.TypeName, m.IsSigned, m.Precision = "float8", true, 17
		case engine.TypeReal:
			m.TypeName, m.IsSigned, m.Precision = "float4", true, 8
		case engine.TypeNumeric:
			m.TypeName, m.IsSigned, m.Precision, m.Scale = "numeric", true, t.Precision, t.Scale
		case engine.TypeBool:
			m.TypeName, m.Precision = "bool", 1
		case engine.TypeDate:
			m.TypeName, m.Precision = "date", 13
		case engine.TypeTimestamp:
			m.TypeName, m.Precision, m.Scale = "timestamp", 29, 6
		case engine.TypeTimestampTZ:
			m.TypeName, m.Precision, m.Scale = "timestamptz", 35, 6
		case engine.TypeVarbyte:
			m.TypeName = "varbyte"
		case engine.TypeSuper:
			m.TypeName, m.IsCaseSensitive = "super", true
		case engine.TypeChar:
			m.TypeName, m.IsCaseSensitive, m.Precision, m.Length = "bpchar", true, t.Length, t.Length
		default:
			m.TypeName, m.IsCaseSensitive, m.Precision = "varchar", true, 65535
			if t.Length > 0 {
				m.Precision, m.Length = t.Length, t.Length
			}
		}
		out = append(out, m)
	}
	return out
}

// ColumnType is the engine-neutral type the metadata describes, for a
// client that turns a Data API result back into engine rows.
func (m ColumnMetadata) ColumnType() engine.Type {
	switch m.TypeName {
	case "bpchar":
		return engine.Type{Kind: engine.TypeChar, Length: m.Length}
	case "varchar":
		return engine.Type{Kind: engine.TypeVarchar, Length: m.Length}
	case "numeric":
		return engine.Numeric(m.Precision, m.Scale)
	}
	return engine.ParseType(m.TypeName)
}
