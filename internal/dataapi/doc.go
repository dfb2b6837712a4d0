// Package dataapi is the one service layer behind every Data API binding
// (AWS JSON 1.1, REST, the dashboard): statements with Redshift Data API
// semantics — asynchronous lifecycle, :name parameters, idempotency,
// limits, owner-scoped statements and results written once and paged.
// It runs SQL only through engine.Engine with the caller's verified
// Principal and holds no wire format; bindings translate.
package dataapi
