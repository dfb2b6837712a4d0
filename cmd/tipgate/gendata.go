package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/tipgate/tipgate/internal/gendata"
)

func runGenData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen-data", stderr)
	rows := fs.Int64("rows", 1_000_000, "number of rows")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same bytes")
	out := fs.String("out", "", "output file; .csv or .parquet (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("gen-data: --out is required")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gen-data: unexpected argument %q", fs.Arg(0))
	}
	start := time.Now()
	if err := gendata.WriteFile(ctx, *out, gendata.Options{Rows: *rows, Seed: *seed}); err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(stderr, "wrote %d rows to %s in %s (%.0f rows/s)\n", *rows, *out, d.Round(time.Millisecond), float64(*rows)/d.Seconds())
	return nil
}
