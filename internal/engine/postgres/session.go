package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy"
)

// ensureSession makes the principal's PostgreSQL user role a member of the
// roles its token brings (its identity provider's groups that name
// catalog roles), as Redshift grants them at sign-in, so that the
// principal's statement runs with exactly the subject's roles. Memberships
// the catalog records itself are the compiler's. The grants are recorded
// in tipgate.session_roles so that a later compile keeps them.
//
// Memberships are cluster state shared by every session of the user: a
// second session of the same user with other groups changes them for the
// first one too, as a new sign-in does in Redshift.
func (e *Engine) ensureSession(ctx context.Context, cat *policy.Catalog, sub policy.Subject) error {
	user := pgName(e.opts.RolePrefix, sub.User)
	held := catalogRoles(cat, sub.User)
	var want []string
	for _, r := range sub.Roles {
		if !held[r] {
			want = append(want, pgName(e.opts.RolePrefix, r))
		}
	}
	slices.Sort(want)
	key := strings.Join(want, "\x00")
	e.sessionMu.Lock()
	defer e.sessionMu.Unlock()
	if got, ok := e.sessions[user]; ok && got == key {
		return nil
	}
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(lockKey)); err != nil {
		return fmt.Errorf("postgres: lock the catalog: %w", err)
	}
	cur, _, err := e.stored(ctx, tx)
	if err != nil {
		return err
	}
	c := &compiler{e: e, tx: tx, prefix: e.opts.RolePrefix}
	before, err := sessionEdges(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "DELETE FROM tipgate.session_roles WHERE pg_user = $1", user); err != nil {
		return fmt.Errorf("postgres: record session roles: %w", err)
	}
	for _, r := range want {
		if _, err := tx.Exec(ctx, "INSERT INTO tipgate.session_roles VALUES ($1, $2)", user, r); err != nil {
			return fmt.Errorf("postgres: record session roles: %w", err)
		}
	}
	if err := c.memberships(ctx, cur); err != nil {
		return err
	}
	after, err := sessionEdges(ctx, tx)
	if err != nil {
		return err
	}
	// New memberships may make a role hold a bypass together with a
	// restrictive policy's grantee, or stop it (bypass.go).
	catEdges := c.membershipEdges(cur)
	old := newRoleGraph(catEdges, before)
	c.graph = newRoleGraph(catEdges, after)
	for _, plan := range cur.Plans() {
		if overlapKey(c.bypassOverlap(old, plan)) != overlapKey(c.bypassOverlap(c.graph, plan)) {
			if err := c.table(ctx, cur, plan); err != nil {
				return err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit session roles: %w", err)
	}
	e.sessions[user] = key
	return nil
}

// catalogRoles are the roles the catalog itself grants to user, directly
// or through other roles.
func catalogRoles(cat *policy.Catalog, user string) map[string]bool {
	held := map[string]bool{}
	var queue []string
	for _, m := range cat.Memberships {
		if m.Grantee.Kind == policy.KindUser && m.Grantee.Name == user && !held[m.Role] {
			held[m.Role] = true
			queue = append(queue, m.Role)
		}
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		for _, m := range cat.Memberships {
			if m.Grantee.Kind == policy.KindRole && m.Grantee.Name == r && !held[m.Role] {
				held[m.Role] = true
				queue = append(queue, m.Role)
			}
		}
	}
	return held
}
