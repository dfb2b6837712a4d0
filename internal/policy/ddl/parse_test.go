package ddl

import (
	"encoding/json"
	"reflect"
	"testing"
)

type goodCase struct {
	sql  string
	want Stmt
}

func tbl(name string) TableName { return TableName{Name: name} }

func user(n string) Grantee { return Grantee{Kind: GranteeUser, Name: n} }
func role(n string) Grantee { return Grantee{Kind: GranteeRole, Name: n} }

var public = Grantee{Kind: GranteePublic}

// userRoleCases cover CREATE/DROP USER and ROLE and GRANT/REVOKE ROLE.
var userRoleCases = []goodCase{
	{`CREATE USER alice`, &CreateUser{Name: "alice"}},
	{`create user Alice with password 'Secr3tPw'`, &CreateUser{Name: "alice", HasPassword: true}},
	{`CREATE USER "AWSIDC:alice@example.com" PASSWORD DISABLE`, &CreateUser{Name: "AWSIDC:alice@example.com"}},
	{`CREATE USER bob PASSWORD 'md5abc' CREATEUSER`, &CreateUser{Name: "bob", Superuser: true, HasPassword: true}},
	{`CREATE USER bob NOCREATEUSER CREATEDB`, &CreateUser{Name: "bob"}},
	{`CREATE USER bob WITH NOCREATEDB SYSLOG ACCESS UNRESTRICTED VALID UNTIL '2030-01-01' CONNECTION LIMIT 10 SESSION TIMEOUT 3600 EXTERNALID "abc-1"`, &CreateUser{Name: "bob"}},
	{`CREATE USER bob SYSLOG ACCESS RESTRICTED CONNECTION LIMIT UNLIMITED EXTERNALID 'x9';`, &CreateUser{Name: "bob"}},
	{`DROP USER alice`, &DropUser{Names: []string{"alice"}}},
	{`DROP USER IF EXISTS alice, "Bob"`, &DropUser{Names: []string{"alice", "Bob"}, IfExists: true}},
	{`CREATE ROLE analyst`, &CreateRole{Name: "analyst"}},
	{`CREATE ROLE "AWSIDC:amer-sales"`, &CreateRole{Name: "AWSIDC:amer-sales"}},
	{`CREATE ROLE sales EXTERNALID "ABC123"`, &CreateRole{Name: "sales", ExternalID: "ABC123"}},
	{`CREATE ROLE sales EXTERNALID 'g-42'`, &CreateRole{Name: "sales", ExternalID: "g-42"}},
	{`DROP ROLE auditor`, &DropRole{Name: "auditor"}},
	{`DROP ROLE auditor FORCE`, &DropRole{Name: "auditor", Force: true}},
	{`DROP ROLE auditor RESTRICT`, &DropRole{Name: "auditor"}},
	{`GRANT ROLE analyst TO alice`, &GrantRole{Roles: []string{"analyst"}, Grantees: []Grantee{user("alice")}}},
	{`GRANT ROLE sys:secadmin TO alice`, &GrantRole{Roles: []string{"sys:secadmin"}, Grantees: []Grantee{user("alice")}}},
	{`GRANT ROLE SYS:DBA, ROLE sys:operator TO ROLE sys:superuser`, &GrantRole{Roles: []string{"sys:dba", "sys:operator"}, Grantees: []Grantee{role("sys:superuser")}}},
	{`GRANT ROLE a, b, ROLE c TO ROLE r3, bob`, &GrantRole{Roles: []string{"a", "b", "c"}, Grantees: []Grantee{role("r3"), user("bob")}}},
	{`GRANT ROLE a TO alice, bob WITH ADMIN OPTION`, &GrantRole{Roles: []string{"a"}, Grantees: []Grantee{user("alice"), user("bob")}, AdminOption: true}},
	{`GRANT ROLE "AWSIDC:amer-sales" TO "AWSIDC:alice@example.com"`, &GrantRole{Roles: []string{"AWSIDC:amer-sales"}, Grantees: []Grantee{user("AWSIDC:alice@example.com")}}},
	{`REVOKE ROLE a, ROLE b FROM alice, ROLE r`, &GrantRole{Revoke: true, Roles: []string{"a", "b"}, Grantees: []Grantee{user("alice"), role("r")}}},
	{`REVOKE ADMIN OPTION FOR ROLE a FROM alice`, &GrantRole{Revoke: true, Roles: []string{"a"}, Grantees: []Grantee{user("alice")}, AdminOption: true}},
	{`REVOKE ROLE sys:monitor FROM bob CASCADE`, &GrantRole{Revoke: true, Roles: []string{"sys:monitor"}, Grantees: []Grantee{user("bob")}}},
}

// grantCases cover object and system privileges.
var grantCases = []goodCase{
	{`GRANT SELECT ON t TO alice`, &GrantPrivilege{Privileges: []string{"select"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{user("alice")}}},
	{`grant select, insert, update, delete, references on table public.t, db.s.u to alice, role r, group g, public with grant option`,
		&GrantPrivilege{Privileges: []string{"select", "insert", "update", "delete", "references"},
			Tables:   []TableName{{Schema: "public", Name: "t"}, {Database: "db", Schema: "s", Name: "u"}},
			Grantees: []Grantee{user("alice"), role("r"), role("g"), public}}},
	{`GRANT ALL PRIVILEGES ON "Sales" TO PUBLIC`, &GrantPrivilege{Privileges: []string{"all"}, Tables: []TableName{tbl("Sales")}, Grantees: []Grantee{public}}},
	{`GRANT ALL ON ALL TABLES IN SCHEMA public TO ROLE r`, &GrantPrivilege{Privileges: []string{"all"}, AllInSchema: "public", Grantees: []Grantee{role("r")}}},
	{`GRANT SELECT (a, "B") ON t TO alice`, &GrantPrivilege{Privileges: []string{"select"}, Columns: []string{"a", "B"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{user("alice")}}},
	{`GRANT SELECT (a), UPDATE (a) ON TABLE t TO ROLE r`, &GrantPrivilege{Privileges: []string{"select", "update"}, Columns: []string{"a"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{role("r")}}},
	{`GRANT ALL PRIVILEGES (a, b) ON t TO alice`, &GrantPrivilege{Privileges: []string{"all"}, Columns: []string{"a", "b"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{user("alice")}}},
	{`GRANT SELECT ON lookup TO RLS POLICY p1, RLS POLICY dev.p2`, &GrantPrivilege{Privileges: []string{"select"}, Tables: []TableName{tbl("lookup")}, Grantees: []Grantee{{Kind: GranteeRLSPolicy, Name: "p1"}, {Kind: GranteeRLSPolicy, Name: "p2"}}}},
	{`REVOKE SELECT ON t FROM alice`, &GrantPrivilege{Revoke: true, Privileges: []string{"select"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{user("alice")}}},
	{`REVOKE UPDATE (c) ON t FROM ROLE r, PUBLIC RESTRICT`, &GrantPrivilege{Revoke: true, Privileges: []string{"update"}, Columns: []string{"c"}, Tables: []TableName{tbl("t")}, Grantees: []Grantee{role("r"), public}}},
	{`REVOKE ALL ON ALL TABLES IN SCHEMA s FROM GROUP g CASCADE`, &GrantPrivilege{Revoke: true, Privileges: []string{"all"}, AllInSchema: "s", Grantees: []Grantee{role("g")}}},
	{`REVOKE SELECT ON lookup FROM RLS POLICY p`, &GrantPrivilege{Revoke: true, Privileges: []string{"select"}, Tables: []TableName{tbl("lookup")}, Grantees: []Grantee{{Kind: GranteeRLSPolicy, Name: "p"}}}},
	{`GRANT USAGE ON SCHEMA public TO alice`, &GrantUsage{Object: "schema", Names: []string{"public"}, Grantees: []Grantee{user("alice")}}},
	{`GRANT USAGE, CREATE ON SCHEMA a, b TO ROLE r, PUBLIC WITH GRANT OPTION`, &GrantUsage{Object: "schema", Names: []string{"a", "b"}, Grantees: []Grantee{role("r"), public}}},
	{`GRANT ALL PRIVILEGES ON DATABASE dev TO GROUP g`, &GrantUsage{Object: "database", Names: []string{"dev"}, Grantees: []Grantee{role("g")}}},
	{`GRANT CREATE, TEMP ON DATABASE dev TO alice`, &GrantUsage{Object: "database", Names: []string{"dev"}, Grantees: []Grantee{user("alice")}}},
	{`REVOKE USAGE ON SCHEMA s FROM PUBLIC`, &GrantUsage{Revoke: true, Object: "schema", Names: []string{"s"}, Grantees: []Grantee{public}}},
	{`GRANT IGNORE RLS TO ROLE admin`, &GrantSystem{Privilege: "ignore rls", Grantees: []Grantee{role("admin")}}},
	{`GRANT EXPLAIN RLS TO alice`, &GrantSystem{Privilege: "explain rls", Grantees: []Grantee{user("alice")}}},
	{`GRANT EXPLAIN MASKING TO ROLE r, bob`, &GrantSystem{Privilege: "explain masking", Grantees: []Grantee{role("r"), user("bob")}}},
	{`REVOKE IGNORE RLS FROM alice`, &GrantSystem{Revoke: true, Privilege: "ignore rls", Grantees: []Grantee{user("alice")}}},
	{`REVOKE EXPLAIN MASKING FROM ROLE r`, &GrantSystem{Revoke: true, Privilege: "explain masking", Grantees: []Grantee{role("r")}}},
}

// policyCases cover RLS and masking policies.
var policyCases = []goodCase{
	{`CREATE RLS POLICY p USING (true)`, &CreateRLSPolicy{Name: "p", Using: Expr{Text: "true", Pos: 27}}},
	{`CREATE RLS POLICY policy_concerts WITH (catgroup VARCHAR(10)) USING (catgroup = 'Concerts')`,
		&CreateRLSPolicy{Name: "policy_concerts", With: []ColumnDef{{Name: "catgroup", Type: "VARCHAR(10)"}}, Using: Expr{Text: "catgroup = 'Concerts'", Pos: 69}}},
	{`CREATE RLS POLICY dev.policy_events WITH (eventid INTEGER) AS ev USING (ev.eventid IN (SELECT eventid FROM tickit_sales_redshift WHERE qtysold < 3));`,
		&CreateRLSPolicy{Name: "policy_events", With: []ColumnDef{{Name: "eventid", Type: "INTEGER"}}, Alias: "ev",
			Using: Expr{Text: "ev.eventid IN (SELECT eventid FROM tickit_sales_redshift WHERE qtysold < 3)", Pos: 72}}},
	{`create rls policy p with (a int, b double precision) t using ( a > 1 /* ) */ and b = ')' -- )
)`, &CreateRLSPolicy{Name: "p", With: []ColumnDef{{Name: "a", Type: "INT"}, {Name: "b", Type: "DOUBLE PRECISION"}}, Alias: "t",
		Using: Expr{Text: "a > 1 /* ) */ and b = ')'", Pos: 63}}},
	{`ALTER RLS POLICY p USING (current_user = 'joe' and price > 10)`, &AlterRLSPolicy{Name: "p", Using: Expr{Text: "current_user = 'joe' and price > 10", Pos: 26}}},
	{`DROP RLS POLICY p`, &DropRLSPolicy{Name: "p"}},
	{`DROP RLS POLICY IF EXISTS p CASCADE`, &DropRLSPolicy{Name: "p", IfExists: true, Cascade: true}},
	{`DROP RLS POLICY p RESTRICT`, &DropRLSPolicy{Name: "p"}},
	{`ATTACH RLS POLICY p ON t TO alice`, &AttachRLSPolicy{Policy: "p", Tables: []TableName{tbl("t")}, Grantees: []Grantee{user("alice")}}},
	{`ATTACH RLS POLICY dev.p ON TABLE db.s.t, u TO ROLE r, PUBLIC, bob`, &AttachRLSPolicy{Policy: "p", Tables: []TableName{{Database: "db", Schema: "s", Name: "t"}, tbl("u")}, Grantees: []Grantee{role("r"), public, user("bob")}}},
	{`DETACH RLS POLICY p ON t FROM ROLE r`, &AttachRLSPolicy{Detach: true, Policy: "p", Tables: []TableName{tbl("t")}, Grantees: []Grantee{role("r")}}},
	{`ALTER TABLE t ROW LEVEL SECURITY ON`, &AlterTableRLS{Table: tbl("t"), On: true}},
	{`ALTER TABLE s.t ROW LEVEL SECURITY OFF`, &AlterTableRLS{Table: TableName{Schema: "s", Name: "t"}}},
	{`ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE OR`, &AlterTableRLS{Table: tbl("t"), On: true, Conjunction: "or"}},
	{`ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE AND FOR DATASHARES`, &AlterTableRLS{Table: tbl("t"), On: true, Conjunction: "and", ForDatashares: true}},
	{`ALTER TABLE t ROW LEVEL SECURITY ON FOR DATASHARES`, &AlterTableRLS{Table: tbl("t"), On: true, ForDatashares: true}},
	{`CREATE MASKING POLICY mask_cc WITH (cc VARCHAR(256)) USING ('XXXX'::TEXT)`,
		&CreateMaskingPolicy{Name: "mask_cc", Inputs: []ColumnDef{{Name: "cc", Type: "VARCHAR(256)"}}, Using: []Expr{{Text: "'XXXX'::TEXT", Pos: 60}}}},
	{`CREATE MASKING POLICY card_number_conditional_mask WITH (fraudulent BOOLEAN, pan varchar(16)) USING (CASE WHEN fraudulent THEN REDACT_CREDIT_CARD(pan) ELSE NULL END)`,
		&CreateMaskingPolicy{Name: "card_number_conditional_mask", Inputs: []ColumnDef{{Name: "fraudulent", Type: "BOOLEAN"}, {Name: "pan", Type: "VARCHAR(16)"}},
			Using: []Expr{{Text: "CASE WHEN fraudulent THEN REDACT_CREDIT_CARD(pan) ELSE NULL END", Pos: 101}}}},
	{`CREATE MASKING POLICY dev.m IF NOT EXISTS WITH (a float, b varchar(10)) USING (a * 2, SHA2(b, 256))`,
		&CreateMaskingPolicy{Name: "m", IfNotExists: true, Inputs: []ColumnDef{{Name: "a", Type: "FLOAT"}, {Name: "b", Type: "VARCHAR(10)"}},
			Using: []Expr{{Text: "a * 2", Pos: 79}, {Text: "SHA2(b, 256)", Pos: 86}}}},
	{`ALTER MASKING POLICY m USING (NULL::int)`, &AlterMaskingPolicy{Name: "m", Using: []Expr{{Text: "NULL::int", Pos: 30}}}},
	{`ALTER MASKING POLICY m USING ('a,b', f(x, y))`, &AlterMaskingPolicy{Name: "m", Using: []Expr{{Text: "'a,b'", Pos: 30}, {Text: "f(x, y)", Pos: 37}}}},
	{`DROP MASKING POLICY m`, &DropMaskingPolicy{Name: "m"}},
	{`DROP MASKING POLICY IF EXISTS m CASCADE`, &DropMaskingPolicy{Name: "m", IfExists: true, Cascade: true}},
	{`ATTACH MASKING POLICY m ON t (cc) TO PUBLIC`, &AttachMaskingPolicy{Policy: "m", Table: tbl("t"), Outputs: []string{"cc"}, Grantee: public}},
	{`ATTACH MASKING POLICY card_number_conditional_mask ON credit_cards(credit_card_number) USING (is_fraud, credit_card_number) TO ROLE analyst PRIORITY 50`,
		&AttachMaskingPolicy{Policy: "card_number_conditional_mask", Table: tbl("credit_cards"), Outputs: []string{"credit_card_number"},
			Inputs: []string{"is_fraud", "credit_card_number"}, Grantee: role("analyst"), Priority: 50}},
	{`ATTACH MASKING POLICY dev.m ON db.s.t (person.name.first_name, b) TO alice PRIORITY 0`,
		&AttachMaskingPolicy{Policy: "m", Table: TableName{Database: "db", Schema: "s", Name: "t"}, Outputs: []string{"person.name.first_name", "b"}, Grantee: user("alice")}},
	{`DETACH MASKING POLICY m ON t (a, b) FROM ROLE r`, &AttachMaskingPolicy{Detach: true, Policy: "m", Table: tbl("t"), Outputs: []string{"a", "b"}, Grantee: role("r")}},
	{`DETACH MASKING POLICY m ON t (a) FROM PUBLIC;`, &AttachMaskingPolicy{Detach: true, Policy: "m", Table: tbl("t"), Outputs: []string{"a"}, Grantee: public}},
}

func allGoodCases() []goodCase {
	var all []goodCase
	for _, cs := range [][]goodCase{userRoleCases, grantCases, policyCases, tableCases, copyCases, otherCases} {
		all = append(all, cs...)
	}
	return all
}

func TestParseGood(t *testing.T) {
	for _, c := range allGoodCases() {
		got, err := Parse(c.sql)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.sql, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q)\n got %s\nwant %s", c.sql, show(got), show(c.want))
		}
	}
}

// TestExprPositions checks that every expression's Pos points at its Text,
// which is what the engine relies on to report errors inside a predicate.
func TestExprPositions(t *testing.T) {
	for _, c := range allGoodCases() {
		got, err := Parse(c.sql)
		if err != nil {
			continue
		}
		for _, e := range exprsOf(got) {
			if e.Pos < 0 || e.Pos+len(e.Text) > len(c.sql) || c.sql[e.Pos:e.Pos+len(e.Text)] != e.Text {
				t.Errorf("Parse(%q): Expr %+v does not match the source", c.sql, e)
			}
		}
	}
}

func show(s Stmt) string {
	b, _ := json.Marshal(s)
	return reflect.TypeOf(s).String() + string(b)
}
