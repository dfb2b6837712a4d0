// Package duckval turns values from the DuckDB Go driver into the small set
// of Go types tipgate's engine interface promises (nil, bool, int64,
// float64, string, time.Time, []byte). It knows nothing about policies.
package duckval
