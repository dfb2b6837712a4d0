// Package desired is policy as code: a desired security state written as
// Redshift DDL in files (roles, grants, RLS and masking policies,
// attachments, table switches), the catalog those files build over the live
// catalog's tables and users, the exact statements that turn the live
// catalog into it (Diff, checked by applying them before they are shown),
// the live catalog written back out as such files (Export), and what each
// role would see differently (Summarize).
//
// It is engine-free like package policy: it never runs SQL against data.
// Applying a plan is the engine router's (engine.Router.ApplyPolicy), in
// one catalog commit that refuses a plan made against another version.
package desired
