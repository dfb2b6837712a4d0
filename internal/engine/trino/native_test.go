package trino_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine"
	"github.com/tipgate/tipgate/internal/engine/conformance"
	"github.com/tipgate/tipgate/internal/engine/trino"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/testenv/trinoserver"
)

func TestMain(m *testing.M) { os.Exit(trinoserver.Main(m)) }

var schemaSeq = 0

// newBackend opens the engine on its own schema of the test binary's
// cluster and its own store database.
func newBackend(t testing.TB, sys *engine.SystemViews, s3Root string) (*trino.Engine, *trinoserver.Cluster, string) {
	t.Helper()
	c := trinoserver.Start(t)
	db := c.PG.NewDatabase(t)
	schemaSeq++
	schema := db + "_w"
	e, err := trino.Open(context.Background(), trino.Options{
		URL: c.URL, User: trinoserver.ServiceUser, Password: c.ServicePassword, CACert: c.CACert,
		Catalog: trinoserver.Warehouse, Schema: schema, WriteRules: c.Rules().Writer(schema),
		StoreDSN: c.PG.URL(db), S3Root: s3Root, System: sys,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.Close()
		_, _ = c.DB(t, trinoserver.Warehouse, "").Exec("DROP SCHEMA " + trinoserver.Warehouse + "." + schema + " CASCADE")
	})
	return e, c, schema
}

// TestNativeEnforcement (acceptance 2): the reference policies, compiled
// into Trino's rules; a Trino client that signs in as the service user and
// impersonates ming (tipgate not in the path) sees only Asian rows and
// masked SKUs; another user that tries to impersonate is refused.
func TestNativeEnforcement(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	src := filepath.Join(root, filepath.FromSlash(demo.SourceKey))
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := gendata.WriteCSV(ctx, f, gendata.Options{Rows: 2000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sys := engine.NewSystemViews(nil)
	b, c, schema := newBackend(t, sys, root)
	e := engine.New(b, sys)
	if err := engine.Run(ctx, e, identity.LocalSuperuser(), demo.PolicyScript); err != nil {
		t.Fatal(err)
	}
	ming, _ := identity.Simulated("ming@example.com", identity.DefaultNamespace, []string{"apac-sales"})
	got, err := conformance.Collect(ctx, e, ming, "SELECT count(*), count(*) FILTER (WHERE timezone NOT LIKE 'Asia%') FROM sales_data")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("through tipgate, ming: %v", got)
	// A new principal's first statement writes its rules and waits for
	// Trino to load them; its second runs at once.
	alex, _ := identity.Simulated("alex@example.com", identity.DefaultNamespace, []string{"emea-sales"})
	for _, which := range []string{"first", "second"} {
		start := time.Now()
		if _, err := conformance.Collect(ctx, e, alex, "SELECT count(*) FROM sales_data WHERE timezone LIKE 'Europe%'"); err != nil {
			t.Fatal(err)
		}
		t.Logf("alex's %s statement: %s", which, time.Since(start).Round(time.Millisecond))
	}
	if _, err := conformance.Collect(ctx, e, alex, "SELECT * FROM sales_data"); err == nil || !strings.Contains(err.Error(), "permission denied for relation sales_data") {
		t.Fatalf("alex's SELECT * (population not granted): %v", err)
	}

	svc := c.DB(t, trinoserver.Warehouse, schema)
	var total, asia int64
	if err := svc.QueryRow("SELECT count(*), count_if(timezone LIKE 'Asia%') FROM sales_data").Scan(&total, &asia); err != nil {
		t.Fatal(err)
	}
	if asia == 0 || asia == total {
		t.Fatalf("test data: %d rows, %d Asian", total, asia)
	}
	as := sql.Named("X-Trino-User", ming.User)
	var n, other int64
	if err := svc.QueryRow("SELECT count(*), count_if(timezone NOT LIKE 'Asia%') FROM sales_data", as).Scan(&n, &other); err != nil {
		t.Fatal(err)
	}
	if n != asia || other != 0 {
		t.Fatalf("ming directly: %d rows (%d not Asian), want %d Asian rows", n, other, asia)
	}
	var sku string
	if err := svc.QueryRow("SELECT sku FROM sales_data LIMIT 1", as).Scan(&sku); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sku, "-****-") {
		t.Fatalf("ming directly: sku %q is not masked", sku)
	}
	// Someone whose rules tipgate never wrote sees nothing.
	if err := svc.QueryRow("SELECT count(*) FROM sales_data", sql.Named("X-Trino-User", "AWSIDC:eve@example.com")).Scan(&n); err == nil {
		t.Fatal("an unknown user read sales_data")
	}
	// Another signed-in user may not impersonate.
	other2, err := sql.Open("trino", c.UserDSN(trinoserver.OtherUser, c.OtherPassword, trinoserver.Warehouse, schema))
	if err != nil {
		t.Fatal(err)
	}
	defer other2.Close()
	err = other2.QueryRow("SELECT count(*) FROM sales_data", as).Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "cannot impersonate") {
		t.Fatalf("another user impersonating ming: %v", err)
	}
}
