package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// policyContext is everything one subject may read under one policy
// version, compiled to DuckDB statements that set up a connection. Its
// catalog is the snapshot it was built from: later snapshots of the same
// policy version differ only in users and roles that decide nothing for
// this subject.
type policyContext struct {
	key     string
	version int64
	sub     policy.Subject
	cat     *policy.Catalog
	// views are the tables the subject may read, each a temp view.
	views map[string]bool
	// partial maps a readable table to its columns the subject may not read.
	partial map[string][]string
	access  map[string]policy.Access
	// plans are the compiled views by table, for the pushdown of leakproof
	// predicates into them (pushdown.go).
	plans map[string]*viewPlan
	setup []string // statements run on a fresh connection
	// protected are the tables whose rows are filtered for this subject.
	protected []string
	// masked is true when any readable column is masked.
	masked bool
	// lookups are the tables read by the RLS policies applied to the subject.
	lookups map[string]bool
}

// viewColumns returns the columns of the view the subject reads as table,
// which are the granted ones.
func (pc *policyContext) viewColumns(table string) ([]string, bool) {
	if !pc.views[table] {
		return nil, false
	}
	a, ok := pc.access[table]
	if !ok {
		return nil, false
	}
	var out []string
	for _, c := range a.Columns {
		if c.Granted {
			out = append(out, c.Name)
		}
	}
	return out, true
}

func contextKey(version int64, sub policy.Subject) string {
	return fmt.Sprintf("%d|%s", version, sub.Key())
}

// buildContext compiles the subject's views. It runs policy expressions
// through DuckDB's parser, so it needs a querier, but touches no data.
func (e *Engine) buildContext(ctx context.Context, q querier, cat *policy.Catalog, sub policy.Subject) (*policyContext, error) {
	pc := &policyContext{
		key: contextKey(cat.PolicyVersion, sub), version: cat.PolicyVersion, sub: sub, cat: cat,
		views: map[string]bool{}, partial: map[string][]string{}, access: map[string]policy.Access{},
		lookups: map[string]bool{}, plans: map[string]*viewPlan{},
	}
	pc.setup = append(pc.setup, sessionMacros(sub.User)...)
	for _, name := range cat.TableNames() {
		a := e.decide(cat, sub, name)
		pc.access[name] = a
		// Superusers read the raw tables (their connection USEs the raw
		// catalog), so they get no views that would shadow them.
		if !a.Visible || sub.Superuser {
			continue
		}
		view, err := e.compileView(ctx, q, cat, sub, a)
		if err != nil {
			return nil, err
		}
		pc.views[name] = true
		pc.plans[name] = view
		for _, c := range a.Columns {
			if !c.Granted {
				pc.partial[name] = append(pc.partial[name], c.Name)
			}
			if c.Granted && c.Mask != nil {
				pc.masked = true
			}
		}
		if a.Rows.Enforced {
			pc.protected = append(pc.protected, name)
			for _, p := range a.Rows.Policies {
				if pol := cat.RLSPolicies[p.Policy]; pol != nil {
					for _, lk := range pol.Lookups {
						pc.lookups[lk] = true
					}
				}
			}
		}
		pc.setup = append(pc.setup, "CREATE OR REPLACE TEMP VIEW "+sqlscan.QuoteIdent(name)+" AS "+view.sql(""))
	}
	tables := maps.Clone(pc.views)
	for _, v := range e.opts.System.Views(cat, sub, func(t string) bool { return tables[t] }) {
		pc.views[v.Name] = true
		pc.setup = append(pc.setup, "CREATE OR REPLACE TEMP VIEW "+v.Name+" AS "+valuesView(v))
	}
	return pc, nil
}

// sessionMacros make current_user, session_user and current_role return
// the principal's name in the principal's own SQL, as Redshift does and as
// the same names mean in a policy (rewriteExpr): a principal's query and the
// policies applied to it never disagree on who is asking.
func sessionMacros(user string) []string {
	lit := sqlscan.QuoteString(user)
	return []string{
		"CREATE OR REPLACE TEMP MACRO current_user() AS " + lit,
		"CREATE OR REPLACE TEMP MACRO session_user() AS " + lit,
		"CREATE OR REPLACE TEMP MACRO current_role() AS " + lit,
	}
}

// pooledConn is a DuckDB connection set up for exactly one policy context.
type pooledConn struct {
	conn *sql.Conn
	key  string
	prep preparedStmts
}

// connPool keeps idle connections per policy context. A connection is only
// ever handed to the context it was built for, so nothing a statement
// leaves on it can reach another principal's policy context.
type connPool struct {
	mu      sync.Mutex
	idle    map[string][]*pooledConn
	order   []*pooledConn // idle connections, oldest first
	maxIdle int
}

func newConnPool(maxIdle int) *connPool {
	return &connPool{idle: map[string][]*pooledConn{}, maxIdle: maxIdle}
}

func (p *connPool) take(key string) *pooledConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.idle[key]
	if len(list) == 0 {
		return nil
	}
	c := list[len(list)-1]
	p.idle[key] = list[:len(list)-1]
	p.order = slices.DeleteFunc(p.order, func(x *pooledConn) bool { return x == c })
	return c
}

// give returns a connection; it returns connections the caller must close
// (evicted to stay within maxIdle, or stale).
func (p *connPool) give(c *pooledConn, current func(key string) bool) []*pooledConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var evict []*pooledConn
	if !current(c.key) {
		return []*pooledConn{c}
	}
	p.idle[c.key] = append(p.idle[c.key], c)
	p.order = append(p.order, c)
	for len(p.order) > p.maxIdle {
		old := p.order[0]
		p.order = p.order[1:]
		p.idle[old.key] = slices.DeleteFunc(p.idle[old.key], func(x *pooledConn) bool { return x == old })
		evict = append(evict, old)
	}
	return evict
}

// drain removes every idle connection not accepted by keep.
func (p *connPool) drain(keep func(key string) bool) []*pooledConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*pooledConn
	kept := p.order[:0]
	for _, c := range p.order {
		if keep(c.key) {
			kept = append(kept, c)
			continue
		}
		out = append(out, c)
		p.idle[c.key] = slices.DeleteFunc(p.idle[c.key], func(x *pooledConn) bool { return x == c })
	}
	p.order = kept
	for k, v := range p.idle {
		if len(v) == 0 {
			delete(p.idle, k)
		}
	}
	return out
}

// connFor returns a connection set up for pc.
func (e *Engine) connFor(ctx context.Context, pc *policyContext, variant string, setup []string) (*pooledConn, error) {
	key := pc.key + variant
	if c := e.pool.take(key); c != nil {
		return c, nil
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("duckdb: connection: %w", err)
	}
	// A connection must start empty: fail closed if it carries anyone's
	// temp objects.
	var leftovers int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_views() WHERE database_name = 'temp'").Scan(&leftovers); err != nil || leftovers != 0 {
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return nil, fmt.Errorf("duckdb: refusing a connection that is not fresh (%d temp views, %v)", leftovers, err)
	}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			conn.Close()
			return nil, fmt.Errorf("duckdb: set up policy views: %w", err)
		}
	}
	return &pooledConn{conn: conn, key: key}, nil
}

func (e *Engine) release(c *pooledConn) {
	version := e.cat.Load().PolicyVersion
	prefix := fmt.Sprintf("%d|", version)
	for _, old := range e.pool.give(c, func(key string) bool { return strings.HasPrefix(key, prefix) }) {
		old.close()
	}
}

// context returns the cached policy context of sub under cat.
func (e *Engine) context(ctx context.Context, cat *policy.Catalog, sub policy.Subject) (*policyContext, error) {
	key := contextKey(cat.PolicyVersion, sub)
	e.ctxMu.Lock()
	pc, ok := e.contexts[key]
	e.ctxMu.Unlock()
	if ok {
		return pc, nil
	}
	pc, err := e.buildContext(ctx, e.parse, cat, sub)
	if err != nil {
		return nil, err
	}
	e.ctxMu.Lock()
	defer e.ctxMu.Unlock()
	if len(e.contexts) >= maxContexts {
		for k, v := range e.contexts {
			if v.version != cat.PolicyVersion || len(e.contexts) >= maxContexts {
				delete(e.contexts, k)
			}
		}
	}
	e.contexts[key] = pc
	return pc, nil
}

const maxContexts = 1024
