package duckdb

// auditedOptimizers is the verdict on every optimizer of the DuckDB this
// build links, read from its source (src/optimizer) against the shape of a
// policy view: Projection(granted columns, masks) over Filter(row filter)
// over Get(raw table). "disable" optimizers are in disabledOptimizers;
// TestOptimizerAudit fails when DuckDB lists an optimizer not here, so an
// upgrade's new optimizer is audited before it runs on principals' SQL.
var auditedOptimizers = map[string]string{
	// Disabled: each made a principal's expression run on hidden rows, or
	// run or not depending on them (reproductions in testdata/attacks).
	"filter_pushdown":        "disable: pushes filters through projections into the scan, below the row filter",
	"filter_pullup":          "disable: lifts the row filter above the view's projection, where join_order merges it with the user's filter, user expression first",
	"cte_filter_pusher":      "disable: pushes a materialized CTE's filters into the CTE through the view with its own FilterPushdown, ignoring filter_pushdown being off",
	"statistics_propagation": "disable: prunes filters and subtrees from raw-table min/max/NULL statistics, hidden rows included, so whether an erroring expression runs depends on hidden values",

	// Kept: each works inside one operator, copies whole subtrees (row
	// filter included), only removes work, or pushes only internal
	// constant comparisons into the scan.
	"expression_rewriter":        "keep: rewrites expressions within one operator",
	"cte_inlining":               "keep: copies the CTE's subtree, view boundary included",
	"sum_rewriter":               "keep: rewrites an ungrouped aggregate above the view",
	"regex_range":                "keep: adds range filters directly under the user's filter, above the view",
	"in_clause":                  "keep: mark join on the filter's own child, the view's output",
	"join_order":                 "keep: collects filters only down to the first projection; the row filter sits below two (safe while filter_pullup is off)",
	"deliminator":                "keep: re-binds delim filters on the subquery side, above its view",
	"empty_result_pullup":        "keep: only removes work",
	"window_self_join":           "keep: deep-copies the whole child, row filter included",
	"join_elimination":           "keep: only removes an unused join side",
	"unnest_rewriter":            "keep: works on the view's output rows",
	"unused_columns":             "keep: column pruning; its nested-field extract pushdown is closed by refusing nested column types",
	"duplicate_groups":           "keep: within one aggregate",
	"common_subexpressions":      "keep: the new projection is the operator's direct child, above the view",
	"column_lifetime":            "keep: bindings only",
	"build_side_probe_side":      "keep: swaps join sides by estimates (a rough raw row count is the residual channel, docs/enforcement.md)",
	"common_subplan":             "keep: materializes identical subplans unchanged",
	"limit_pushdown":             "keep: a limit stops at the row filter",
	"row_group_pruner":           "keep: does not prune when a filter is present; only reorders the scan",
	"sampling_pushdown":          "keep: needs the sample directly on a table scan, never the case for a view",
	"top_n":                      "keep: pushes a constant comparison on a column into the scan, no user function",
	"late_materialization":       "keep: user and mask expressions run above the rowid join with the filtered side (nested types refused)",
	"top_n_window_elimination":   "keep: the scan projects column references only (nested types refused)",
	"compressed_materialization": "keep: compress functions cannot fail; off with statistics_propagation anyway",
	"common_aggregate":           "keep: within one aggregate",
	"reorder_filter":             "keep: reorders within one filter; a user predicate shares the row filter's only when proven leakproof (pushdown.go), and then may run first",
	"join_filter_pushdown":       "keep: min/max/bloom of visible build keys compared with raw values in the probe scan, no user function",
	"materialized_cte":           "keep: no code path in this version",
	"extension":                  "keep: no optimizer extension is loaded (extension loading is off)",
}
