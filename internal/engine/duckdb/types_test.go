package duckdb

import (
	"testing"

	"github.com/tipgate/tipgate/internal/engine"
)

func TestColumnType(t *testing.T) {
	for in, want := range map[string]string{
		"INTEGER": "integer", "HUGEINT": "numeric(38,0)", "UBIGINT": "numeric(20,0)", "UINTEGER": "bigint",
		"TINYINT": "smallint", "DECIMAL(18,3)": "numeric(18,3)", "VARCHAR": "character varying", "FLOAT": "real",
		"DOUBLE": "double precision", "TIMESTAMP_NS": "timestamp without time zone", "TIMESTAMPTZ": "timestamp with time zone",
		"BLOB": "varbyte", "UUID": "character varying", "INTEGER[]": "super", "STRUCT(a INTEGER)": "super",
		"MAP(VARCHAR, INTEGER)": "super", "JSON": "super", "ENUM('a', 'b')": "character varying", "DATE": "date",
	} {
		if got := columnType(in).Name(); got != want {
			t.Errorf("columnType(%q) = %s, want %s", in, got, want)
		}
	}
	if columnType("INTEGER").Kind != engine.TypeInt {
		t.Error("INTEGER is not TypeInt")
	}
}
