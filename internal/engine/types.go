package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// TypeKind is a value type as tipgate's interfaces know it, whatever the
// engine: Redshift's types. An engine maps its own type names to these
// (a DuckDB HUGEINT is a NUMERIC(38,0), a PostgreSQL text a VARCHAR), and
// the bindings (the Data API's column metadata, the CLI, the dashboard)
// only ever see a Type.
type TypeKind int

const (
	// TypeUnknown is a type the engine could not map; values travel as text.
	TypeUnknown TypeKind = iota
	TypeBool
	TypeSmallInt
	TypeInt
	TypeBigInt
	TypeNumeric
	TypeReal
	TypeDouble
	TypeChar
	TypeVarchar
	TypeDate
	TypeTime
	TypeTimeTZ
	TypeTimestamp
	TypeTimestampTZ
	TypeInterval
	TypeVarbyte
	// TypeSuper holds nested values (Redshift's SUPER): structs, lists,
	// maps and JSON, rendered as JSON text.
	TypeSuper
)

// Type is a column's type. Precision and Scale are set for NUMERIC, Length
// for CHAR and VARCHAR when the engine knows them (0: unbounded or unknown).
type Type struct {
	Kind      TypeKind
	Precision int
	Scale     int
	Length    int
}

// Numeric is NUMERIC(precision, scale).
func Numeric(precision, scale int) Type {
	return Type{Kind: TypeNumeric, Precision: precision, Scale: scale}
}

// Name spells the type as Redshift's catalog does (format_type), e.g.
// "integer", "numeric(10,2)", "character varying(256)".
func (t Type) Name() string {
	switch t.Kind {
	case TypeBool:
		return "boolean"
	case TypeSmallInt:
		return "smallint"
	case TypeInt:
		return "integer"
	case TypeBigInt:
		return "bigint"
	case TypeNumeric:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case TypeReal:
		return "real"
	case TypeDouble:
		return "double precision"
	case TypeChar:
		return withLength("character", t.Length)
	case TypeVarchar:
		return withLength("character varying", t.Length)
	case TypeDate:
		return "date"
	case TypeTime:
		return "time without time zone"
	case TypeTimeTZ:
		return "time with time zone"
	case TypeTimestamp:
		return "timestamp without time zone"
	case TypeTimestampTZ:
		return "timestamp with time zone"
	case TypeInterval:
		return "interval"
	case TypeVarbyte:
		return "varbyte"
	case TypeSuper:
		return "super"
	}
	return "unknown"
}

func (t Type) String() string { return t.Name() }

func withLength(base string, n int) string {
	if n > 0 {
		return base + "(" + strconv.Itoa(n) + ")"
	}
	return base
}

// ParseType reads a type name in the spellings Redshift, PostgreSQL and
// standard SQL share ("INTEGER", "int4", "DECIMAL(10,2)", "character
// varying(20)", "TIMESTAMP WITH TIME ZONE", "varbyte"). A name it does not
// know is TypeUnknown; engines map their own names first.
func ParseType(name string) Type {
	u := strings.ToLower(strings.Join(strings.Fields(name), " "))
	base, args, _ := strings.Cut(u, "(")
	base = strings.TrimSpace(base)
	var nums []int
	if args != "" {
		for _, a := range strings.Split(strings.TrimSuffix(strings.TrimSpace(args), ")"), ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				return Type{}
			}
			nums = append(nums, n)
		}
	}
	arg := func(i int) int {
		if i < len(nums) {
			return nums[i]
		}
		return 0
	}
	switch base {
	case "bool", "boolean":
		return Type{Kind: TypeBool}
	case "smallint", "int2":
		return Type{Kind: TypeSmallInt}
	case "int", "int4", "integer":
		return Type{Kind: TypeInt}
	case "bigint", "int8":
		return Type{Kind: TypeBigInt}
	case "decimal", "numeric":
		return Numeric(arg(0), arg(1))
	case "real", "float4":
		return Type{Kind: TypeReal}
	case "double", "double precision", "float8", "float":
		return Type{Kind: TypeDouble}
	case "char", "character", "nchar", "bpchar":
		return Type{Kind: TypeChar, Length: arg(0)}
	case "varchar", "character varying", "nvarchar", "text", "string":
		return Type{Kind: TypeVarchar, Length: arg(0)}
	case "date":
		return Type{Kind: TypeDate}
	case "time", "time without time zone":
		return Type{Kind: TypeTime}
	case "timetz", "time with time zone":
		return Type{Kind: TypeTimeTZ}
	case "timestamp", "timestamp without time zone":
		return Type{Kind: TypeTimestamp}
	case "timestamptz", "timestamp with time zone":
		return Type{Kind: TypeTimestampTZ}
	case "interval":
		return Type{Kind: TypeInterval}
	case "varbyte", "varbinary", "binary varying", "bytea":
		return Type{Kind: TypeVarbyte}
	case "super", "json", "jsonb":
		return Type{Kind: TypeSuper}
	}
	return Type{}
}
