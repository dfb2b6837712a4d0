package trino

import (
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	o, err := ParseDSN("https://tipgate:s3cr%40t@trino.example:8443/iceberg/sales?rules_path=/etc/trino/rules.json&store=postgres%3A%2F%2Ftg%40db%2Ftipgate&ca_cert=/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	want := Options{URL: "https://trino.example:8443", User: "tipgate", Password: "s3cr@t", Catalog: "iceberg", Schema: "sales",
		RulesPath: "/etc/trino/rules.json", StoreDSN: "postgres://tg@db/tipgate", CACert: "/ca.pem"}
	if o.URL != want.URL || o.User != want.User || o.Password != want.Password || o.Catalog != want.Catalog ||
		o.Schema != want.Schema || o.RulesPath != want.RulesPath || o.StoreDSN != want.StoreDSN || o.CACert != want.CACert {
		t.Fatalf("got %+v", o)
	}
	for _, bad := range []string{
		"http://tipgate:pw@h:8080/iceberg/s?rules_path=/r&store=postgres://x",
		"https://tipgate:pw@h:8443/iceberg?rules_path=/r&store=postgres://x",
		"https://h:8443/iceberg/s?rules_path=/r&store=postgres://x",
		"https://tipgate:pw@h:8443/iceberg/s?store=postgres://x",
		"https://tipgate:pw@h:8443/iceberg/s?rules_path=/r&store=postgres://x&user=admin",
	} {
		_, err := ParseDSN(bad)
		if err == nil {
			t.Errorf("%s: accepted", bad)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: error quotes the password: %v", bad, err)
		}
	}
}
