// Package conformance is the one behaviour suite every engine must pass:
// data-driven scripts of principals, SQL and expected rows or errors
// (testdata/semantics), the attack corpus and the differential oracle.
// Engines' tests call it with a constructor; it imports no engine.
package conformance
