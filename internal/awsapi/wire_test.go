package awsapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/dataapi"
)

// TestWireTypesMirror: each wire type has its dataapi type's members, in
// order, with the same JSON tags; only time.Time becomes epochTime. A
// member added to a dataapi output without its wire twin fails here.
func TestWireTypesMirror(t *testing.T) {
	for _, tc := range []struct{ model, wire reflect.Type }{
		{reflect.TypeFor[dataapi.ExecuteOutput](), reflect.TypeFor[executeOutputWire]()},
		{reflect.TypeFor[dataapi.DescribeOutput](), reflect.TypeFor[describeOutputWire]()},
		{reflect.TypeFor[dataapi.SubStatement](), reflect.TypeFor[subStatementWire]()},
	} {
		if tc.model.NumField() != tc.wire.NumField() {
			t.Fatalf("%s has %d fields, %s %d", tc.model, tc.model.NumField(), tc.wire, tc.wire.NumField())
		}
		for i := range tc.model.NumField() {
			m, w := tc.model.Field(i), tc.wire.Field(i)
			if m.Name != w.Name || m.Tag.Get("json") != w.Tag.Get("json") {
				t.Errorf("%s field %d: %s %q, wire %s %q", tc.model, i, m.Name, m.Tag.Get("json"), w.Name, w.Tag.Get("json"))
			}
			want := m.Type
			switch want {
			case reflect.TypeFor[time.Time]():
				want = reflect.TypeFor[epochTime]()
			case reflect.TypeFor[[]dataapi.SubStatement]():
				want = reflect.TypeFor[[]subStatementWire]()
			}
			if w.Type != want {
				t.Errorf("%s.%s: wire type %s, want %s", tc.model, m.Name, w.Type, want)
			}
		}
	}
}

// TestEncodeMatchesGeneric: the typed encoding of each statement output is
// the JSON value encodeGeneric gives (members in another order only).
func TestEncodeMatchesGeneric(t *testing.T) {
	created := time.Date(2026, 12, 4, 14, 31, 5, 123456789, time.UTC)
	updated := created.Add(1500 * time.Microsecond).In(time.FixedZone("x", 3600))
	yes := true
	no := false
	for _, v := range []any{
		&dataapi.ExecuteOutput{ID: "a", CreatedAt: created},
		&dataapi.ExecuteOutput{ID: "b", CreatedAt: created, ClusterIdentifier: "c", WorkgroupName: "w", Database: "dev", DbUser: "IAMR:x@y",
			DbGroups: []string{"g<1>", "g&2"}, SessionID: "s", Status: "FINISHED", HasResultSet: &yes},
		&dataapi.ExecuteOutput{ID: "c", HasResultSet: &no},
		&dataapi.DescribeOutput{ID: "d", Status: "FAILED", CreatedAt: created, UpdatedAt: updated, Error: "ERROR: \"x\"\n", SqlState: "42601",
			ResultRows: -1, ResultSize: -1, QueryString: "SELECT '\u2028'", QueryParameters: []dataapi.Parameter{{Name: "n", Value: "v"}}},
		&dataapi.DescribeOutput{ID: "e", Status: "FINISHED", Duration: 12345, HasResultSet: true, ResultFormat: "CSV", SessionID: "s",
			SubStatements: []dataapi.SubStatement{
				{ID: "e:1", Status: "FINISHED", QueryString: "SELECT 1", CreatedAt: created, UpdatedAt: updated, ResultRows: 1, ResultSize: 10, HasResultSet: true},
				{ID: "e:2", Status: "FAILED", Error: "boom", SqlState: "XX000", ResultRows: -1, ResultSize: -1},
			}, Database: "dev", DbUser: "u", ClusterIdentifier: "c", WorkgroupName: "w"},
	} {
		fast, err := encodeAWS([]byte("prefix"), v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(fast, []byte("prefix")) {
			t.Fatalf("encodeAWS did not append: %s", fast)
		}
		fast = fast[len("prefix"):]
		slow, err := encodeGeneric(v)
		if err != nil {
			t.Fatal(err)
		}
		if canonical(t, fast) != canonical(t, slow) {
			t.Errorf("%T:\n typed   %s\n generic %s", v, fast, slow)
		}
	}
}

func canonical(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
