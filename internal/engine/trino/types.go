package trino

import (
	"strconv"
	"strings"

	"github.com/tipgate/tipgate/internal/engine"
)

// trinoType spells a Redshift column type in Trino's Iceberg types (no
// SMALLINT, CHAR or bounded VARCHAR there: the nearest wider type).
func trinoType(t string) string {
	u := strings.ToUpper(strings.TrimSpace(t))
	base, args, _ := strings.Cut(u, "(")
	base = strings.TrimSpace(base)
	switch base {
	case "SMALLINT", "INT2", "INT", "INTEGER", "INT4":
		return "integer"
	case "BIGINT", "INT8":
		return "bigint"
	case "DECIMAL", "NUMERIC":
		if args != "" {
			return "decimal(" + args
		}
		return "decimal(18,0)"
	case "REAL", "FLOAT4":
		return "real"
	case "DOUBLE PRECISION", "FLOAT8", "FLOAT", "DOUBLE":
		return "double"
	case "BOOLEAN", "BOOL":
		return "boolean"
	case "CHAR", "CHARACTER", "NCHAR", "BPCHAR", "VARCHAR", "CHARACTER VARYING", "NVARCHAR", "TEXT":
		return "varchar"
	case "DATE":
		return "date"
	case "TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE":
		return "timestamp(6)"
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		return "timestamp(6) with time zone"
	case "VARBYTE", "VARBINARY", "BINARY VARYING":
		return "varbinary"
	}
	return strings.ToLower(t)
}

// redshiftType names a Trino type as Redshift does.
func redshiftType(t string) string {
	base, args, _ := strings.Cut(strings.ToLower(t), "(")
	switch base {
	case "varchar", "char":
		return "VARCHAR"
	case "integer":
		return "INTEGER"
	case "smallint", "tinyint":
		return "SMALLINT"
	case "bigint":
		return "BIGINT"
	case "decimal":
		return "DECIMAL(" + args
	case "double":
		return "DOUBLE PRECISION"
	case "real":
		return "REAL"
	case "boolean":
		return "BOOLEAN"
	case "date":
		return "DATE"
	case "timestamp":
		if strings.Contains(args, "with time zone") {
			return "TIMESTAMPTZ"
		}
		return "TIMESTAMP"
	case "varbinary":
		return "VARBYTE"
	case "unknown":
		return `"NULL"`
	}
	return strings.ToUpper(t)
}

// engineType maps a Trino result column type to tipgate's.
func engineType(t string) engine.Type {
	base, args, _ := strings.Cut(strings.ToLower(t), "(")
	args = strings.TrimSuffix(args, ")")
	switch base {
	case "boolean":
		return engine.Type{Kind: engine.TypeBool}
	case "tinyint", "smallint":
		return engine.Type{Kind: engine.TypeSmallInt}
	case "integer":
		return engine.Type{Kind: engine.TypeInt}
	case "bigint":
		return engine.Type{Kind: engine.TypeBigInt}
	case "decimal":
		p, s, _ := strings.Cut(args, ",")
		pi, _ := strconv.Atoi(strings.TrimSpace(p))
		si, _ := strconv.Atoi(strings.TrimSpace(s))
		return engine.Numeric(pi, si)
	case "real":
		return engine.Type{Kind: engine.TypeReal}
	case "double":
		return engine.Type{Kind: engine.TypeDouble}
	case "varchar":
		n, _ := strconv.Atoi(args)
		return engine.Type{Kind: engine.TypeVarchar, Length: n}
	case "char":
		n, _ := strconv.Atoi(args)
		return engine.Type{Kind: engine.TypeChar, Length: n}
	case "date":
		return engine.Type{Kind: engine.TypeDate}
	case "time":
		return engine.Type{Kind: engine.TypeTime}
	case "timestamp":
		if strings.Contains(t, "with time zone") {
			return engine.Type{Kind: engine.TypeTimestampTZ}
		}
		return engine.Type{Kind: engine.TypeTimestamp}
	case "varbinary":
		return engine.Type{Kind: engine.TypeVarbyte}
	case "array", "map", "row", "json":
		return engine.Type{Kind: engine.TypeSuper}
	}
	return engine.Type{Kind: engine.TypeUnknown}
}
