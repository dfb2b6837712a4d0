// Command tipgate is the single binary of tipgate: the warehouse, its
// command-line tools and (later) its servers. It only parses flags and
// prints; every decision lives in the internal packages.
package main
