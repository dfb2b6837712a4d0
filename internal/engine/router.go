package engine

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/policy"
	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
	"github.com/tipgate/tipgate/internal/sqlscan"
)

// superuserStatements are the statements a superuser may run directly on
// the raw tables. Schema changes go through tipgate's grammar so the
// catalog always knows every table.
var superuserStatements = []string{"select", "with", "insert", "update", "delete", "truncate", "explain", "values",
	"describe", "show", "summarize", "from", "table", "pivot", "unpivot"}

// Router is the one statement router every engine runs behind: parse →
// security DDL through policy.Catalog.Apply and a catalog commit → table
// DDL, COPY and reads to the backend. It implements Engine and Batcher.
type Router struct {
	b   Backend
	sys *SystemViews
}

var (
	_ Engine  = (*Router)(nil)
	_ Batcher = (*Router)(nil)
)

// New returns the router over b; sys are the system views b materialises
// (the same value, so the policies the router records are the ones b shows).
func New(b Backend, sys *SystemViews) *Router { return &Router{b: b, sys: sys} }

// Backend returns the engine behind the router, for its optional
// capabilities.
func (r *Router) Backend() Backend { return r.b }

// Catalog returns the current policy catalog snapshot.
func (r *Router) Catalog() *policy.Catalog { return r.b.Catalog() }

// Close closes the backend.
func (r *Router) Close() error { return r.b.Close() }

// Query runs one statement as p.
func (r *Router) Query(ctx context.Context, p identity.Principal, text string, args ...any) (Rows, error) {
	st, err := ddl.Parse(text)
	if err != nil {
		return nil, SyntaxError(err)
	}
	cat, err := r.ensureUser(ctx, p)
	if err != nil {
		return nil, err
	}
	sub := cat.Subject(p)
	if policy.IsSecurityDDL(st) {
		err := r.b.Commit(ctx, func(_ Tx, cur *policy.Catalog) (*policy.Catalog, error) {
			// Re-resolve against the catalog the change applies to.
			return cur.Apply(ctx, st, policy.Env{Actor: cur.Subject(p), Analyzer: r.b.Analyzer()})
		})
		if err != nil {
			return nil, err
		}
		return TagRows(st.Tag(), -1), nil
	}
	switch s := st.(type) {
	case *ddl.CreateTable, *ddl.DropTable, *ddl.AlterTable, *ddl.Copy:
		if !sub.Superuser {
			return nil, errTableDDL
		}
		var affected int64 = -1
		err := r.b.Commit(ctx, func(tx Tx, cur *policy.Catalog) (*policy.Catalog, error) {
			next, n, err := r.b.Table(ctx, tx, cur, cur.Subject(p), st)
			affected = n
			return next, err
		})
		if err != nil {
			return nil, err
		}
		return TagRows(st.Tag(), affected), nil
	case *ddl.Other:
		if sub.Superuser {
			if err := superuserStatement(text, s); err != nil {
				return nil, err
			}
			return r.b.Raw(ctx, nil, cat, sub, s, args)
		}
		rows, err := r.b.Read(ctx, cat, sub, s, args)
		if err != nil {
			return nil, err
		}
		r.recordApplied(sub, rows)
		return rows, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureUnsupported, "statement not supported")
}

var errTableDDL = sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers may create, change, drop or load tables")

// superuserStatement admits the statements a superuser may run on the raw
// tables. A statement keyword SQL knows but tipgate does not run is "not
// supported" (0A000); a word that starts no SQL statement at all (a typo
// such as SELEC) is the syntax error every principal gets from the
// engine's parser for the same text (42601), worded the same.
func superuserStatement(text string, s *ddl.Other) error {
	if slices.Contains(superuserStatements, s.Keyword) {
		return nil
	}
	if !sqlStatementKeywords[s.Keyword] {
		return unknownStatement(text, s.Keyword)
	}
	return sqlerr.New(sqlerr.FeatureUnsupported, "%s statements are not supported", strings.ToUpper(s.Keyword))
}

// sqlStatementKeywords are the words that begin a statement in Redshift,
// PostgreSQL or DuckDB besides superuserStatements and the security
// grammar's own.
var sqlStatementKeywords = map[string]bool{"abort": true, "analyze": true, "analyse": true, "attach": true, "begin": true,
	"call": true, "cancel": true, "checkpoint": true, "close": true, "cluster": true, "comment": true, "commit": true,
	"deallocate": true, "declare": true, "detach": true, "discard": true, "do": true, "end": true, "execute": true,
	"export": true, "fetch": true, "import": true, "install": true, "listen": true, "load": true, "lock": true,
	"merge": true, "move": true, "notify": true, "pragma": true, "prepare": true, "reassign": true, "refresh": true,
	"reindex": true, "release": true, "reset": true, "rollback": true, "savepoint": true, "security": true, "set": true,
	"start": true, "unload": true, "unlisten": true, "use": true, "vacuum": true, "create": true, "drop": true,
	"alter": true, "grant": true, "revoke": true, "copy": true}

// unknownStatement is the syntax error at the statement's first word, at
// its 1-based position in text, as PostgreSQL and DuckDB report it.
func unknownStatement(text, keyword string) error {
	near, pos := keyword, 0
	if toks, err := sqlscan.Tokens(text); err == nil {
		for _, t := range toks {
			if t.Kind == sqlscan.Ident && t.Value == keyword {
				near, pos = t.Text, t.Pos
				break
			}
		}
	}
	return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: `syntax error at or near "` + near + `"`, Position: pos + 1}
}

// SyntaxError turns a parse error into SQLSTATE 42601 with its position.
func SyntaxError(err error) error {
	var se *ddl.SyntaxError
	if errors.As(err, &se) {
		return &sqlerr.Error{Code: sqlerr.SyntaxError, Message: se.Error(), Position: se.Pos + 1, Err: err}
	}
	return sqlerr.Wrap(sqlerr.SyntaxError, err, "%s", err.Error())
}

// ensureUser records the federated user on first sight, as Redshift does on
// a principal's first sign-in, with the roles its identity provider's
// AUTO_CREATE_ROLES settings allow. Neither changes the policy version.
func (r *Router) ensureUser(ctx context.Context, p identity.Principal) (*policy.Catalog, error) {
	cat := r.b.Catalog()
	if p.Superuser {
		return cat, nil
	}
	if _, ok := cat.Users[p.User]; ok && allRolesExist(cat, p.AutoCreateRoles) {
		return cat, nil
	}
	err := r.b.Commit(ctx, func(_ Tx, cur *policy.Catalog) (*policy.Catalog, error) {
		next, err := cur.EnsureUser(p.User)
		if err != nil {
			return nil, err
		}
		return next.EnsureRoles(p.AutoCreateRoles)
	})
	if err != nil {
		return nil, err
	}
	return r.b.Catalog(), nil
}

func allRolesExist(cat *policy.Catalog, roles []string) bool {
	for _, r := range roles {
		if _, ok := cat.Roles[r]; !ok {
			return false
		}
	}
	return true
}

// QueryBatch runs stmts as p in one transaction. A batch of reads runs in
// one snapshot of the backend (ReadBatcher); a batch that changes data or
// policies runs in one catalog transaction, as single statements do. A
// batch may not mix the two for a non-superuser: its reads would have to
// see policies the batch has not committed yet.
func (r *Router) QueryBatch(ctx context.Context, p identity.Principal, stmts []Stmt, each func(int, Rows) error) error {
	parsed := make([]ddl.Stmt, len(stmts))
	writes, reads := 0, 0
	for i, st := range stmts {
		s, err := ddl.Parse(st.SQL)
		if err != nil {
			return SyntaxError(err)
		}
		parsed[i] = s
		if _, other := s.(*ddl.Other); other {
			reads++
		} else {
			writes++
		}
	}
	cat, err := r.ensureUser(ctx, p)
	if err != nil {
		return err
	}
	sub := cat.Subject(p)
	if sub.Superuser || writes > 0 {
		if !sub.Superuser && reads > 0 {
			return sqlerr.New(sqlerr.FeatureUnsupported, "a batch may not mix reads with changes to policies; run them as separate batches")
		}
		return r.changeBatch(ctx, p, parsed, stmts, each)
	}
	rb, ok := r.b.(ReadBatcher)
	if !ok {
		return sqlerr.New(sqlerr.FeatureUnsupported, "this engine cannot run reads as one transaction")
	}
	return rb.ReadBatch(ctx, cat, sub, stmts, func(i int, rows Rows) error {
		r.recordApplied(sub, rows)
		return each(i, rows)
	})
}

// recordApplied notes the row-level policies that shaped a principal's
// read, for SVV_RLS_APPLIED_POLICY.
func (r *Router) recordApplied(sub policy.Subject, rows Rows) {
	if pr, ok := rows.(PolicyReporter); ok && r.sys != nil {
		r.sys.applied.record(sub, pr.AppliedPolicies())
	}
}

// changeBatch runs every statement inside one catalog transaction.
func (r *Router) changeBatch(ctx context.Context, p identity.Principal, parsed []ddl.Stmt, stmts []Stmt, each func(int, Rows) error) error {
	return r.b.Commit(ctx, func(tx Tx, cur *policy.Catalog) (*policy.Catalog, error) {
		for i, st := range parsed {
			sub := cur.Subject(p)
			var rows Rows
			switch s := st.(type) {
			case *ddl.CreateTable, *ddl.DropTable, *ddl.AlterTable, *ddl.Copy:
				if !sub.Superuser {
					return nil, errTableDDL
				}
				next, affected, err := r.b.Table(ctx, tx, cur, sub, st)
				if err != nil {
					return nil, err
				}
				cur, rows = next, TagRows(st.Tag(), affected)
			case *ddl.Other:
				// Only superusers reach here with reads or DML (checked above).
				if err := superuserStatement(stmts[i].SQL, s); err != nil {
					return nil, err
				}
				out, err := r.b.Raw(ctx, tx, cur, sub, s, stmts[i].Args)
				if err != nil {
					return nil, err
				}
				rows = out
			default:
				next, err := cur.Apply(ctx, st, policy.Env{Actor: sub, Analyzer: r.b.Analyzer()})
				if err != nil {
					return nil, err
				}
				cur, rows = next, TagRows(st.Tag(), -1)
			}
			err := each(i, rows)
			if cerr := rows.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				return nil, err
			}
		}
		return cur, nil
	})
}
