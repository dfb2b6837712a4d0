package duckdb

import (
	"context"
	"database/sql"
	"slices"
)

// maxPreparedPerConn bounds the statements kept prepared on one policy
// connection.
const maxPreparedPerConn = 32

// preparedStmts are the statements prepared on one policy connection, by
// the admitted text, so a text the principal sends again skips DuckDB's
// parse, bind and plan. A prepared statement is bound to its connection's
// policy views, and a connection only ever serves the one policy context
// (catalog version + subject) it was set up for: no plan crosses to a
// principal with other policies, and a new policy version closes the
// connection with its statements. DuckDB rebinds a prepared statement
// when a catalog it read changed (a raw table altered), but not when a
// temp view it read only through a constant was replaced, so anything that
// replaces the connection's temp objects (refreshDynamicViews, a batch's
// transaction) forgets every statement first (clear).
//
// Only the goroutine holding the connection (taken from the pool) uses
// its statements: no lock.
type preparedStmts struct {
	stmts map[string]*sql.Stmt
	order []string // oldest first
}

// prepared returns text prepared on c, preparing it on first use.
func (c *pooledConn) prepared(ctx context.Context, text string) (*sql.Stmt, error) {
	if st, ok := c.prep.stmts[text]; ok {
		return st, nil
	}
	st, err := c.conn.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	if c.prep.stmts == nil {
		c.prep.stmts = map[string]*sql.Stmt{}
	}
	for len(c.prep.order) >= maxPreparedPerConn {
		c.forget(c.prep.order[0])
	}
	c.prep.stmts[text] = st
	c.prep.order = append(c.prep.order, text)
	return st, nil
}

// forget closes the statement prepared for text, if any.
func (c *pooledConn) forget(text string) {
	st, ok := c.prep.stmts[text]
	if !ok {
		return
	}
	st.Close()
	delete(c.prep.stmts, text)
	c.prep.order = slices.DeleteFunc(c.prep.order, func(t string) bool { return t == text })
}

// clear closes every statement prepared on c.
func (c *pooledConn) clear() {
	for _, st := range c.prep.stmts {
		st.Close()
	}
	c.prep.stmts, c.prep.order = nil, nil
}

// close closes c's statements, then c.
func (c *pooledConn) close() error {
	c.clear()
	return c.conn.Close()
}
