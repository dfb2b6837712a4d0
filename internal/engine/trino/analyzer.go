package trino

import (
	"context"
	"fmt"
	"strings"

	"github.com/tipgate/tipgate/internal/engine/postgres"
	"github.com/tipgate/tipgate/internal/policy"
)

// analyzer reads policy expressions with PostgreSQL's grammar (Redshift's
// own, near enough: the postgres engine's analyzer) and types them with
// Trino.
type analyzer struct{ e *Engine }

var (
	_ policy.Analyzer  = analyzer{}
	_ policy.ExprTyper = analyzer{}
)

// Analyzer parses policy expressions and types them with Trino.
func (e *Engine) Analyzer() policy.Analyzer { return analyzer{e} }

func (a analyzer) AnalyzeExpr(ctx context.Context, expr string) (policy.ExprInfo, error) {
	if _, err := translate(expr, ""); err != nil {
		return policy.ExprInfo{}, err
	}
	return postgres.AnalyzeExpr(ctx, expr)
}

// TypeOf asks Trino for the type of expr over typed inputs.
func (a analyzer) TypeOf(ctx context.Context, expr string, inputs []policy.Column) (string, error) {
	t, err := translate(expr, "")
	if err != nil {
		return "", err
	}
	var cols []string
	for _, in := range inputs {
		cols = append(cols, "CAST(NULL AS "+trinoType(in.Type)+") AS "+qi(strings.ToLower(in.Name)))
	}
	if len(cols) == 0 {
		cols = []string{"1 AS one"}
	}
	var typ string
	q := "SELECT typeof(" + t + ") FROM (SELECT " + strings.Join(cols, ", ") + ") AS inputs"
	if err := a.e.db.QueryRowContext(ctx, q).Scan(&typ); err != nil {
		return "", mapError(fmt.Errorf("type the policy expression: %w", err))
	}
	return redshiftType(typ), nil
}
