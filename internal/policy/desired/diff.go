package desired

import (
	"context"
	"fmt"
	"slices"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// Phases of a plan, in the order they run. Everything that goes away is
// revoked or detached before anything is dropped, objects are dropped
// before they are created again, grants follow the objects they name, and
// row level security is switched last, once every policy it enforces is in
// place. Only a table that a new predicate reads as a lookup table is
// switched off early ("prepare"): Redshift refuses a lookup table with row
// level security on.
const (
	PhaseRevoke  = "revoke"
	PhaseDrop    = "drop"
	PhasePrepare = "prepare"
	PhaseCreate  = "create"
	PhaseGrant   = "grant"
	PhaseAttach  = "attach"
	PhaseSwitch  = "switch"
)

// Step is one statement of a plan.
type Step struct {
	Phase string `json:"phase"`
	SQL   string `json:"sql"`
}

// Diff returns the statements that turn live into want, in a safe order.
// Each statement is applied to a model of live as it is chosen, and the
// result must be exactly want (Same); anything else is an error, never a
// plan that does something else than it says.
func Diff(ctx context.Context, live, want *policy.Catalog, an policy.Analyzer) ([]Step, error) {
	w, err := copyCatalog(live)
	if err != nil {
		return nil, err
	}
	p := &planner{ctx: ctx, env: modelEnv(an), w: w, want: want, ws: StateOf(want)}
	p.plan()
	if p.err != nil {
		return nil, p.err
	}
	if err := Same(p.w, want); err != nil {
		return nil, sqlerr.Wrap(sqlerr.Internal, err, "the planned statements do not reach the desired state (%v); nothing was planned", err)
	}
	return p.steps, nil
}

type planner struct {
	ctx   context.Context
	env   policy.Env
	w     *policy.Catalog // live, with the steps so far applied
	want  *policy.Catalog
	ws    State
	steps []Step
	err   error
	// Objects that exist on both sides but must be dropped and created
	// again: a role whose EXTERNALID changed, an RLS policy whose WITH
	// columns or alias changed, a masking policy whose inputs or number of
	// outputs changed (ALTER changes only USING).
	recreateRole, recreateRLS, recreateMask map[string]bool
}

func (p *planner) emit(phase, sql string) {
	if p.err != nil {
		return
	}
	st, err := ddl.Parse(sql)
	if err != nil {
		p.err = sqlerr.Wrap(sqlerr.Internal, err, "planned statement %q does not parse: %v", sql, err)
		return
	}
	next, err := p.w.Apply(p.ctx, st, p.env)
	if err != nil {
		p.err = fmt.Errorf("planned statement %q fails: %w", sql, err)
		return
	}
	p.w = next
	p.steps = append(p.steps, Step{Phase: phase, SQL: sql})
}

func (p *planner) goneRole(name string) bool {
	if policy.IsSystemRole(name) {
		return false
	}
	_, ok := p.want.Roles[name]
	return !ok || p.recreateRole[name]
}

func (p *planner) goneGrantee(g policy.Grantee) bool {
	return g.Kind == policy.KindRole && p.goneRole(g.Name)
}

func (p *planner) goneRLS(name string) bool {
	_, ok := p.want.RLSPolicies[name]
	return !ok || p.recreateRLS[name]
}

func (p *planner) goneMask(name string) bool {
	_, ok := p.want.MaskingPolicies[name]
	return !ok || p.recreateMask[name]
}

func (p *planner) plan() {
	p.recreateRole, p.recreateRLS, p.recreateMask = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for n, r := range p.w.Roles {
		if wr, ok := p.want.Roles[n]; ok && wr.ExternalID != r.ExternalID {
			p.recreateRole[n] = true
		}
	}
	for n, r := range p.w.RLSPolicies {
		if wr, ok := p.want.RLSPolicies[n]; ok && (!slices.Equal(wr.With, r.With) || wr.Alias != r.Alias) {
			p.recreateRLS[n] = true
		}
	}
	for n, m := range p.w.MaskingPolicies {
		if wm, ok := p.want.MaskingPolicies[n]; ok && (!slices.Equal(wm.Inputs, m.Inputs) || len(wm.Using) != len(m.Using)) {
			p.recreateMask[n] = true
		}
	}
	p.revoke()
	p.drop()
	p.prepare()
	p.create()
	p.grant()
	p.attach()
	p.switches()
}

func (p *planner) revoke() {
	cur := StateOf(p.w)
	for _, a := range cur.RLSAttachments {
		if p.goneRLS(a.Policy) || p.goneGrantee(a.Grantee) || !slices.Contains(p.ws.RLSAttachments, a) {
			p.emit(PhaseRevoke, attachRLS(a, true))
		}
	}
	for _, a := range cur.MaskAttachments {
		if p.goneMask(a.Policy) || p.goneGrantee(a.Grantee) || !slices.ContainsFunc(p.ws.MaskAttachments, sameMask(a)) {
			p.emit(PhaseRevoke, attachMask(a, true))
		}
	}
	for _, g := range cur.LookupGrants {
		if !p.goneRLS(g.Policy) && !slices.Contains(p.ws.LookupGrants, g) {
			p.emit(PhaseRevoke, lookupGrant(g, true))
		}
	}
	for _, g := range cur.SystemGrants {
		if p.goneGrantee(g.Grantee) || !slices.Contains(p.ws.SystemGrants, g) {
			p.emit(PhaseRevoke, systemGrant(g, true))
		}
	}
	for _, g := range cur.TableGrants {
		wg, ok := p.wantGrant(g)
		switch {
		case p.goneGrantee(g.Grantee) || !ok || (g.Columns == nil) != (wg.Columns == nil):
			p.emit(PhaseRevoke, tableGrant(g.Table, g.Privilege, nil, g.Grantee, true))
		case g.Columns != nil:
			if extra := minus(g.Columns, wg.Columns); len(extra) > 0 {
				p.emit(PhaseRevoke, tableGrant(g.Table, g.Privilege, extra, g.Grantee, true))
			}
		}
	}
	for _, m := range cur.Memberships {
		if p.goneRole(m.Role) || p.goneGrantee(m.Grantee) || !slices.Contains(p.ws.Memberships, m) {
			p.emit(PhaseRevoke, grantRole(m, true))
		}
	}
}

func (p *planner) drop() {
	cur := StateOf(p.w)
	for _, r := range cur.RLSPolicies {
		if p.goneRLS(r.Name) {
			p.emit(PhaseDrop, dropRLS(r.Name))
		}
	}
	for _, m := range cur.MaskingPolicies {
		if p.goneMask(m.Name) {
			p.emit(PhaseDrop, dropMask(m.Name))
		}
	}
	for _, r := range cur.Roles {
		if p.goneRole(r.Name) {
			p.emit(PhaseDrop, dropRole(r.Name))
		}
	}
}

// prepare switches row level security off on tables that a created or
// altered predicate reads; the switch phase sets them as wanted.
func (p *planner) prepare() {
	for _, r := range p.ws.RLSPolicies {
		if cur, ok := p.w.RLSPolicies[r.Name]; ok && cur.Using == r.Using {
			continue
		}
		for _, lk := range r.Lookups {
			t, ok := p.w.Table(lk)
			if !ok {
				continue
			}
			if t.RLS {
				p.emit(PhasePrepare, tableSwitch(t.Name, false, t.Conjunction, false))
			}
			if t.DatashareRLS {
				p.emit(PhasePrepare, tableSwitch(t.Name, false, t.DatashareConj, true))
			}
		}
	}
}

func (p *planner) create() {
	for _, r := range p.ws.Roles {
		if _, ok := p.w.Roles[r.Name]; !ok {
			p.emit(PhaseCreate, createRole(r))
		}
	}
	for _, r := range p.ws.RLSPolicies {
		cur, ok := p.w.RLSPolicies[r.Name]
		switch {
		case !ok:
			p.emit(PhaseCreate, createRLS(r))
		case cur.Using != r.Using:
			p.emit(PhaseCreate, alterRLS(r))
		}
	}
	for _, m := range p.ws.MaskingPolicies {
		cur, ok := p.w.MaskingPolicies[m.Name]
		switch {
		case !ok:
			p.emit(PhaseCreate, createMask(m))
		case !slices.Equal(cur.Using, m.Using):
			p.emit(PhaseCreate, alterMask(m))
		}
	}
}

func (p *planner) grant() {
	// CREATE RLS POLICY grants its lookup tables implicitly; what the
	// desired state revoked is revoked again here.
	cur := StateOf(p.w)
	for _, g := range p.ws.LookupGrants {
		if !slices.Contains(cur.LookupGrants, g) {
			p.emit(PhaseGrant, lookupGrant(g, false))
		}
	}
	for _, g := range cur.LookupGrants {
		if !slices.Contains(p.ws.LookupGrants, g) {
			p.emit(PhaseGrant, lookupGrant(g, true))
		}
	}
	for _, m := range p.ws.Memberships {
		if !slices.Contains(cur.Memberships, m) {
			p.emit(PhaseGrant, grantRole(m, false))
		}
	}
	for _, wg := range p.ws.TableGrants {
		i := slices.IndexFunc(cur.TableGrants, func(g policy.TableGrant) bool {
			return g.Table == wg.Table && g.Privilege == wg.Privilege && g.Grantee == wg.Grantee
		})
		switch {
		case i < 0:
			p.emit(PhaseGrant, tableGrant(wg.Table, wg.Privilege, wg.Columns, wg.Grantee, false))
		case wg.Columns != nil:
			if missing := minus(wg.Columns, cur.TableGrants[i].Columns); len(missing) > 0 {
				p.emit(PhaseGrant, tableGrant(wg.Table, wg.Privilege, missing, wg.Grantee, false))
			}
		}
	}
	for _, g := range p.ws.SystemGrants {
		if !slices.Contains(cur.SystemGrants, g) {
			p.emit(PhaseGrant, systemGrant(g, false))
		}
	}
}

func (p *planner) attach() {
	cur := StateOf(p.w)
	for _, a := range p.ws.RLSAttachments {
		if !slices.Contains(cur.RLSAttachments, a) {
			p.emit(PhaseAttach, attachRLS(a, false))
		}
	}
	for _, a := range p.ws.MaskAttachments {
		if !slices.ContainsFunc(cur.MaskAttachments, sameMask(a)) {
			p.emit(PhaseAttach, attachMask(a, false))
		}
	}
}

func (p *planner) switches() {
	for _, s := range p.ws.Switches {
		t, ok := p.w.Table(s.Table)
		if !ok {
			continue // Same reports it
		}
		if t.RLS != s.RLS || conj(t.Conjunction) != s.Conjunction {
			p.emit(PhaseSwitch, tableSwitch(s.Table, s.RLS, s.Conjunction, false))
		}
		if t.DatashareRLS != s.DatashareRLS || conj(t.DatashareConj) != s.DatashareConjunction {
			p.emit(PhaseSwitch, tableSwitch(s.Table, s.DatashareRLS, s.DatashareConjunction, true))
		}
	}
}

func (p *planner) wantGrant(g policy.TableGrant) (policy.TableGrant, bool) {
	i := slices.IndexFunc(p.ws.TableGrants, func(x policy.TableGrant) bool {
		return x.Table == g.Table && x.Privilege == g.Privilege && x.Grantee == g.Grantee
	})
	if i < 0 {
		return policy.TableGrant{}, false
	}
	return p.ws.TableGrants[i], true
}

func sameMask(a policy.MaskAttachment) func(policy.MaskAttachment) bool {
	return func(b policy.MaskAttachment) bool {
		return a.Policy == b.Policy && a.Table == b.Table && slices.Equal(a.Outputs, b.Outputs) && slices.Equal(a.Inputs, b.Inputs) &&
			a.Grantee == b.Grantee && a.Priority == b.Priority
	}
}

// minus returns the elements of a not in b, in a's order.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
