package duckdb

import (
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
)

// columnType maps a DuckDB type name, as the driver reports it, to the
// engine-neutral type the bindings see. DuckDB's own integer widths,
// unsigned types and nested types become the Redshift types that hold
// their values; the rest are spelt as Redshift spells them.
func columnType(name string) engine.Type {
	u := strings.ToUpper(strings.TrimSpace(name))
	switch {
	case strings.HasSuffix(u, "]"), strings.HasPrefix(u, "STRUCT"), strings.HasPrefix(u, "MAP"),
		strings.HasPrefix(u, "UNION"), u == "LIST", u == "JSON":
		return engine.Type{Kind: engine.TypeSuper}
	case strings.HasPrefix(u, "ENUM"):
		return engine.Type{Kind: engine.TypeVarchar}
	}
	switch u {
	case "TINYINT", "UTINYINT":
		return engine.Type{Kind: engine.TypeSmallInt}
	case "USMALLINT":
		return engine.Type{Kind: engine.TypeInt}
	case "UINTEGER":
		return engine.Type{Kind: engine.TypeBigInt}
	case "UBIGINT":
		return engine.Numeric(20, 0)
	case "HUGEINT", "UHUGEINT":
		return engine.Numeric(38, 0)
	case "VARINT", "BIGNUM":
		return engine.Type{Kind: engine.TypeNumeric}
	case "FLOAT":
		return engine.Type{Kind: engine.TypeReal}
	case "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return engine.Type{Kind: engine.TypeTimestamp}
	case "TIME WITH TIME ZONE", "TIMETZ":
		return engine.Type{Kind: engine.TypeTimeTZ}
	case "BLOB":
		return engine.Type{Kind: engine.TypeVarbyte}
	case "UUID", "BIT", "BITSTRING":
		return engine.Type{Kind: engine.TypeVarchar}
	}
	return engine.ParseType(u)
}

// duckTypeName spells an engine-neutral type in DuckDB's SQL.
func duckTypeName(t engine.Type) string {
	switch t.Kind {
	case engine.TypeBool:
		return "BOOLEAN"
	case engine.TypeSmallInt:
		return "SMALLINT"
	case engine.TypeInt:
		return "INTEGER"
	case engine.TypeBigInt:
		return "BIGINT"
	case engine.TypeNumeric:
		if t.Precision > 0 {
			return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
		}
		return "DECIMAL(38,10)"
	case engine.TypeReal:
		return "FLOAT"
	case engine.TypeDouble:
		return "DOUBLE"
	case engine.TypeDate:
		return "DATE"
	case engine.TypeTime:
		return "TIME"
	case engine.TypeTimeTZ:
		return "TIMETZ"
	case engine.TypeTimestamp:
		return "TIMESTAMP"
	case engine.TypeTimestampTZ:
		return "TIMESTAMPTZ"
	case engine.TypeInterval:
		return "INTERVAL"
	case engine.TypeVarbyte:
		return "BLOB"
	case engine.TypeSuper:
		return "JSON"
	}
	return "VARCHAR"
}
