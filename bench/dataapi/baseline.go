package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the raw DuckDB the fetch is compared with

	"github.com/tipgate/tipgate/bench/internal/benchutil"
)

// baseline is what the fetch figures are set against, run in the same
// process right next to them: a plain DuckDB (no tipgate) writing the same
// query's rows as CSV and as JSON (COPY ... TO a file), and a plain
// net/http server sending the same Arrow bytes from a file (sendfile): the
// cost of producing each output without the Data API around it.
type baseline struct {
	db  *sql.DB
	dir string
}

// openBaseline loads the fetch table from the generated CSV into a new
// in-memory DuckDB with the same column types as tipgate's table.
func openBaseline(ctx context.Context, csvPath, dir string) (*baseline, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, `CREATE TABLE sales_fetch (SKU VARCHAR, Product_Name VARCHAR, Category VARCHAR, Quantity INTEGER,
    Sales_Price DECIMAL(10,2), Timestamp TIMESTAMP, City VARCHAR, Region_Code VARCHAR, Country VARCHAR, Latitude DECIMAL(10,6),
    Longitude DECIMAL(10,6), Population INTEGER, Elevation INTEGER, Timezone VARCHAR);
COPY sales_fetch FROM '`+strings.ReplaceAll(csvPath, "'", "''")+`' (HEADER true)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("baseline: load: %w", err)
	}
	return &baseline{db: db, dir: dir}, nil
}

func (b *baseline) Close() { b.db.Close() }

// produce has DuckDB write the fetch query as format ("csv" or "json",
// DuckDB's own spelling: CSV lines, JSON objects one per line) to a file.
func (b *baseline) produce(ctx context.Context, format string) (outRun, error) {
	out := filepath.Join(b.dir, "baseline."+format)
	defer os.Remove(out)
	cpu0, t := benchutil.ProcessCPU(), time.Now()
	if _, err := b.db.ExecContext(ctx, `COPY (`+fetchSQL+`) TO '`+out+`' (FORMAT `+format+`)`); err != nil {
		return outRun{}, fmt.Errorf("baseline %s: %w", format, err)
	}
	r := outRun{wall: time.Since(t), cpu: benchutil.ProcessCPU() - cpu0}
	st, err := os.Stat(out)
	if err != nil {
		return outRun{}, err
	}
	r.bytes = st.Size()
	return r, nil
}

// serveFile sends the file at path to one client over loopback HTTP
// (http.ServeContent: sendfile) and reads it all, as fetchArrow reads the
// Arrow stream.
func serveFile(ctx context.Context, path string) (outRun, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return outRun{}, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/vnd.apache.arrow.stream")
		http.ServeContent(w, r, "", time.Time{}, f)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	cpu0, t := benchutil.ProcessCPU(), time.Now()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+ln.Addr().String()+"/", nil)
	resp, err := client.Do(req)
	if err != nil {
		return outRun{}, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return outRun{}, err
	}
	return outRun{wall: time.Since(t), cpu: benchutil.ProcessCPU() - cpu0, bytes: n}, nil
}

// outRun is one measured production of an output.
type outRun struct {
	wall, cpu time.Duration
	bytes     int64
}

func (r outRun) mbps() float64 { return float64(r.bytes) / 1e6 / r.wall.Seconds() }

// cpuPerMB is CPU milliseconds (this whole process: server, DuckDB,
// client) per MB of output; unlike MB/s it hardly moves with other work
// on the machine.
func (r outRun) cpuPerMB() float64 { return r.cpu.Seconds() * 1e3 / (float64(r.bytes) / 1e6) }
