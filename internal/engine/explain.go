package engine

import (
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// ExplainFull decides, for every engine, how much of a plan EXPLAIN may
// show sub. A full plan (predicates, projections, row estimates) needs
// EXPLAIN RLS and, when a mask applies to the statement, EXPLAIN MASKING:
// predicates are policy text and estimates count hidden rows. Without
// them an engine shows operators and tables only. EXPLAIN ANALYZE counts
// rows before the row filter, so only a principal that ignores row-level
// security may run it.
func ExplainFull(sub policy.Subject, masked, analyze bool) (bool, error) {
	if analyze && !sub.IgnoreRLS {
		return false, sqlerr.New(sqlerr.PermissionDenied, "permission denied: EXPLAIN ANALYZE would reveal row counts before row-level security")
	}
	return sub.ExplainRLS && (!masked || sub.ExplainMasking), nil
}
