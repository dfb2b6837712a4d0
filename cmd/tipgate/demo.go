package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/demo"
	"github.com/tipgate/tipgate/internal/engine/engines"
	"github.com/tipgate/tipgate/internal/gendata"
	"github.com/tipgate/tipgate/internal/identity"
)

// demoSummary is what each demo user is shown: their own slice.
const demoSummary = `SELECT split_part(timezone, '/', 1) AS region,
       count(*) AS orders,
       sum(quantity) AS units,
       sum(quantity * sales_price) AS revenue,
       count(DISTINCT country || '/' || city) AS cities
FROM sales_data
GROUP BY 1
ORDER BY revenue DESC`

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	dataDir := fs.String("data-dir", "./tipgate-data", "warehouse data directory (and, with --engine postgres, the demo's other files)")
	engineKind := fs.String("engine", "duckdb", "warehouse engine: duckdb (embedded), postgres or trino (both need --dsn)")
	dsn := fs.String("dsn", "", "the postgres engine's database (postgres://user@host:5432/database) or the trino engine's cluster (https://user:pw@host:8443/catalog/schema?rules_path=FILE&store=postgres://…, docs/trino.md)")
	rows := fs.Int64("rows", 1_000_000, "rows of generated sales data")
	seed := fs.Int64("seed", 1, "random seed of the generated data")
	serve := fs.Bool("serve", true, "then start the server with the embedded IdP (Ctrl-C stops it)")
	listen := fs.String("listen", "127.0.0.1:8080", "address the demo server listens on")
	password := fs.String("demo-password", "", "password of the five demo users (default: a random one, printed)")
	var more demoServeOptions
	fs.BoolVar(&more.TLS, "tls", false, "serve HTTPS with a local CA made once in the data directory (trust instructions are printed and written to demo.env)")
	fs.StringVar(&more.StoreDSN, "store-dsn", "", "replicas: serve as one of several replicas sharing this PostgreSQL store ([store] dsn; with --engine postgres)")
	fs.StringVar(&more.ReplicaID, "replica-id", "", "replicas: this replica's id ([store] replica_id)")
	fs.StringVar(&more.PublicURL, "public-url", "", "replicas: the load balancer's URL, which clients and the IdP's redirects use ([server] public_url)")
	fs.StringVar(&more.OktaListen, "okta-listen", "", "address of the embedded IdP's Okta-shaped endpoints (default: --listen's host, the next port)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*engineKind == "postgres" || *engineKind == "trino") != (*dsn != "") {
		return fmt.Errorf("demo: --dsn goes with --engine postgres or trino, and they need --dsn")
	}
	wh := engines.Config{Kind: *engineKind, DSN: *dsn}
	// A busy port is found before minutes of generating and loading, not after.
	var ln net.Listener
	if *serve {
		var err error
		if ln, err = net.Listen("tcp", *listen); err != nil {
			return fmt.Errorf("demo: cannot listen on %s (%w): is another tipgate demo running there? Stop it, or choose another address with --listen (127.0.0.1:0 picks a free port)", *listen, err)
		}
	}
	s3root := filepath.Join(*dataDir, "s3")
	if err := demoWarehouse(ctx, wh, *dataDir, s3root, *rows, *seed, stdout); err != nil {
		if ln != nil {
			ln.Close()
		}
		return err
	}
	if !*serve {
		return nil
	}
	if err := demoServe(ctx, wh, *dataDir, s3root, ln, *password, more, stdout, stderr); err != nil {
		ln.Close() // the server may never have taken it over
		return err
	}
	return nil
}

// demoWarehouse loads the reference scenario once and shows each demo
// user's slice.
func demoWarehouse(ctx context.Context, wh engines.Config, dataDir, s3root string, rows, seed int64, stdout io.Writer) error {
	eng, err := openWarehouse(ctx, engines.Config{Kind: wh.Kind, DSN: wh.DSN, DataDir: dataDir, S3Root: s3root}, true)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer eng.Close()
	if _, ok := eng.Catalog().Table("sales_data"); ok {
		fmt.Fprintf(stdout, "Using the existing warehouse in %s (delete the folder to start over; --rows and --seed apply only to a new one).\n\n", dataDir)
	} else {
		src := filepath.Join(s3root, filepath.FromSlash(demo.SourceKey))
		if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
			return err
		}
		start := time.Now()
		if err := gendata.WriteFile(ctx, src, gendata.Options{Rows: rows, Seed: seed}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Generated %d sales rows in %s: s3://%s (under %s)\n", rows, time.Since(start).Round(time.Millisecond), demo.SourceKey, s3root)
		start = time.Now()
		w, _ := newWriter("table", io.Discard)
		if err := runScript(ctx, eng, identity.LocalSuperuser(), demo.PolicyScript, w); err != nil {
			return fmt.Errorf("demo policy script: %w", err)
		}
		fmt.Fprintf(stdout, "Loaded the data and applied the reference policy script in %s.\n\n", time.Since(start).Round(time.Millisecond))
	}
	w, _ := newWriter("table", stdout)
	for _, u := range demo.Users() {
		p, err := identity.Simulated(u.Email, identity.DefaultNamespace, u.Groups)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "== %s (groups: %v) should see %s:\n", p.User, u.Groups, u.Sees)
		if err := runScript(ctx, eng, p, demoSummary, w); err != nil {
			// The security admin has no SELECT: the refusal is the point.
			fmt.Fprintln(stdout, refused(err))
		}
		fmt.Fprintln(stdout)
	}
	nobody, err := identity.Simulated("nobody@example.com", identity.DefaultNamespace, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "== %s (no groups) sees no rows:\n", nobody.User)
	if err := runScript(ctx, eng, nobody, "SELECT count(*) AS orders FROM sales_data", w); err != nil {
		fmt.Fprintln(stdout, refused(err))
	}
	where := "--data-dir " + dataDir
	if wh.Kind == "postgres" || wh.Kind == "trino" {
		// The DSN may hold a password: it is not printed.
		where = "--engine " + wh.Kind + " --dsn \"$DSN\""
	}
	fmt.Fprintf(stdout, "\nTry it yourself:\n  ./bin/tipgate sql %s --as 'AWSIDC:ming@example.com' --groups apac-sales -c 'SELECT city, count(*) FROM sales_data GROUP BY 1 ORDER BY 2 DESC LIMIT 5'\n", where)
	return nil
}

// refused shows an intended refusal of the demo as such, on one line.
func refused(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return "  (refused, as intended: " + strings.TrimPrefix(msg, "ERROR: ") + ")"
}
