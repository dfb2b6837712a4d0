// Package policy owns the warehouse's security model in Redshift's terms:
// the immutable Catalog of users, roles, grants, RLS and masking policies,
// how security DDL changes it (Apply), the pure decision of what one
// subject may read of one table (Decide), with typed reasons (Reason), and
// the same decision compiled per table over all grantees (Plan) for engines
// that enforce natively. It does no I/O and never runs SQL: engines persist
// catalogs and enforce decisions; the Analyzer they supply parses policy
// expressions with their own grammar.
package policy
