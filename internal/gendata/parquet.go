package gendata

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/parquet-go/parquet-go"
)

// parquetRow is the Parquet schema. Field order is column order. Text
// columns with few distinct values are dictionary-encoded, which keeps files
// small and writing fast; DECIMAL columns are INT64-backed with Redshift's
// precision and scale, and Timestamp carries no zone (isAdjustedToUTC=false)
// to match Redshift TIMESTAMP.
type parquetRow struct {
	SKU         string `parquet:"SKU,dict"`
	ProductName string `parquet:"Product_Name,dict"`
	Category    string `parquet:"Category,dict"`
	Quantity    int32  `parquet:"Quantity"`
	SalesPrice  int64  `parquet:"Sales_Price,decimal(2:10)"`
	Timestamp   int64  `parquet:"Timestamp,timestamp(microsecond:local)"`
	City        string `parquet:"City,dict"`
	RegionCode  string `parquet:"Region_Code,dict"`
	Country     string `parquet:"Country,dict"`
	Latitude    int64  `parquet:"Latitude,decimal(6:10)"`
	Longitude   int64  `parquet:"Longitude,decimal(6:10)"`
	Population  int32  `parquet:"Population"`
	Elevation   int32  `parquet:"Elevation"`
	Timezone    string `parquet:"Timezone,dict"`
}

// parquetBatch is how many rows are handed to the Parquet writer at once; it
// is also the granularity of cancellation checks.
const parquetBatch = 4096

// parquetRowGroupRows bounds memory while writing: the writer buffers a whole
// row group before encoding it.
const parquetRowGroupRows = 1 << 20

// WriteParquet writes the same rows as WriteCSV as a Parquet file. Same
// Options => identical bytes. It checks ctx between batches and returns
// ctx.Err() once it is cancelled; the output is then incomplete.
func WriteParquet(ctx context.Context, w io.Writer, opts Options) error {
	if opts.Rows < 0 {
		return fmt.Errorf("%w: got %d", errNegativeRows, opts.Rows)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := newModel()
	if err != nil {
		return err
	}
	pw := parquet.NewGenericWriter[parquetRow](w,
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(parquetRowGroupRows),
		parquet.CreatedBy("tipgate gendata", "", ""),
	)
	startSec := m.windowStart.Unix()
	batch := make([]parquetRow, 0, parquetBatch)
	write := func() error {
		if _, err := pw.Write(batch); err != nil {
			return fmt.Errorf("gendata: writing Parquet rows: %w", err)
		}
		batch = batch[:0]
		return ctx.Err()
	}
	var s sale
	err = forEachChunk(opts, func(rng *rand.Rand, n int) error {
		for range n {
			m.next(rng, &s)
			p := &m.products[s.product]
			c := &m.cities[s.city]
			batch = append(batch, parquetRow{
				SKU:         p.SKU,
				ProductName: p.Name,
				Category:    p.Category,
				Quantity:    s.quantity,
				SalesPrice:  s.priceCents,
				Timestamp:   (startSec + int64(s.day)*86400 + int64(s.second)) * 1e6,
				City:        c.Name,
				RegionCode:  c.Region,
				Country:     c.Country,
				Latitude:    c.LatitudeMicro,
				Longitude:   c.LongitudeMicro,
				Population:  int32(c.Population),
				Elevation:   int32(c.Elevation),
				Timezone:    c.Timezone,
			})
			if len(batch) == cap(batch) {
				if err := write(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		if err := write(); err != nil {
			return err
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("gendata: finishing Parquet file: %w", err)
	}
	return nil
}
