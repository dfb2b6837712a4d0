package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/policy/ddl"
)

// System role names (Redshift's system-defined roles).
const (
	RoleSuperuser = "sys:superuser"
	RoleSecAdmin  = "sys:secadmin"
	RoleDBA       = "sys:dba"
	RoleOperator  = "sys:operator"
	RoleMonitor   = "sys:monitor"
)

// SystemRoles are the roles that exist in every catalog.
var systemRoles = []string{RoleSuperuser, RoleSecAdmin, RoleDBA, RoleOperator, RoleMonitor}

// IsSystemRole reports whether name is a system-defined role.
func IsSystemRole(name string) bool { return slices.Contains(systemRoles, name) }

// System privileges grantable with GRANT ... TO.
const (
	PrivIgnoreRLS      = "ignore rls"
	PrivExplainRLS     = "explain rls"
	PrivExplainMasking = "explain masking"
)

// Grantee kinds as persisted.
const (
	KindUser   = "user"
	KindRole   = "role"
	KindPublic = "public"
)

// Grantee is a user, a role or PUBLIC.
type Grantee struct {
	Kind string `json:"kind"`
	Name string `json:"name,omitempty"`
}

func (g Grantee) String() string {
	switch g.Kind {
	case KindPublic:
		return "PUBLIC"
	case KindRole:
		return "ROLE " + g.Name
	default:
		return g.Name
	}
}

// Column is a table column with its declared type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Table is a relation the warehouse holds, with its RLS switches.
type Table struct {
	Name    string   `json:"name"`
	Owner   string   `json:"owner"`
	Columns []Column `json:"columns"`
	RLS     bool     `json:"rls"`
	// Conjunction is "and" (default) or "or".
	Conjunction   string `json:"conjunction"`
	DatashareRLS  bool   `json:"datashare_rls"`
	DatashareConj string `json:"datashare_conjunction"`
}

// Column returns the named column (case-insensitive) and whether it exists.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// User is a database user.
type User struct {
	Name      string `json:"name"`
	Superuser bool   `json:"superuser,omitempty"`
	// Auto is true for users created on first sight of a federated principal.
	Auto bool `json:"auto,omitempty"`
}

// Role is a database role.
type Role struct {
	Name       string `json:"name"`
	ExternalID string `json:"external_id,omitempty"`
}

// Membership grants Role to Grantee (a user or a role).
type Membership struct {
	Role    string  `json:"role"`
	Grantee Grantee `json:"grantee"`
	Admin   bool    `json:"admin,omitempty"`
}

// TableGrant is a privilege on a table; Columns nil means table level.
type TableGrant struct {
	Table     string   `json:"table"`
	Privilege string   `json:"privilege"`
	Columns   []string `json:"columns,omitempty"`
	Grantee   Grantee  `json:"grantee"`
}

// SystemGrant is IGNORE RLS, EXPLAIN RLS or EXPLAIN MASKING held by a grantee.
type SystemGrant struct {
	Privilege string  `json:"privilege"`
	Grantee   Grantee `json:"grantee"`
}

// RLSPolicy is a row-level security policy.
type RLSPolicy struct {
	Name  string   `json:"name"`
	With  []Column `json:"with"`
	Alias string   `json:"alias,omitempty"`
	Using string   `json:"using"`
	// Lookups are the tables the predicate reads.
	Lookups    []string `json:"lookups,omitempty"`
	ModifiedBy string   `json:"modified_by"`
	ModifiedAt int64    `json:"modified_at"` // unix micros
}

// RLSAttachment attaches a policy to a table for a grantee.
type RLSAttachment struct {
	Policy  string  `json:"policy"`
	Table   string  `json:"table"`
	Grantee Grantee `json:"grantee"`
	Grantor string  `json:"grantor"`
}

// LookupGrant lets a policy read a lookup table (GRANT SELECT ON t TO RLS POLICY p).
type LookupGrant struct {
	Table  string `json:"table"`
	Policy string `json:"policy"`
}

// MaskingPolicy is a dynamic data masking policy with a single output.
type MaskingPolicy struct {
	Name   string   `json:"name"`
	Inputs []Column `json:"inputs"`
	// Using holds one expression per output (a tuple policy has several).
	Using      []string `json:"using"`
	ModifiedBy string   `json:"modified_by"`
	ModifiedAt int64    `json:"modified_at"`
}

// MaskAttachment attaches a masking policy to output columns of a table.
type MaskAttachment struct {
	Policy   string   `json:"policy"`
	Table    string   `json:"table"`
	Outputs  []string `json:"outputs"`
	Inputs   []string `json:"inputs"`
	Grantee  Grantee  `json:"grantee"`
	Priority int      `json:"priority"`
	Grantor  string   `json:"grantor"`
}

// Catalog is an immutable snapshot of the warehouse's security state. Apply
// returns a new Catalog; nothing mutates one after it is published.
type Catalog struct {
	// Version counts every committed change, for persistence.
	Version int64 `json:"version"`
	// PolicyVersion counts only changes that can alter a decision. Recording
	// a user or role on first sight does not (a new user has no grants, and
	// a new role none either, so no one else's decision moves; the newcomer's
	// own subject is a new key anyway), so a first sign-in leaves every
	// policy context, pooled connection and cached answer keyed by it valid.
	PolicyVersion   int64                     `json:"policy_version"`
	Users           map[string]*User          `json:"users"`
	Roles           map[string]*Role          `json:"roles"`
	Memberships     []Membership              `json:"memberships"`
	Tables          map[string]*Table         `json:"tables"`
	TableGrants     []TableGrant              `json:"table_grants"`
	SystemGrants    []SystemGrant             `json:"system_grants"`
	RLSPolicies     map[string]*RLSPolicy     `json:"rls_policies"`
	RLSAttachments  []RLSAttachment           `json:"rls_attachments"`
	LookupGrants    []LookupGrant             `json:"lookup_grants"`
	MaskingPolicies map[string]*MaskingPolicy `json:"masking_policies"`
	MaskAttachments []MaskAttachment          `json:"mask_attachments"`
}

// New returns an empty catalog at version 1.
func New() *Catalog {
	return &Catalog{
		Version:         1,
		PolicyVersion:   1,
		Users:           map[string]*User{},
		Roles:           map[string]*Role{},
		Tables:          map[string]*Table{},
		RLSPolicies:     map[string]*RLSPolicy{},
		MaskingPolicies: map[string]*MaskingPolicy{},
	}
}

// Marshal encodes the catalog for storage.
func (c *Catalog) Marshal() ([]byte, error) { return json.Marshal(c) }

// Unmarshal decodes a stored catalog.
func Unmarshal(b []byte) (*Catalog, error) {
	c := New()
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("policy: decode catalog: %w", err)
	}
	for _, m := range []any{c.Users, c.Roles, c.Tables, c.RLSPolicies, c.MaskingPolicies} {
		if m == nil {
			return nil, fmt.Errorf("policy: decode catalog: missing section")
		}
	}
	if c.PolicyVersion == 0 {
		// Written before policy versions were kept apart.
		c.PolicyVersion = c.Version
	}
	return c, nil
}

// clone returns a deep copy with both versions incremented; mutations happen
// only on clones, before they are published.
func (c *Catalog) clone() *Catalog {
	b, err := c.Marshal()
	if err != nil {
		panic(fmt.Sprintf("policy: catalog does not encode: %v", err)) // only plain data inside
	}
	n, err := Unmarshal(b)
	if err != nil {
		panic(fmt.Sprintf("policy: catalog does not decode: %v", err))
	}
	n.Version = c.Version + 1
	n.PolicyVersion = c.PolicyVersion + 1
	return n
}

// Table returns the table by name (names are stored lower-case).
func (c *Catalog) Table(name string) (*Table, bool) {
	t, ok := c.Tables[strings.ToLower(name)]
	return t, ok
}

// TableNames returns the table names in sorted order.
func (c *Catalog) TableNames() []string {
	out := make([]string, 0, len(c.Tables))
	for n := range c.Tables {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// IsLookupTable reports whether any RLS policy reads the table.
func (c *Catalog) IsLookupTable(table string) (string, bool) {
	for _, name := range slices.Sorted(maps.Keys(c.RLSPolicies)) {
		if slices.Contains(c.RLSPolicies[name].Lookups, table) {
			return name, true
		}
	}
	return "", false
}

func granteeFrom(g ddl.Grantee) Grantee {
	switch g.Kind {
	case ddl.GranteePublic:
		return Grantee{Kind: KindPublic}
	case ddl.GranteeRole:
		return Grantee{Kind: KindRole, Name: g.Name}
	default:
		return Grantee{Kind: KindUser, Name: g.Name}
	}
}
