// Package postgres is the PostgreSQL engine: tipgate compiles the Redshift
// policy catalog into PostgreSQL's own objects (roles, row security
// policies, column grants, masking views with security_invoker) so that
// PostgreSQL enforces them for every client of the database, and runs each
// principal's read under the principal's role in its own read-only
// transaction, admitted by a guard on PostgreSQL's own parse tree.
//
// It owns the database's tipgate schemas (catalog, compiled objects, the
// raw tables in tipgate_data) and must not be used by anything but the
// engines factory and tests. docs/postgres.md states the layout and the
// argument.
package postgres
