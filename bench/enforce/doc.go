// Command enforce measures what tipgate's enforcement costs: a dashboard
// query mix run as a regional principal through tipgate's DuckDB engine,
// against the same queries with the policy predicate written by hand on a
// plain DuckDB holding the same data, alternating in one run.
package main
