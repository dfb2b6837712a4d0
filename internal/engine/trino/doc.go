// Package trino is the Trino engine: tipgate keeps the Redshift policy
// catalog in PostgreSQL and compiles it into Trino's file-based access
// control (table rules with privileges, row filters and column masks, one
// rule per principal and table, written when a principal is first seen
// with a given set of roles and awaited until Trino has loaded it), so that
// Trino itself enforces the policies for every client that impersonates a
// principal. tipgate signs in to Trino as its service user, the only user
// an impersonation rule lets run statements as someone else, and runs each
// principal's read as that principal, admitted first by a guard that asks
// Trino's own analyzer what the statement reads and writes.
//
// It owns the warehouse schema of the Trino catalog it is given, the rules
// file, and the tipgate_trino schema of its PostgreSQL store; it must not be
// used by anything but the engines factory and tests. docs/trino.md states
// the layout and the argument.
package trino
