package engine

import "testing"

func TestParseType(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Type
		name string
	}{
		{"INTEGER", Type{Kind: TypeInt}, "integer"},
		{"int4", Type{Kind: TypeInt}, "integer"},
		{"BIGINT", Type{Kind: TypeBigInt}, "bigint"},
		{"int2", Type{Kind: TypeSmallInt}, "smallint"},
		{"DECIMAL(10,2)", Numeric(10, 2), "numeric(10,2)"},
		{"numeric( 38 , 0 )", Numeric(38, 0), "numeric(38,0)"},
		{"NUMERIC", Numeric(0, 0), "numeric"},
		{"VARCHAR", Type{Kind: TypeVarchar}, "character varying"},
		{"character  varying(256)", Type{Kind: TypeVarchar, Length: 256}, "character varying(256)"},
		{"text", Type{Kind: TypeVarchar}, "character varying"},
		{"CHAR(2)", Type{Kind: TypeChar, Length: 2}, "character(2)"},
		{"DOUBLE", Type{Kind: TypeDouble}, "double precision"},
		{"float8", Type{Kind: TypeDouble}, "double precision"},
		{"FLOAT4", Type{Kind: TypeReal}, "real"},
		{"bool", Type{Kind: TypeBool}, "boolean"},
		{"DATE", Type{Kind: TypeDate}, "date"},
		{"TIMESTAMP", Type{Kind: TypeTimestamp}, "timestamp without time zone"},
		{"timestamp with time zone", Type{Kind: TypeTimestampTZ}, "timestamp with time zone"},
		{"TIMESTAMPTZ", Type{Kind: TypeTimestampTZ}, "timestamp with time zone"},
		{"varbyte", Type{Kind: TypeVarbyte}, "varbyte"},
		{"SUPER", Type{Kind: TypeSuper}, "super"},
		{"HUGEINT", Type{}, "unknown"},
		{"VARCHAR(x)", Type{}, "unknown"},
		{"", Type{}, "unknown"},
	} {
		got := ParseType(tc.in)
		if got != tc.want || got.Name() != tc.name {
			t.Errorf("ParseType(%q) = %+v %q, want %+v %q", tc.in, got, got.Name(), tc.want, tc.name)
		}
		if tc.want.Kind != TypeUnknown && ParseType(got.Name()) != got {
			t.Errorf("ParseType(%q).Name() = %q does not read back as itself", tc.in, got.Name())
		}
	}
}

func TestDatePart(t *testing.T) {
	for in, want := range map[string]string{"YRS": "year", " msec ": "millisecond", "dw": "dow", "usecs": "microsecond", "qtr": "quarter"} {
		if got, ok := DatePart(in); !ok || got != want {
			t.Errorf("DatePart(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := DatePart("fortnight"); ok {
		t.Error("an unknown part was accepted")
	}
}
