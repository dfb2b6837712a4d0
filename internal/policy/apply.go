package policy

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/policy/ddl"
	"github.com/tipgate/tipgate/internal/sqlerr"
)

// ExprInfo is what an engine's parser found in a policy expression.
type ExprInfo struct {
	// Columns are the column references outside subqueries, as written
	// (one to three name parts), lower-cased.
	Columns [][]string
	// SubqueryColumns are the column references inside subqueries.
	SubqueryColumns [][]string
	// Tables are the relations read anywhere in the expression, lower-cased.
	Tables []string
}

// Analyzer parses policy expressions with the engine's own grammar, so the
// catalog checks what the engine will later run.
type Analyzer interface {
	AnalyzeExpr(ctx context.Context, expr string) (ExprInfo, error)
}

// ExprTyper is an Analyzer that can also tell the type of an expression
// over typed inputs; with it, masking policies are type-checked at ATTACH.
type ExprTyper interface {
	TypeOf(ctx context.Context, expr string, inputs []Column) (string, error)
}

// Env is what Apply needs besides the statement.
type Env struct {
	Actor    Subject
	Analyzer Analyzer
	Now      func() time.Time
}

func (e Env) now() int64 {
	if e.Now != nil {
		return e.Now().UnixMicro()
	}
	return time.Now().UnixMicro()
}

// IsSecurityDDL reports whether the statement only changes the catalog.
func IsSecurityDDL(st ddl.Stmt) bool {
	switch st.(type) {
	case *ddl.CreateUser, *ddl.DropUser, *ddl.CreateRole, *ddl.DropRole, *ddl.GrantRole,
		*ddl.GrantPrivilege, *ddl.GrantUsage, *ddl.GrantSystem,
		*ddl.CreateRLSPolicy, *ddl.AlterRLSPolicy, *ddl.DropRLSPolicy, *ddl.AttachRLSPolicy, *ddl.AlterTableRLS,
		*ddl.CreateMaskingPolicy, *ddl.AlterMaskingPolicy, *ddl.DropMaskingPolicy, *ddl.AttachMaskingPolicy:
		return true
	}
	return false
}

// Apply runs one security statement and returns the new catalog. The
// receiver is never modified; on error no new catalog exists.
func (c *Catalog) Apply(ctx context.Context, st ddl.Stmt, env Env) (*Catalog, error) {
	n := c.clone()
	var err error
	switch s := st.(type) {
	case *ddl.CreateUser:
		err = n.createUser(s, env)
	case *ddl.DropUser:
		err = n.dropUser(s, env)
	case *ddl.CreateRole:
		err = n.createRole(s, env)
	case *ddl.DropRole:
		err = n.dropRole(s, env)
	case *ddl.GrantRole:
		err = n.grantRole(s, env)
	case *ddl.GrantPrivilege:
		err = n.grantPrivilege(s, env)
	case *ddl.GrantUsage:
		err = n.grantUsage(s, env)
	case *ddl.GrantSystem:
		err = n.grantSystem(s, env)
	case *ddl.CreateRLSPolicy:
		err = n.createRLSPolicy(ctx, s, env)
	case *ddl.AlterRLSPolicy:
		err = n.alterRLSPolicy(ctx, s, env)
	case *ddl.DropRLSPolicy:
		err = n.dropRLSPolicy(s, env)
	case *ddl.AttachRLSPolicy:
		err = n.attachRLSPolicy(s, env)
	case *ddl.AlterTableRLS:
		err = n.alterTableRLS(s, env)
	case *ddl.CreateMaskingPolicy:
		err = n.createMaskingPolicy(ctx, s, env)
	case *ddl.AlterMaskingPolicy:
		err = n.alterMaskingPolicy(ctx, s, env)
	case *ddl.DropMaskingPolicy:
		err = n.dropMaskingPolicy(s, env)
	case *ddl.AttachMaskingPolicy:
		err = n.attachMaskingPolicy(ctx, s, env)
	default:
		return nil, sqlerr.New(sqlerr.FeatureUnsupported, "statement is not security DDL")
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

func requireSecAdmin(env Env, what string) error {
	if env.Actor.CanAdminSecurity() {
		return nil
	}
	return sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers and sys:secadmin may %s", what)
}

func requireSuperuser(env Env, what string) error {
	if env.Actor.Superuser {
		return nil
	}
	return sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers may %s", what)
}

func validName(kind, name string) error {
	switch {
	case name == "":
		return sqlerr.New(sqlerr.InvalidParameter, "%s name must not be empty", kind)
	case len(name) > 127:
		return sqlerr.New(sqlerr.InvalidParameter, "%s name %q is longer than 127 bytes", kind, name[:32]+"...")
	case strings.ContainsAny(name, "\n\r\x00"):
		return sqlerr.New(sqlerr.InvalidParameter, "%s name must not contain a newline or NUL", kind)
	}
	return nil
}

func (c *Catalog) createUser(s *ddl.CreateUser, env Env) error {
	if err := requireSecAdmin(env, "create users"); err != nil {
		return err
	}
	if err := validName("user", s.Name); err != nil {
		return err
	}
	if s.Superuser && !env.Actor.Superuser {
		return sqlerr.New(sqlerr.PermissionDenied, "permission denied: only superusers may create superusers")
	}
	if _, ok := c.Users[s.Name]; ok {
		return sqlerr.New(sqlerr.DuplicateObject, "user %q already exists", s.Name)
	}
	if _, ok := c.Roles[s.Name]; ok || IsSystemRole(s.Name) {
		return sqlerr.New(sqlerr.DuplicateObject, "a role named %q already exists", s.Name)
	}
	c.Users[s.Name] = &User{Name: s.Name, Superuser: s.Superuser}
	return nil
}

// EnsureUser returns a catalog in which the federated user exists, creating
// it as Redshift does on a principal's first sign-in. It returns the
// receiver itself when the user already exists.
func (c *Catalog) EnsureUser(name string) (*Catalog, error) {
	if _, ok := c.Users[name]; ok {
		return c, nil
	}
	if err := validName("user", name); err != nil {
		return nil, err
	}
	if _, ok := c.Roles[name]; ok {
		return nil, sqlerr.New(sqlerr.DuplicateObject, "a role named %q already exists", name)
	}
	n := c.clone()
	n.Users[name] = &User{Name: name, Auto: true}
	n.PolicyVersion = c.PolicyVersion // a user alone decides nothing
	return n, nil
}

// EnsureRoles returns a catalog in which the roles exist, creating the
// missing ones as Redshift's AUTO_CREATE_ROLES does for identity-provider
// groups (the identity layer has already applied INCLUDE/EXCLUDE). It
// returns the receiver itself when nothing is missing.
func (c *Catalog) EnsureRoles(names []string) (*Catalog, error) {
	var missing []string
	for _, n := range names {
		if _, ok := c.Roles[n]; !ok && !slices.Contains(missing, n) {
			if err := validRoleName(n); err != nil {
				return nil, err
			}
			if _, clash := c.Users[n]; clash {
				return nil, sqlerr.New(sqlerr.DuplicateObject, "role name %q equals a user name", n)
			}
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return c, nil
	}
	n := c.clone()
	for _, name := range missing {
		n.Roles[name] = &Role{Name: name}
	}
	// An empty role decides nothing: a subject that now holds it has a new
	// key (its role set changed) and every other subject's decision stands.
	n.PolicyVersion = c.PolicyVersion
	return n, nil
}

func (c *Catalog) dropUser(s *ddl.DropUser, env Env) error {
	if err := requireSecAdmin(env, "drop users"); err != nil {
		return err
	}
	for _, name := range s.Names {
		if _, ok := c.Users[name]; !ok {
			if s.IfExists {
				continue
			}
			return sqlerr.New(sqlerr.UndefinedObject, "user %q does not exist", name)
		}
		if name == env.Actor.User {
			return sqlerr.New(sqlerr.InvalidParameter, "user %q cannot drop itself", name)
		}
		for _, t := range c.Tables {
			if t.Owner == name {
				return sqlerr.New(sqlerr.DependentObjects, "user %q cannot be dropped because the user owns table %s", name, t.Name)
			}
		}
		delete(c.Users, name)
		c.forgetGrantee(Grantee{Kind: KindUser, Name: name})
	}
	return nil
}

// forgetGrantee removes every grant and attachment to g, as DROP USER and
// DROP ROLE do (policies are detached automatically).
func (c *Catalog) forgetGrantee(g Grantee) {
	c.Memberships = slices.DeleteFunc(c.Memberships, func(m Membership) bool { return m.Grantee == g })
	c.TableGrants = slices.DeleteFunc(c.TableGrants, func(x TableGrant) bool { return x.Grantee == g })
	c.SystemGrants = slices.DeleteFunc(c.SystemGrants, func(x SystemGrant) bool { return x.Grantee == g })
	c.RLSAttachments = slices.DeleteFunc(c.RLSAttachments, func(x RLSAttachment) bool { return x.Grantee == g })
	c.MaskAttachments = slices.DeleteFunc(c.MaskAttachments, func(x MaskAttachment) bool { return x.Grantee == g })
}

// validRoleName applies Redshift's role-name rules. A colon is allowed only
// as an identity-provider namespace prefix ("AWSIDC:amer-sales").
func validRoleName(name string) error {
	if err := validName("role", name); err != nil {
		return err
	}
	lower := strings.ToLower(name)
	switch {
	case lower == "public" || lower == "none" || lower == "all":
		return sqlerr.New(sqlerr.InvalidParameter, "role name %q is reserved", name)
	case strings.HasPrefix(lower, "sys:") || strings.HasPrefix(lower, "ds:"):
		return sqlerr.New(sqlerr.InvalidParameter, "role name %q uses a reserved prefix", name)
	case strings.Contains(name, "/"):
		return sqlerr.New(sqlerr.InvalidParameter, "role name %q must not contain \"/\"", name)
	case strings.Count(name, ":") > 1:
		return sqlerr.New(sqlerr.InvalidParameter, "role name %q must not contain \":\" except after an identity namespace", name)
	}
	if ns, rest, ok := strings.Cut(name, ":"); ok && (ns == "" || rest == "") {
		return sqlerr.New(sqlerr.InvalidParameter, "role name %q must not contain \":\" except after an identity namespace", name)
	}
	return nil
}

func (c *Catalog) createRole(s *ddl.CreateRole, env Env) error {
	if err := requireSecAdmin(env, "create roles"); err != nil {
		return err
	}
	if err := validRoleName(s.Name); err != nil {
		return err
	}
	if _, ok := c.Roles[s.Name]; ok {
		return sqlerr.New(sqlerr.DuplicateObject, "role %q already exists", s.Name)
	}
	if _, ok := c.Users[s.Name]; ok {
		return sqlerr.New(sqlerr.DuplicateObject, "role name %q equals a user name", s.Name)
	}
	c.Roles[s.Name] = &Role{Name: s.Name, ExternalID: s.ExternalID}
	return nil
}

func (c *Catalog) dropRole(s *ddl.DropRole, env Env) error {
	if err := requireSecAdmin(env, "drop roles"); err != nil {
		return err
	}
	if IsSystemRole(s.Name) {
		return sqlerr.New(sqlerr.InvalidParameter, "system role %q cannot be dropped", s.Name)
	}
	if _, ok := c.Roles[s.Name]; !ok {
		return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", s.Name)
	}
	if !s.Force {
		for _, m := range c.Memberships {
			if m.Role == s.Name && m.Grantee.Kind == KindRole {
				return sqlerr.New(sqlerr.DependentObjects, "cannot drop role %q because it is granted to role %q; use DROP ROLE ... FORCE", s.Name, m.Grantee.Name)
			}
		}
	}
	delete(c.Roles, s.Name)
	c.Memberships = slices.DeleteFunc(c.Memberships, func(m Membership) bool { return m.Role == s.Name })
	c.forgetGrantee(Grantee{Kind: KindRole, Name: s.Name})
	return nil
}

func (c *Catalog) roleExists(name string) bool {
	_, ok := c.Roles[name]
	return ok || IsSystemRole(name)
}

// checkGrantee verifies that a user or role grantee exists.
func (c *Catalog) checkGrantee(g Grantee) error {
	switch g.Kind {
	case KindUser:
		if _, ok := c.Users[g.Name]; !ok {
			return sqlerr.New(sqlerr.UndefinedObject, "user %q does not exist", g.Name)
		}
	case KindRole:
		if !c.roleExists(g.Name) {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", g.Name)
		}
	}
	return nil
}

// roleReaches reports whether role from reaches role to through memberships
// (to is granted to from, directly or nested).
func (c *Catalog) roleReaches(from, to string) bool {
	seen := map[string]bool{}
	queue := []string{from}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		if r == to {
			return true
		}
		if seen[r] {
			continue
		}
		seen[r] = true
		for _, m := range c.Memberships {
			if m.Grantee.Kind == KindRole && m.Grantee.Name == r {
				queue = append(queue, m.Role)
			}
		}
	}
	return false
}

func (c *Catalog) grantRole(s *ddl.GrantRole, env Env) error {
	for _, r := range s.Roles {
		if !c.roleExists(r) {
			return sqlerr.New(sqlerr.UndefinedObject, "role %q does not exist", r)
		}
		if IsSystemRole(r) {
			if err := requireSuperuser(env, "grant or revoke system roles"); err != nil {
				return err
			}
		} else if !env.Actor.CanAdminSecurity() && !c.isRoleAdmin(env.Actor.User, r) {
			return sqlerr.New(sqlerr.PermissionDenied, "permission denied: no admin option on role %q", r)
		}
	}
	for _, dg := range s.Grantees {
		g := granteeFrom(dg)
		if g.Kind == KindPublic {
			return sqlerr.New(sqlerr.InvalidParameter, "roles cannot be granted to PUBLIC")
		}
		if err := c.checkGrantee(g); err != nil {
			return err
		}
		for _, r := range s.Roles {
			idx := slices.IndexFunc(c.Memberships, func(m Membership) bool { return m.Role == r && m.Grantee == g })
			if s.Revoke {
				if idx >= 0 {
					c.Memberships = slices.Delete(c.Memberships, idx, idx+1)
				}
				continue
			}
			if g.Kind == KindRole && (g.Name == r || c.roleReaches(r, g.Name)) {
				return sqlerr.New(sqlerr.InvalidParameter, "granting role %q to role %q would create a cycle", r, g.Name)
			}
			if idx >= 0 {
				c.Memberships[idx].Admin = c.Memberships[idx].Admin || s.AdminOption
				continue
			}
			c.Memberships = append(c.Memberships, Membership{Role: r, Grantee: g, Admin: s.AdminOption})
		}
	}
	return nil
}

func (c *Catalog) isRoleAdmin(user, role string) bool {
	return slices.ContainsFunc(c.Memberships, func(m Membership) bool {
		return m.Role == role && m.Admin && m.Grantee == Grantee{Kind: KindUser, Name: user}
	})
}

func (c *Catalog) grantUsage(s *ddl.GrantUsage, env Env) error {
	if err := requireSecAdmin(env, "grant schema or database privileges"); err != nil {
		return err
	}
	for _, g := range s.Grantees {
		if err := c.checkGrantee(granteeFrom(g)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Catalog) grantSystem(s *ddl.GrantSystem, env Env) error {
	if err := requireSecAdmin(env, "grant "+strings.ToUpper(s.Privilege)); err != nil {
		return err
	}
	for _, dg := range s.Grantees {
		g := granteeFrom(dg)
		if g.Kind == KindPublic {
			return sqlerr.New(sqlerr.InvalidParameter, "%s cannot be granted to PUBLIC", strings.ToUpper(s.Privilege))
		}
		if err := c.checkGrantee(g); err != nil {
			return err
		}
		sg := SystemGrant{Privilege: s.Privilege, Grantee: g}
		i := slices.Index(c.SystemGrants, sg)
		switch {
		case s.Revoke && i >= 0:
			c.SystemGrants = slices.Delete(c.SystemGrants, i, i+1)
		case !s.Revoke && i < 0:
			c.SystemGrants = append(c.SystemGrants, sg)
		}
	}
	return nil
}
