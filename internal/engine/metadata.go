package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
)

// Decision is what enforcement decides for one principal: who it is in the
// warehouse and, for every table, what it may read and why. Metadata
// (table lists, column descriptions, "Your access", the dashboard's gate)
// comes from here, so it is the engine's own answer and never a second
// reading of the policies beside it.
type Decision struct {
	Subject policy.Subject
	// Tables holds the decision for every table, readable or not.
	Tables map[string]policy.Access
	// RowSecurity is each table's row-level security switch.
	RowSecurity map[string]bool
	// Version is the policy version the decision was made under.
	Version int64
	// Key names the principal's policy context: anything cached for the
	// principal is keyed by it, and it changes when a decision may.
	Key string
}

// Readable returns the decision for table if the principal may read it.
func (d Decision) Readable(table string) (policy.Access, bool) {
	a, ok := d.Tables[strings.ToLower(table)]
	return a, ok && a.Visible
}

// TableInfo is a table a principal may read, with the columns it may read.
type TableInfo struct {
	Name    string
	Columns []Column
}

// Describer is a Backend that answers metadata itself, such as a
// pass-through engine whose warehouse enforces the policies; the router
// otherwise decides from the backend's catalog.
type Describer interface {
	Decide(ctx context.Context, p identity.Principal) (Decision, error)
}

// Decide returns p's decision. It records nothing: a principal who only
// asks what it may see is not yet a user of the warehouse.
func (r *Router) Decide(ctx context.Context, p identity.Principal) (Decision, error) {
	if d, ok := r.b.(Describer); ok {
		return d.Decide(ctx, p)
	}
	cat := r.b.Catalog()
	sub := cat.Subject(p)
	out := Decision{Subject: sub, Tables: map[string]policy.Access{}, RowSecurity: map[string]bool{}, Version: cat.PolicyVersion,
		Key: fmt.Sprintf("%d|%s", cat.PolicyVersion, sub.Key())}
	for _, name := range cat.TableNames() {
		if a, ok := cat.Decide(sub, name); ok {
			out.Tables[name] = a
			if t, ok := cat.Table(name); ok {
				out.RowSecurity[name] = t.RLS
			}
		}
	}
	return out, nil
}

// Tables lists the tables p may read with the columns it may read, in
// name order.
func (r *Router) Tables(ctx context.Context, p identity.Principal) ([]TableInfo, error) {
	d, err := r.Decide(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []TableInfo
	for _, name := range slices.Sorted(maps.Keys(d.Tables)) {
		a, ok := d.Readable(name)
		if !ok {
			continue
		}
		t := TableInfo{Name: a.Table}
		for _, c := range a.Columns {
			if c.Granted {
				t.Columns = append(t.Columns, Column{Name: c.Name, Type: ParseType(c.Type)})
			}
		}
		out = append(out, t)
	}
	return out, nil
}
