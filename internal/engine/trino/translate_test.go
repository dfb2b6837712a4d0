package trino

import "testing"

func TestTranslate(t *testing.T) {
	cases := []struct{ in, want string }{
		{"timezone LIKE 'Asia%'", "timezone LIKE 'Asia%'"},
		{"split_part(sku, '-', 1) || '-****-' || right(sku, 4)",
			"split_part(sku, '-', 1) || '-****-' || substr(sku, greatest(length(sku) - (4) + 1, 1))"},
		{"owner = current_user", "owner = 'AWSIDC:o''brien@example.com'"},
		{"'current_user' = CURRENT_USER", "'current_user' = 'AWSIDC:o''brien@example.com'"},
		{"nvl(a, len(right(b, 2)))", "coalesce(a, length(substr(b, greatest(length(b) - (2) + 1, 1))))"},
		{"region IN (SELECT r FROM lookup WHERE u = session_user)", "region IN (SELECT r FROM lookup WHERE u = 'AWSIDC:o''brien@example.com')"},
		{`"right"(x)`, `"right"(x)`},
		{"'#####'::VARCHAR(40)", "CAST('#####' AS varchar)"},
		{"a::int = 1 AND (b || 'x')::double precision > t.c::numeric(10, 2)",
			"CAST(a AS integer) = 1 AND CAST((b || 'x') AS double) > CAST(t.c AS decimal(10, 2))"},
		{"upper(x)::text || y", "CAST(upper(x) AS varchar) || y"},
	}
	for _, c := range cases {
		got, err := translate(c.in, "AWSIDC:o'brien@example.com")
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.in, got, c.want)
		}
	}
	if _, err := translate("1 + ::int", "u"); err == nil {
		t.Error("a cast of nothing translated")
	}
}

func TestQualify(t *testing.T) {
	got, err := qualify(`a.region = 'x' AND EXISTS (SELECT 1 FROM lookup l WHERE l.region = A.region AND l.a = 1) AND "a".id > 0`, "a", "sales")
	if err != nil {
		t.Fatal(err)
	}
	want := `"sales".region = 'x' AND EXISTS (SELECT 1 FROM lookup l WHERE l.region = "sales".region AND l.a = 1) AND "sales".id > 0`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
