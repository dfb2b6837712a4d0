package engine

import (
	"context"
	"fmt"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// Run runs scripts (each one or more statements) as p, statement by
// statement, discarding results, and stops at the first error, which
// names the statement. Setup code (the demo, fixtures, benchmarks, tests)
// loads data and policies with it.
func Run(ctx context.Context, e Engine, p identity.Principal, scripts ...string) error {
	for _, script := range scripts {
		stmts, err := sqlscan.Split(script)
		if err != nil {
			return err
		}
		for _, st := range stmts {
			r, err := e.Query(ctx, p, st.Text)
			if err != nil {
				return fmt.Errorf("%s: %w", st.Text, err)
			}
			r.Close()
		}
	}
	return nil
}
