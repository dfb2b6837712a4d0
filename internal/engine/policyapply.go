package engine

import (
	"context"
	"fmt"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// PolicyApplier is an engine that applies planned policy changes (policy
// as code) atomically; the Router is one.
type PolicyApplier interface {
	// PolicyAnalyzer checks policy expressions as the engine will run them,
	// for planning.
	PolicyAnalyzer() policy.Analyzer
	ApplyPolicy(ctx context.Context, p identity.Principal, policyVersion int64, stmts []string, check func(*policy.Catalog) error) (*policy.Catalog, error)
}

var _ PolicyApplier = (*Router)(nil)

// PolicyAnalyzer returns the backend's policy expression analyzer.
func (r *Router) PolicyAnalyzer() policy.Analyzer { return r.b.Analyzer() }

// ApplyPolicy runs a plan's security statements as p in one catalog
// commit: all of them take effect or none does. Inside the commit, so
// that no change can slip in between the check and the write, it refuses
// a catalog whose policy version is not the one the plan was made against,
// and a result that check refuses (the plan's own verification that it
// reached the state it was made for). Only superusers and sys:secadmin
// holders may apply a plan; each statement is then authorised for p as if
// run on its own. It returns the committed catalog.
func (r *Router) ApplyPolicy(ctx context.Context, p identity.Principal, policyVersion int64, stmts []string, check func(*policy.Catalog) error) (*policy.Catalog, error) {
	parsed := make([]ddl.Stmt, len(stmts))
	for i, s := range stmts {
		st, err := ddl.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("plan statement %d: %w", i+1, SyntaxError(err))
		}
		if !policy.IsSecurityDDL(st) {
			return nil, sqlerr.New(sqlerr.FeatureUnsupported, "plan statement %d (%s) is not security DDL; a policy plan holds only security DDL", i+1, st.Tag())
		}
		parsed[i] = st
	}
	// No first-sight recording here (unlike Query): it may create roles
	// for the admin's groups, which the plan, made without them, would
	// then not reach.
	var out *policy.Catalog
	err := r.b.Commit(ctx, func(_ Tx, cur *policy.Catalog) (*policy.Catalog, error) {
		sub := cur.Subject(p)
		if !sub.CanAdminSecurity() {
			return nil, sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers and sys:secadmin may apply policy plans")
		}
		if cur.PolicyVersion != policyVersion {
			return nil, sqlerr.New(sqlerr.ConcurrentChange,
				"the plan was made against policy version %d but the catalog is at policy version %d: plan again", policyVersion, cur.PolicyVersion)
		}
		next := cur
		for i, st := range parsed {
			// Each statement is authorised against the catalog it changes.
			n, err := next.Apply(ctx, st, policy.Env{Actor: next.Subject(p), Analyzer: r.b.Analyzer()})
			if err != nil {
				return nil, fmt.Errorf("plan statement %d: %s: %w", i+1, st.Tag(), err)
			}
			next = n
		}
		if check != nil {
			if err := check(next); err != nil {
				return nil, err
			}
		}
		out = next
		return next, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
