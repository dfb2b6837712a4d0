// Package expect runs policy unit tests: expectation files that state, for
// a principal (user and groups) and a table or query, what it must see —
// row counts, rows matching predicates, which columns are granted, masked
// (by which policy) or denied, and which statements are refused. Every
// check runs through the engine's own enforcement as that principal, the
// same path as the principal's real reads, so an expectation holds for
// what the warehouse does, not for a second reading of the policies.
//
// Statements that must be refused run in a transaction that is rolled back
// if they succeed, so checking a live warehouse never changes it.
package expect
