package engine

import (
	"testing"
	"time"
)

func TestValuesQuery(t *testing.T) {
	typeName := func(ty Type) string { return ty.Name() }
	quote := func(s string) string { return `"` + s + `"` }
	cols := []Column{{Name: "name", Type: ParseType("varchar")}, {Name: "n", Type: ParseType("bigint")}, {Name: "at", Type: ParseType("timestamp")}}
	for _, tc := range []struct {
		name string
		rows [][]any
		want string
	}{
		{"rows, each value cast, quotes doubled", [][]any{{"o'brien", int64(3), time.Date(2026, 12, 4, 13, 0, 0, 500, time.UTC)}, {nil, 7, nil}},
			`SELECT CAST(c0 AS character varying) AS "name", CAST(c1 AS bigint) AS "n", CAST(c2 AS timestamp without time zone) AS "at" FROM (VALUES ` +
				`(CAST('o''brien' AS character varying), CAST(3 AS bigint), CAST(TIMESTAMP '2026-12-04 13:00:00' AS timestamp without time zone)), ` +
				`(CAST(NULL AS character varying), CAST(7 AS bigint), CAST(NULL AS timestamp without time zone))) AS v(c0, c1, c2)`},
		{"empty view keeps its columns and types", nil,
			`SELECT CAST(c0 AS character varying) AS "name", CAST(c1 AS bigint) AS "n", CAST(c2 AS timestamp without time zone) AS "at" FROM (VALUES ` +
				`(CAST(NULL AS character varying), CAST(NULL AS bigint), CAST(NULL AS timestamp without time zone))) AS v(c0, c1, c2) WHERE false`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ValuesQuery(SystemView{Name: "svv_x", Columns: cols, Rows: tc.rows}, typeName, quote); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
