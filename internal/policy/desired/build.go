package desired

import (
	"context"
	"fmt"
	"time"

	"github.com/tipgate/tipgate/internal/policy"
)

// modelActor applies statements to model catalogs (the desired state, the
// plan's dry run). It is a superuser so that the model is limited only by
// Redshift's rules on the objects, never by who is planning; who may apply
// the plan is decided again, for the real principal, at apply time.
var modelActor = policy.Subject{User: "tipgate:policy-as-code", Superuser: true}

// modelTime is the modification time recorded in model catalogs: fixed, so
// a model does not depend on when it was built (and times are not compared).
func modelTime() time.Time { return time.Unix(0, 0) }

func modelEnv(an policy.Analyzer) policy.Env {
	return policy.Env{Actor: modelActor, Analyzer: an, Now: modelTime}
}

// copyCatalog returns a deep copy with the same versions.
func copyCatalog(c *policy.Catalog) (*policy.Catalog, error) {
	b, err := c.Marshal()
	if err != nil {
		return nil, err
	}
	return policy.Unmarshal(b)
}

// Base is the live catalog with all policy state removed: its tables (with
// row level security off and AND conjunctions) and users, no roles, grants,
// policies or attachments. A desired state is built on it.
func Base(live *policy.Catalog) (*policy.Catalog, error) {
	c, err := copyCatalog(live)
	if err != nil {
		return nil, err
	}
	c.Roles = map[string]*policy.Role{}
	c.Memberships = nil
	c.TableGrants = nil
	c.SystemGrants = nil
	c.RLSPolicies = map[string]*policy.RLSPolicy{}
	c.RLSAttachments = nil
	c.LookupGrants = nil
	c.MaskingPolicies = map[string]*policy.MaskingPolicy{}
	c.MaskAttachments = nil
	for _, t := range c.Tables {
		t.RLS, t.Conjunction, t.DatashareRLS, t.DatashareConj = false, "and", false, "and"
	}
	return c, nil
}

// Build returns the desired catalog: stmts applied in order, with
// Redshift's semantics (policy.Catalog.Apply), to the Base of live. The
// first statement that fails stops it with an *Error naming its file and
// line: a cycle in role grants, a policy on a missing column, a grant to a
// user that does not exist.
func Build(ctx context.Context, live *policy.Catalog, stmts []Stmt, an policy.Analyzer) (*policy.Catalog, error) {
	cur, err := Base(live)
	if err != nil {
		return nil, err
	}
	env := modelEnv(an)
	for _, st := range stmts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, err := cur.Apply(ctx, st.Stmt, env)
		if err != nil {
			return nil, &Error{File: st.File, Line: st.Line, Err: err}
		}
		cur = next
	}
	return cur, nil
}

// Load parses srcs and builds the desired catalog over live.
func Load(ctx context.Context, live *policy.Catalog, srcs []Source, an policy.Analyzer) (*policy.Catalog, error) {
	stmts, err := Parse(srcs)
	if err != nil {
		return nil, err
	}
	if an == nil {
		return nil, fmt.Errorf("desired: no expression analyzer")
	}
	return Build(ctx, live, stmts, an)
}
