package ddl

import "strings"

// Stmt is one parsed statement.
type Stmt interface {
	stmt()
	// Tag is the command tag a client is told, as Redshift and PostgreSQL
	// name it ("CREATE RLS POLICY", "REVOKE", "ALTER TABLE", …).
	Tag() string
}

// GranteeKind says what a grantee names.
type GranteeKind int

// Grantee kinds.
const (
	GranteeUser GranteeKind = iota
	GranteeRole
	GranteePublic
	GranteeRLSPolicy // GRANT SELECT ON lookup TO RLS POLICY p
)

// Grantee is the target of GRANT / ATTACH or the source of REVOKE / DETACH.
type Grantee struct {
	Kind GranteeKind
	Name string // empty for PUBLIC
}

// TableName is a possibly qualified relation name. Unquoted parts are
// lower-cased by the lexer; quoted parts keep their case.
type TableName struct {
	Database string
	Schema   string
	Name     string
}

// ColumnDef is a column with its type as written (normalised white space),
// e.g. {Name: "region", Type: "VARCHAR(10)"}.
type ColumnDef struct {
	Name string
	Type string
	// Table-definition extras (CREATE TABLE only).
	NotNull bool
	Default string // expression text, empty when absent
}

// Expr is an SQL expression kept as source text for the engine to parse.
type Expr struct {
	Text string
	Pos  int // byte offset of Text in the statement
}

// CreateUser is CREATE USER name [WITH] [PASSWORD 'x' | PASSWORD DISABLE] [CREATEUSER | NOCREATEUSER] [...].
// Other Redshift options (SYSLOG ACCESS, CONNECTION LIMIT, VALID UNTIL, SESSION TIMEOUT, EXTERNALID, CREATEDB) are accepted and ignored.
type CreateUser struct {
	Name      string
	Superuser bool // CREATEUSER
	// HasPassword records that a password was given; the password itself is never kept.
	HasPassword bool
}

// DropUser is DROP USER [IF EXISTS] name [, ...].
type DropUser struct {
	Names    []string
	IfExists bool
}

// CreateRole is CREATE ROLE name [EXTERNALID id].
type CreateRole struct {
	Name       string
	ExternalID string
}

// DropRole is DROP ROLE name [FORCE | RESTRICT].
type DropRole struct {
	Name  string
	Force bool
}

// GrantRole is GRANT ROLE r [, ...] TO grantee [, ...] (or REVOKE ... FROM ...).
// Grantees are users or ROLE r2; WITH ADMIN OPTION is accepted and recorded.
type GrantRole struct {
	Revoke      bool
	Roles       []string
	Grantees    []Grantee
	AdminOption bool
}

// GrantPrivilege is GRANT { SELECT | INSERT | UPDATE | DELETE | ALL [PRIVILEGES] } [(col, ...)] [, ...]
// ON { [TABLE] t [, ...] | ALL TABLES IN SCHEMA s } TO grantee [, ...] (or REVOKE ... FROM ...).
// Privileges are lower-case ("select", "insert", "update", "delete", "all").
type GrantPrivilege struct {
	Revoke      bool
	Privileges  []string
	Columns     []string // non-empty for a column-level grant
	Tables      []TableName
	AllInSchema string // set for ON ALL TABLES IN SCHEMA s
	Grantees    []Grantee
}

// GrantUsage is GRANT/REVOKE USAGE | CREATE | ALL ON SCHEMA s / DATABASE d ...: accepted, no effect
// (tipgate has one database and one schema).
type GrantUsage struct {
	Revoke   bool
	Object   string // "schema" or "database"
	Names    []string
	Grantees []Grantee
}

// GrantSystem is GRANT/REVOKE { IGNORE RLS | EXPLAIN RLS | EXPLAIN MASKING } TO/FROM grantee.
// Privilege is "ignore rls", "explain rls" or "explain masking".
type GrantSystem struct {
	Revoke    bool
	Privilege string
	Grantees  []Grantee
}

// CreateRLSPolicy is CREATE RLS POLICY p [WITH (col type, ...) [[AS] alias]] USING (predicate).
type CreateRLSPolicy struct {
	Name  string
	With  []ColumnDef
	Alias string
	Using Expr
}

// AlterRLSPolicy is ALTER RLS POLICY p USING (predicate).
type AlterRLSPolicy struct {
	Name  string
	Using Expr
}

// DropRLSPolicy is DROP RLS POLICY [IF EXISTS] p [CASCADE | RESTRICT].
type DropRLSPolicy struct {
	Name     string
	IfExists bool
	Cascade  bool
}

// AttachRLSPolicy is ATTACH RLS POLICY p ON [TABLE] t [, ...] TO grantee [, ...]
// or, with Detach, DETACH RLS POLICY p ON [TABLE] t [, ...] FROM grantee [, ...].
type AttachRLSPolicy struct {
	Detach   bool
	Policy   string
	Tables   []TableName
	Grantees []Grantee
}

// AlterTableRLS is ALTER TABLE t ROW LEVEL SECURITY { ON | OFF } [CONJUNCTION TYPE { AND | OR }] [FOR DATASHARES].
type AlterTableRLS struct {
	Table         TableName
	On            bool
	Conjunction   string // "", "and" or "or"
	ForDatashares bool
}

// CreateMaskingPolicy is CREATE MASKING POLICY p [IF NOT EXISTS] WITH (col type, ...) USING (expr [, ...]).
type CreateMaskingPolicy struct {
	Name        string
	IfNotExists bool
	Inputs      []ColumnDef
	Using       []Expr // one per output; usually one
}

// AlterMaskingPolicy is ALTER MASKING POLICY p USING (expr [, ...]).
type AlterMaskingPolicy struct {
	Name  string
	Using []Expr
}

// DropMaskingPolicy is DROP MASKING POLICY [IF EXISTS] p [CASCADE | RESTRICT].
type DropMaskingPolicy struct {
	Name     string
	IfExists bool
	Cascade  bool
}

// AttachMaskingPolicy is ATTACH MASKING POLICY p ON t (out, ...) [USING (in, ...)] TO grantee [PRIORITY n]
// or, with Detach, DETACH MASKING POLICY p ON t (out, ...) FROM grantee.
type AttachMaskingPolicy struct {
	Detach   bool
	Policy   string
	Table    TableName
	Outputs  []string
	Inputs   []string // empty: the outputs are the inputs
	Grantee  Grantee
	Priority int
}

// CreateTable is CREATE [TEMP] TABLE [IF NOT EXISTS] t (col type [constraints], ...) [Redshift table attributes]
// or CREATE TABLE t AS query. Redshift-only attributes (DISTSTYLE, DISTKEY, SORTKEY, ENCODE, BACKUP,
// IDENTITY) are accepted and dropped.
type CreateTable struct {
	Table       TableName
	IfNotExists bool
	Columns     []ColumnDef
	AsQuery     string // CTAS query text, empty otherwise
}

// DropTable is DROP TABLE [IF EXISTS] t [, ...] [CASCADE | RESTRICT].
type DropTable struct {
	Tables   []TableName
	IfExists bool
	Cascade  bool
}

// AlterTable covers the ALTER TABLE forms other than ROW LEVEL SECURITY.
type AlterTable struct {
	Table  TableName
	Action string // "rename", "rename column", "drop column", "add column", "alter column type", "owner"
	// Column is the column acted on (rename column, drop column, alter column type).
	Column string
	// NewName is the new table or column name (rename, rename column).
	NewName string
	// ColumnDef is the added column (add column) or the new type in ColumnDef.Type (alter column type).
	ColumnDef ColumnDef
}

// Copy is Redshift's COPY t [(col, ...)] FROM 'source' [options].
type Copy struct {
	Table   TableName
	Columns []string
	From    string
	// Format is "csv" (also the default for delimited text) or "parquet".
	Format       string
	Delimiter    string // empty: default for the format
	IgnoreHeader int
	TimeFormat   string // e.g. "auto", empty when absent
	DateFormat   string
	NullAs       string
	HasNullAs    bool
	QuoteChar    string
	EmptyAsNull  bool
	BlanksAsNull bool
	// IAMRole, Region, Credentials and similar AWS options are accepted and ignored.
}

// Other is any statement the security grammar does not own (SELECT, INSERT, UPDATE, DELETE, WITH,
// EXPLAIN, SET, ...): the engine decides what to do with it. Keyword is the first keyword, lower-cased.
type Other struct {
	Keyword string
	Text    string
}

func (*CreateUser) stmt()          {}
func (*DropUser) stmt()            {}
func (*CreateRole) stmt()          {}
func (*DropRole) stmt()            {}
func (*GrantRole) stmt()           {}
func (*GrantPrivilege) stmt()      {}
func (*GrantUsage) stmt()          {}
func (*GrantSystem) stmt()         {}
func (*CreateRLSPolicy) stmt()     {}
func (*AlterRLSPolicy) stmt()      {}
func (*DropRLSPolicy) stmt()       {}
func (*AttachRLSPolicy) stmt()     {}
func (*AlterTableRLS) stmt()       {}
func (*CreateMaskingPolicy) stmt() {}
func (*AlterMaskingPolicy) stmt()  {}
func (*DropMaskingPolicy) stmt()   {}
func (*AttachMaskingPolicy) stmt() {}
func (*CreateTable) stmt()         {}
func (*DropTable) stmt()           {}
func (*AlterTable) stmt()          {}
func (*Copy) stmt()                {}
func (*Other) stmt()               {}

// Tag implementations. Revocations and detachments answer with the verb
// they are.
func (*CreateUser) Tag() string          { return "CREATE USER" }
func (*DropUser) Tag() string            { return "DROP USER" }
func (*CreateRole) Tag() string          { return "CREATE ROLE" }
func (*DropRole) Tag() string            { return "DROP ROLE" }
func (*CreateRLSPolicy) Tag() string     { return "CREATE RLS POLICY" }
func (*AlterRLSPolicy) Tag() string      { return "ALTER RLS POLICY" }
func (*DropRLSPolicy) Tag() string       { return "DROP RLS POLICY" }
func (*AlterTableRLS) Tag() string       { return "ALTER TABLE" }
func (*CreateMaskingPolicy) Tag() string { return "CREATE MASKING POLICY" }
func (*AlterMaskingPolicy) Tag() string  { return "ALTER MASKING POLICY" }
func (*DropMaskingPolicy) Tag() string   { return "DROP MASKING POLICY" }
func (*CreateTable) Tag() string         { return "CREATE TABLE" }
func (*DropTable) Tag() string           { return "DROP TABLE" }
func (*AlterTable) Tag() string          { return "ALTER TABLE" }
func (*Copy) Tag() string                { return "COPY" }

func (s *GrantRole) Tag() string { return grantTag(s.Revoke, "GRANT ROLE", "REVOKE ROLE") }

func (s *GrantPrivilege) Tag() string { return grantTag(s.Revoke, "GRANT", "REVOKE") }

func (s *GrantUsage) Tag() string { return grantTag(s.Revoke, "GRANT", "REVOKE") }

func (s *GrantSystem) Tag() string { return grantTag(s.Revoke, "GRANT", "REVOKE") }

func (s *AttachRLSPolicy) Tag() string {
	return grantTag(s.Detach, "ATTACH RLS POLICY", "DETACH RLS POLICY")
}

func (s *AttachMaskingPolicy) Tag() string {
	return grantTag(s.Detach, "ATTACH MASKING POLICY", "DETACH MASKING POLICY")
}

// Tag of a statement tipgate passes on is its first keyword.
func (s *Other) Tag() string { return strings.ToUpper(s.Keyword) }

func grantTag(undo bool, do, undone string) string {
	if undo {
		return undone
	}
	return do
}
