// Package demo holds the reference scenario: its Redshift policy script and
// its four people. It is data for `tipgate demo` and for tests; it must not
// hold logic that the product's packages need.
package demo
