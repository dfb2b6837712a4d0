package policy

import (
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/identity"
)

// A decideCase is one subject reading one table and the decision it must
// get, rendered by describe. Every case also checks that the table's Plan
// recovers the same decision (checkPlan).
type decideCase struct {
	name    string
	user    string // "" with super: the local superuser
	groups  []string
	super   bool // principal-level superuser (the local operator)
	table   string
	visible bool
	granted string
	masks   string
	rows    string
	reasons string
}

func runDecide(t *testing.T, c *Catalog, cases []decideCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := identity.Principal{User: tc.user, Namespace: "AWSIDC", Groups: tc.groups, Superuser: tc.super}
			sub := c.Subject(p)
			a, ok := c.Decide(sub, tc.table)
			if !ok {
				t.Fatalf("no table %s", tc.table)
			}
			visible, granted, masks, rows, reasons := describe(a)
			if visible != tc.visible || granted != tc.granted || masks != tc.masks || rows != tc.rows || reasons != tc.reasons {
				t.Errorf("%s on %s:\n got  visible=%t granted=%q masks=%q rows=%q\n      reasons=%q\n want visible=%t granted=%q masks=%q rows=%q\n      reasons=%q",
					tc.user, tc.table, visible, granted, masks, rows, reasons, tc.visible, tc.granted, tc.masks, tc.rows, tc.reasons)
			}
			checkPlan(t, c, p, tc.table)
		})
	}
}

const twoTables = `
CREATE TABLE t (id INT, region VARCHAR(10), secret VARCHAR(20));
CREATE TABLE other (id INT);
CREATE USER alice; CREATE USER bob; CREATE USER carol;
CREATE ROLE reader;
CREATE ROLE "AWSIDC:readers";
GRANT ROLE reader TO carol;
`

// SELECT on the table reaches the subject through its user, a role it
// holds (granted or from a session group) and nothing else; other
// privileges and other tables' grants do not make a table visible.
func TestDecideTableGrant(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT ON t TO alice;
GRANT SELECT ON t TO ROLE reader;
GRANT SELECT ON t TO ROLE "AWSIDC:readers";
GRANT SELECT ON other TO bob;
GRANT INSERT, UPDATE, DELETE ON t TO bob;
`)
	all := "id,region,secret"
	runDecide(t, c, []decideCase{
		{name: "user grant", user: "alice", table: "t", visible: true, granted: all, rows: "all", reasons: "table_grant:alice rls_off"},
		{name: "role grant", user: "carol", table: "t", visible: true, granted: all, rows: "all", reasons: "table_grant:ROLE reader rls_off"},
		{name: "session group role", user: "dave", groups: []string{"readers"}, table: "t", visible: true, granted: all, rows: "all",
			reasons: "table_grant:ROLE AWSIDC:readers rls_off"},
		{name: "user and role, roles first", user: "alice", groups: []string{"readers"}, table: "t", visible: true, granted: all, rows: "all",
			reasons: "table_grant:ROLE AWSIDC:readers table_grant:alice rls_off"},
		{name: "only other privileges", user: "bob", table: "t", rows: "all", reasons: "no_grant rls_off"},
		{name: "grant on another table", user: "bob", table: "other", visible: true, granted: "id", rows: "all", reasons: "table_grant:bob rls_off"},
		{name: "no grant", user: "alice", table: "other", rows: "all", reasons: "no_grant rls_off"},
		{name: "unknown user", user: "zed", table: "t", rows: "all", reasons: "no_grant rls_off"},
		{name: "group without a role", user: "zed", groups: []string{"nosuchgroup"}, table: "t", rows: "all", reasons: "no_grant rls_off"},
	})

	c = build(t, twoTables+`
GRANT SELECT ON t TO alice;
REVOKE SELECT ON t FROM alice;
GRANT SELECT ON t TO ROLE reader;
REVOKE ROLE reader FROM carol;
`)
	runDecide(t, c, []decideCase{
		{name: "revoked grant", user: "alice", table: "t", rows: "all", reasons: "no_grant rls_off"},
		{name: "revoked role", user: "carol", table: "t", rows: "all", reasons: "no_grant rls_off"},
	})
}

// A grant to PUBLIC reaches everyone, known or not; so do RLS and masking
// policies attached to PUBLIC.
func TestDecidePublic(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT ON t TO PUBLIC;
GRANT SELECT (id) ON other TO PUBLIC;
GRANT SELECT ON other TO alice;
CREATE RLS POLICY east WITH (region VARCHAR(10)) USING (region = 'east');
ATTACH RLS POLICY east ON t TO PUBLIC;
ALTER TABLE t ROW LEVEL SECURITY ON;
CREATE MASKING POLICY hide WITH (v VARCHAR(20)) USING ('x'::VARCHAR(20));
ATTACH MASKING POLICY hide ON t(secret) TO PUBLIC;
`)
	all := "id,region,secret"
	runDecide(t, c, []decideCase{
		{name: "unknown user", user: "zed", table: "t", visible: true, granted: all, masks: "secret=hide@0[secret]", rows: "and:east",
			reasons: "table_grant:PUBLIC mask:secret=hide@0:PUBLIC filter:east:PUBLIC"},
		{name: "known user", user: "carol", table: "t", visible: true, granted: all, masks: "secret=hide@0[secret]", rows: "and:east",
			reasons: "table_grant:PUBLIC mask:secret=hide@0:PUBLIC filter:east:PUBLIC"},
		{name: "public column grant", user: "zed", table: "other", visible: true, granted: "id", rows: "all",
			reasons: "column_grant:PUBLIC(id) rls_off"},
		{name: "public and user, PUBLIC first", user: "alice", table: "other", visible: true, granted: "id", rows: "all",
			reasons: "column_grant:PUBLIC(id) table_grant:alice rls_off"},
	})
}

// Roles nest: grants, RLS policies, masks and IGNORE RLS on an inner role
// reach every user holding an outer role, however deep; roles reached
// only the other way round do not.
func TestDecideNestedRoles(t *testing.T) {
	c := build(t, `
CREATE TABLE t (id INT, region VARCHAR(10));
CREATE USER alice; CREATE USER bob; CREATE USER carol;
CREATE ROLE base; CREATE ROLE middle; CREATE ROLE top; CREATE ROLE bypass;
GRANT ROLE base TO ROLE middle;
GRANT ROLE middle TO ROLE top;
GRANT ROLE top TO alice;
GRANT ROLE base TO bob;
GRANT SELECT ON t TO ROLE base;
CREATE RLS POLICY mid WITH (region VARCHAR(10)) USING (region = 'mid');
ATTACH RLS POLICY mid ON t TO ROLE middle;
ALTER TABLE t ROW LEVEL SECURITY ON;
CREATE MASKING POLICY m WITH (n INT) USING (0);
ATTACH MASKING POLICY m ON t(id) TO ROLE top PRIORITY 5;
GRANT IGNORE RLS TO ROLE bypass;
GRANT ROLE bypass TO ROLE base;
CREATE ROLE "AWSIDC:grp";
GRANT ROLE top TO ROLE "AWSIDC:grp";
`)
	runDecide(t, c, []decideCase{
		{name: "three levels down", user: "alice", table: "t", visible: true, granted: "id,region", masks: "id=m@5[id]", rows: "all",
			reasons: "table_grant:ROLE base mask:id=m@5:ROLE top ignore_rls:IGNORE RLS:ROLE bypass"},
		{name: "inner role only", user: "bob", table: "t", visible: true, granted: "id,region", rows: "all",
			reasons: "table_grant:ROLE base ignore_rls:IGNORE RLS:ROLE bypass"},
		{name: "through a session role", user: "carol", groups: []string{"grp"}, table: "t", visible: true, granted: "id,region", masks: "id=m@5[id]", rows: "all",
			reasons: "table_grant:ROLE base mask:id=m@5:ROLE top ignore_rls:IGNORE RLS:ROLE bypass"},
	})

	c = build(t, `
CREATE TABLE t (id INT, region VARCHAR(10));
CREATE USER alice; CREATE USER bob;
CREATE ROLE base; CREATE ROLE middle; CREATE ROLE top;
GRANT ROLE base TO ROLE middle;
GRANT ROLE middle TO ROLE top;
GRANT ROLE top TO alice;
GRANT ROLE middle TO bob;
GRANT SELECT ON t TO ROLE base;
CREATE RLS POLICY mid WITH (region VARCHAR(10)) USING (region = 'mid');
CREATE RLS POLICY high WITH (region VARCHAR(10)) USING (region = 'high');
ATTACH RLS POLICY mid ON t TO ROLE middle;
ATTACH RLS POLICY high ON t TO ROLE top;
ALTER TABLE t ROW LEVEL SECURITY ON;
`)
	runDecide(t, c, []decideCase{
		{name: "policies of every level", user: "alice", table: "t", visible: true, granted: "id,region", rows: "and:high,mid",
			reasons: "table_grant:ROLE base filter:high:ROLE top filter:mid:ROLE middle"},
		{name: "not the outer role's", user: "bob", table: "t", visible: true, granted: "id,region", rows: "and:mid",
			reasons: "table_grant:ROLE base filter:mid:ROLE middle"},
	})
}

// Column grants make a table visible with only those columns; grants to
// the user and its roles add up; a table-level grant covers every column;
// masks only show on granted columns.
func TestDecideColumnGrants(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT (id) ON t TO alice;
GRANT SELECT (region, id) ON t TO ROLE "AWSIDC:readers";
GRANT SELECT ON t TO ROLE reader;
GRANT SELECT (id) ON t TO carol;
GRANT UPDATE (secret) ON t TO bob;
CREATE MASKING POLICY hide WITH (v VARCHAR(20)) USING ('x'::VARCHAR(20));
ATTACH MASKING POLICY hide ON t(secret) TO PUBLIC;
`)
	runDecide(t, c, []decideCase{
		{name: "one column", user: "alice", table: "t", visible: true, granted: "id", rows: "all", reasons: "column_grant:alice(id) rls_off"},
		{name: "union of user and role", user: "alice", groups: []string{"readers"}, table: "t", visible: true, granted: "id,region", rows: "all",
			reasons: "column_grant:ROLE AWSIDC:readers(region,id) column_grant:alice(id) rls_off"},
		{name: "table level covers all, masked column granted", user: "carol", table: "t", visible: true, granted: "id,region,secret", masks: "secret=hide@0[secret]",
			rows: "all", reasons: "table_grant:ROLE reader column_grant:carol(id) mask:secret=hide@0:PUBLIC rls_off"},
		{name: "column UPDATE is not SELECT", user: "bob", table: "t", rows: "all", reasons: "no_grant rls_off"},
	})
}

// With row level security on, a subject sees the rows its policies allow
// and no row without one (default deny, also after every policy is
// detached); off, every row, attachments kept but not enforced.
func TestDecideRowLevelSecurity(t *testing.T) {
	const base = twoTables + `
GRANT SELECT ON t TO PUBLIC;
CREATE RLS POLICY east WITH (region VARCHAR(10)) USING (region = 'east');
ATTACH RLS POLICY east ON t TO alice;
`
	runDecide(t, build(t, base), []decideCase{
		{name: "off: attachments not enforced", user: "alice", table: "t", visible: true, granted: "id,region,secret", rows: "all",
			reasons: "table_grant:PUBLIC rls_off"},
	})
	runDecide(t, build(t, base+"ALTER TABLE t ROW LEVEL SECURITY ON;"), []decideCase{
		{name: "on: policy filters", user: "alice", table: "t", visible: true, granted: "id,region,secret", rows: "and:east",
			reasons: "table_grant:PUBLIC filter:east:alice"},
		{name: "on: no policy, no rows", user: "bob", table: "t", visible: true, granted: "id,region,secret", rows: "deny",
			reasons: "table_grant:PUBLIC deny_all"},
		{name: "on: invisible table still explains rows", user: "bob", table: "other", rows: "all", reasons: "no_grant rls_off"},
	})
	runDecide(t, build(t, base+`
ALTER TABLE t ROW LEVEL SECURITY ON;
DETACH RLS POLICY east ON t FROM alice;
`), []decideCase{
		{name: "every policy detached: no rows", user: "alice", table: "t", visible: true, granted: "id,region,secret", rows: "deny",
			reasons: "table_grant:PUBLIC deny_all"},
	})
	runDecide(t, build(t, base+`
ALTER TABLE t ROW LEVEL SECURITY ON;
ALTER TABLE t ROW LEVEL SECURITY OFF;
`), []decideCase{
		{name: "turned off again", user: "alice", table: "t", visible: true, granted: "id,region,secret", rows: "all",
			reasons: "table_grant:PUBLIC rls_off"},
	})
}

// Several applicable policies combine with the table's conjunction type:
// AND by default, OR when asked; a policy attached to several of the
// subject's grantees counts once, through all of them.
func TestDecideConjunction(t *testing.T) {
	const base = twoTables + `
GRANT SELECT ON t TO PUBLIC;
CREATE ROLE east_role; CREATE ROLE west_role;
GRANT ROLE east_role TO alice; GRANT ROLE west_role TO alice;
GRANT ROLE east_role TO bob;
CREATE RLS POLICY east WITH (region VARCHAR(10)) USING (region = 'east');
CREATE RLS POLICY west WITH (region VARCHAR(10)) USING (region = 'west');
ATTACH RLS POLICY east ON t TO ROLE east_role;
ATTACH RLS POLICY west ON t TO ROLE west_role;
ATTACH RLS POLICY east ON t TO bob;
`
	all := "id,region,secret"
	for _, tc := range []struct{ alter, conj string }{
		{"ALTER TABLE t ROW LEVEL SECURITY ON;", "and"},
		{"ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE AND;", "and"},
		{"ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE OR;", "or"},
		// OFF with a conjunction type keeps the type for later.
		{"ALTER TABLE t ROW LEVEL SECURITY OFF CONJUNCTION TYPE OR; ALTER TABLE t ROW LEVEL SECURITY ON;", "or"},
	} {
		t.Run(tc.alter, func(t *testing.T) {
			runDecide(t, build(t, base+tc.alter), []decideCase{
				{name: "two roles", user: "alice", table: "t", visible: true, granted: all, rows: tc.conj + ":east,west",
					reasons: "table_grant:PUBLIC filter:east:ROLE east_role filter:west:ROLE west_role"},
				{name: "one policy through role and user", user: "bob", table: "t", visible: true, granted: all, rows: tc.conj + ":east",
					reasons: "table_grant:PUBLIC filter:east:ROLE east_role, bob"},
			})
		})
	}
	c := build(t, base+"ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE OR;")
	a, _ := c.Decide(subject(c, "alice"), "t")
	if got := strings.Join(a.Reasons.Strings(), "; "); got != "SELECT on t granted to PUBLIC; rows filtered by east, west (combined with OR)" {
		t.Errorf("reasons rendered %q", got)
	}
}

// IGNORE RLS lifts row level security, whether granted to the user or to
// a role it holds, and sys:secadmin holds it by default; it grants no
// SELECT, and never lifts masks or column limits.
func TestDecideIgnoreRLS(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT (id, region) ON t TO PUBLIC;
CREATE RLS POLICY east WITH (region VARCHAR(10)) USING (region = 'east');
ATTACH RLS POLICY east ON t TO PUBLIC;
ALTER TABLE t ROW LEVEL SECURITY ON;
CREATE MASKING POLICY zero WITH (n INT) USING (0);
ATTACH MASKING POLICY zero ON t(id) TO PUBLIC;
CREATE ROLE bypassers;
GRANT IGNORE RLS TO ROLE bypassers;
GRANT ROLE bypassers TO carol;
GRANT IGNORE RLS TO alice;
GRANT IGNORE RLS TO carol;
GRANT ROLE sys:secadmin TO bob;
CREATE USER dan; CREATE USER fay;
GRANT ROLE bypassers TO fay;
GRANT IGNORE RLS TO dan;
REVOKE IGNORE RLS FROM dan;
`)
	const granted, masks = "id,region", "id=zero@0[id]"
	runDecide(t, c, []decideCase{
		{name: "granted to the user", user: "alice", table: "t", visible: true, granted: granted, masks: masks, rows: "all",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC ignore_rls:IGNORE RLS:alice"},
		{name: "granted to a role", user: "fay", table: "t", visible: true, granted: granted, masks: masks, rows: "all",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC ignore_rls:IGNORE RLS:ROLE bypassers"},
		{name: "not held", user: "erin", table: "t", visible: true, granted: granted, masks: masks, rows: "and:east",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC filter:east:PUBLIC"},
		{name: "to a role and the user", user: "carol", table: "t", visible: true, granted: granted, masks: masks, rows: "all",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC ignore_rls:IGNORE RLS:ROLE bypassers, carol"},
		{name: "sys:secadmin", user: "bob", table: "t", visible: true, granted: granted, masks: masks, rows: "all",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC ignore_rls:sys:secadmin:ROLE sys:secadmin"},
		{name: "revoked", user: "dan", table: "t", visible: true, granted: granted, masks: masks, rows: "and:east",
			reasons: "column_grant:PUBLIC(id,region) mask:id=zero@0:PUBLIC filter:east:PUBLIC"},
		{name: "no SELECT: still invisible", user: "alice", table: "other", rows: "all", reasons: "no_grant rls_off"},
	})
	c = build(t, twoTables+`
GRANT SELECT ON t TO PUBLIC;
ALTER TABLE t ROW LEVEL SECURITY ON;
CREATE ROLE "AWSIDC:exec";
GRANT IGNORE RLS TO ROLE "AWSIDC:exec";
`)
	runDecide(t, c, []decideCase{
		{name: "through a session role", user: "erin", groups: []string{"exec"}, table: "t", visible: true, granted: "id,region,secret", rows: "all",
			reasons: "table_grant:PUBLIC ignore_rls:IGNORE RLS:ROLE AWSIDC:exec"},
		{name: "RLS on, nothing attached, no bypass", user: "erin", table: "t", visible: true, granted: "id,region,secret", rows: "deny",
			reasons: "table_grant:PUBLIC deny_all"},
	})
}

// A superuser (the local operator, a user created CREATEUSER, a holder of
// sys:superuser) reads every column and row unmasked, without any grant.
func TestDecideSuperuser(t *testing.T) {
	c := build(t, twoTables+`
CREATE USER root CREATEUSER;
GRANT ROLE sys:superuser TO alice;
CREATE RLS POLICY nothing WITH (region VARCHAR(10)) USING (false);
ATTACH RLS POLICY nothing ON t TO PUBLIC;
ALTER TABLE t ROW LEVEL SECURITY ON;
CREATE MASKING POLICY zero WITH (n INT) USING (0);
ATTACH MASKING POLICY zero ON t(id) TO PUBLIC PRIORITY 100;
`)
	const all = "id,region,secret"
	runDecide(t, c, []decideCase{
		{name: "local operator", user: "tipgate", super: true, table: "t", visible: true, granted: all, rows: "all", reasons: "superuser"},
		{name: "CREATEUSER", user: "root", table: "t", visible: true, granted: all, rows: "all", reasons: "superuser"},
		{name: "sys:superuser", user: "alice", table: "t", visible: true, granted: all, rows: "all", reasons: "superuser"},
		{name: "not a superuser", user: "bob", table: "t", rows: "and:nothing", reasons: "no_grant filter:nothing:PUBLIC"},
	})
}

// Per column, the highest-priority masking policy among those attached to
// the user, its roles and PUBLIC wins, chosen per column; a conditional
// mask binds other columns of the row; the same policy attached for two
// grantees at one priority resolves to the grantee that sorts first.
func TestDecideMaskingPriority(t *testing.T) {
	c := build(t, `
CREATE TABLE customers (id INT, address VARCHAR(40), credit_card VARCHAR(40), ssn VARCHAR(40), is_fraud BOOLEAN);
GRANT SELECT ON customers TO PUBLIC;
CREATE ROLE analytics; CREATE ROLE auditor; CREATE ROLE support;
CREATE USER x; CREATE USER y; CREATE USER z; CREATE USER w;
GRANT ROLE analytics TO x; GRANT ROLE auditor TO y;
GRANT ROLE analytics TO z; GRANT ROLE auditor TO z;
GRANT ROLE support TO w; GRANT ROLE analytics TO w;
CREATE MASKING POLICY partial_hash WITH (v VARCHAR(40)) USING (substring(v, 1, 2) || '**');
CREATE MASKING POLICY full_hash WITH (v VARCHAR(40)) USING ('#####'::VARCHAR(40));
CREATE MASKING POLICY nulled WITH (v VARCHAR(40)) USING (NULL::VARCHAR(40));
CREATE MASKING POLICY pub WITH (v VARCHAR(40)) USING ('pub'::VARCHAR(40));
CREATE MASKING POLICY cond WITH (fraud BOOLEAN, v VARCHAR(40)) USING (CASE WHEN fraud THEN v ELSE '****'::VARCHAR(40) END);
ATTACH MASKING POLICY partial_hash ON customers(address, credit_card) TO ROLE analytics PRIORITY 20;
ATTACH MASKING POLICY full_hash ON customers(credit_card, ssn) TO ROLE auditor PRIORITY 30;
ATTACH MASKING POLICY full_hash ON customers(credit_card, ssn) TO ROLE support PRIORITY 30;
ATTACH MASKING POLICY pub ON customers(address) TO PUBLIC PRIORITY 10;
ATTACH MASKING POLICY nulled ON customers(address) TO z PRIORITY 99;
ATTACH MASKING POLICY cond ON customers(credit_card) USING (is_fraud, credit_card) TO PUBLIC PRIORITY 5;
`)
	const all = "id,address,credit_card,ssn,is_fraud"
	runDecide(t, c, []decideCase{
		{name: "no role: PUBLIC masks", user: "v", table: "customers", visible: true, granted: all,
			masks: "address=pub@10[address] credit_card=cond@5[is_fraud credit_card]", rows: "all",
			reasons: "table_grant:PUBLIC mask:address=pub@10:PUBLIC mask:credit_card=cond@5:PUBLIC rls_off"},
		{name: "analytics beats PUBLIC", user: "x", table: "customers", visible: true, granted: all,
			masks: "address=partial_hash@20[address] credit_card=partial_hash@20[credit_card]", rows: "all",
			reasons: "table_grant:PUBLIC mask:address=partial_hash@20:ROLE analytics mask:credit_card=partial_hash@20:ROLE analytics rls_off"},
		{name: "auditor", user: "y", table: "customers", visible: true, granted: all,
			masks: "address=pub@10[address] credit_card=full_hash@30[credit_card] ssn=full_hash@30[ssn]", rows: "all",
			reasons: "table_grant:PUBLIC mask:address=pub@10:PUBLIC mask:credit_card=full_hash@30:ROLE auditor mask:ssn=full_hash@30:ROLE auditor rls_off"},
		{name: "both roles, per column, user policy highest", user: "z", table: "customers", visible: true, granted: all,
			masks: "address=nulled@99[address] credit_card=full_hash@30[credit_card] ssn=full_hash@30[ssn]", rows: "all",
			reasons: "table_grant:PUBLIC mask:address=nulled@99:z mask:credit_card=full_hash@30:ROLE auditor mask:ssn=full_hash@30:ROLE auditor rls_off"},
		{name: "support and analytics", user: "w", table: "customers", visible: true, granted: all,
			masks: "address=partial_hash@20[address] credit_card=full_hash@30[credit_card] ssn=full_hash@30[ssn]", rows: "all",
			reasons: "table_grant:PUBLIC mask:address=partial_hash@20:ROLE analytics mask:credit_card=full_hash@30:ROLE support mask:ssn=full_hash@30:ROLE support rls_off"},
	})

	// The tie between two grantees of one policy is decided by grantee
	// order, not by the order of the ATTACH statements.
	c2 := build(t, `
CREATE TABLE customers (id INT, ssn VARCHAR(40));
GRANT SELECT ON customers TO PUBLIC;
CREATE ROLE b_role; CREATE ROLE a_role;
CREATE USER u; GRANT ROLE b_role TO u; GRANT ROLE a_role TO u;
CREATE MASKING POLICY full_hash WITH (v VARCHAR(40)) USING ('#####'::VARCHAR(40));
ATTACH MASKING POLICY full_hash ON customers(ssn) TO ROLE b_role PRIORITY 30;
ATTACH MASKING POLICY full_hash ON customers(ssn) TO ROLE a_role PRIORITY 30;
`)
	runDecide(t, c2, []decideCase{
		{name: "first grantee wins a tie", user: "u", table: "customers", visible: true, granted: "id,ssn", masks: "ssn=full_hash@30[ssn]", rows: "all",
			reasons: "table_grant:PUBLIC mask:ssn=full_hash@30:ROLE a_role rls_off"},
	})

	// Masked and conditional expressions are carried as written, with the
	// policy's inputs and the bound columns.
	a, _ := c.Decide(subject(c, "v"), "customers")
	m := a.Columns[2].Mask
	if m == nil || m.Expr != "CASE WHEN fraud THEN v ELSE '****'::VARCHAR(40) END" || len(m.Params) != 2 || m.Params[0].Name != "fraud" ||
		strings.Join(m.Args, ",") != "is_fraud,credit_card" {
		t.Errorf("conditional mask = %+v", m)
	}
}

// A multi-output (tuple) masking policy masks each output with its own
// expression; a one-input policy attached to several columns masks each
// with its own value.
func TestDecideMaskOutputs(t *testing.T) {
	c := build(t, `
CREATE TABLE t (a VARCHAR(10), b VARCHAR(10), c VARCHAR(10), d VARCHAR(10));
GRANT SELECT ON t TO PUBLIC;
CREATE MASKING POLICY pair WITH (x VARCHAR(10), y VARCHAR(10)) USING (y, x);
CREATE MASKING POLICY one WITH (x VARCHAR(10)) USING (upper(x));
ATTACH MASKING POLICY pair ON t(a, b) TO PUBLIC PRIORITY 2;
ATTACH MASKING POLICY one ON t(c, d) TO PUBLIC PRIORITY 1;
`)
	a, _ := c.Decide(subject(c, "u"), "t")
	got := []string{}
	for _, col := range a.Columns {
		got = append(got, col.Name+"="+col.Mask.Expr+strings.Join(col.Mask.Args, ","))
	}
	if want := "a=ya,b b=xa,b c=upper(x)c d=upper(x)d"; strings.Join(got, " ") != want {
		t.Errorf("masks %q, want %q", strings.Join(got, " "), want)
	}
	checkPlan(t, c, identity.Principal{User: "u"}, "t")
}

// An RLS policy reading a lookup table applies with its lookups; a
// revoked GRANT SELECT ... TO RLS POLICY shows as an ungranted lookup,
// which engines refuse to read through. The subject needs no SELECT on
// the lookup table.
func TestDecideLookupTables(t *testing.T) {
	const base = `
CREATE TABLE sales (id INT, region VARCHAR(10));
CREATE TABLE user_regions (username VARCHAR(60), region VARCHAR(10));
CREATE TABLE active (region VARCHAR(10));
GRANT SELECT ON sales TO PUBLIC;
CREATE RLS POLICY by_user WITH (region VARCHAR(10)) AS s
  USING (s.region IN (SELECT ur.region FROM user_regions ur WHERE ur.username = current_user)
     AND s.region IN (SELECT region FROM active));
ATTACH RLS POLICY by_user ON sales TO PUBLIC;
ALTER TABLE sales ROW LEVEL SECURITY ON;
`
	for _, tc := range []struct {
		name, extra string
		ungranted   []string
	}{
		{"granted at CREATE", "", nil},
		{"one revoked", "REVOKE SELECT ON user_regions FROM RLS POLICY by_user;", []string{"user_regions"}},
		{"revoked and granted again", "REVOKE SELECT ON active, user_regions FROM RLS POLICY by_user; GRANT SELECT ON active TO RLS POLICY by_user;",
			[]string{"user_regions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := build(t, base+tc.extra)
			runDecide(t, c, []decideCase{
				{name: "filtered", user: "amy", table: "sales", visible: true, granted: "id,region", rows: "and:by_user",
					reasons: "table_grant:PUBLIC filter:by_user:PUBLIC"},
				{name: "lookup table itself not granted", user: "amy", table: "user_regions", rows: "all", reasons: "no_grant rls_off"},
			})
			a, _ := c.Decide(subject(c, "amy"), "sales")
			p := a.Rows.Policies[0]
			if strings.Join(p.Lookups, ",") != "active,user_regions" || strings.Join(p.UngrantedLookups, ",") != strings.Join(tc.ungranted, ",") || p.Alias != "s" {
				t.Errorf("applied policy %+v, want lookups active,user_regions, ungranted %v", p, tc.ungranted)
			}
		})
	}
}

// The reasons render to the sentences the dashboard and audit show.
func TestReasonStrings(t *testing.T) {
	c := build(t, twoTables+`
GRANT SELECT ON t TO ROLE reader;
GRANT SELECT (id, region) ON t TO alice;
CREATE MASKING POLICY hide WITH (v VARCHAR(20)) USING ('x'::VARCHAR(20));
ATTACH MASKING POLICY hide ON t(secret) TO ROLE reader PRIORITY 7;
CREATE RLS POLICY east WITH (region VARCHAR(10)) USING (region = 'east');
ATTACH RLS POLICY east ON t TO ROLE reader;
ALTER TABLE t ROW LEVEL SECURITY ON;
GRANT IGNORE RLS TO bob;
GRANT ROLE reader TO bob;
`)
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"carol", []string{"SELECT on t granted to ROLE reader", "column secret masked by hide (priority 7, attached to ROLE reader)", "rows filtered by east (combined with AND)"}},
		{"alice", []string{"SELECT (id, region) on t granted to alice", "row level security is on and no policy applies: no rows"}},
		{"bob", []string{"SELECT on t granted to ROLE reader", "column secret masked by hide (priority 7, attached to ROLE reader)", "row level security bypassed: holds IGNORE RLS"}},
		{"zed", []string{"no SELECT privilege on t or any of its columns", "row level security is on and no policy applies: no rows"}},
		{"", []string{"superuser: every column, every row, no masks"}},
	} {
		p := identity.Principal{User: tc.user, Superuser: tc.user == ""}
		a, _ := c.Decide(c.Subject(p), "t")
		if got := a.Reasons.Strings(); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: reasons\n%s\nwant\n%s", tc.user, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	for _, tc := range []struct {
		r    Reason
		want string
	}{
		{Reason{Kind: ReasonRLSOff, Table: "t"}, "row level security is off for t"},
		{Reason{Kind: ReasonIgnoreRLS, Bypass: BypassSecAdmin}, "row level security bypassed: holds sys:secadmin"},
		{Reason{Kind: ReasonIgnoreRLS, Bypass: BypassSuperuser}, "row level security bypassed: superuser"},
		{Reason{Kind: ReasonFilter, Policy: "p", Conjunction: "or"}, "rows filtered by p (combined with OR)"},
		{Reason{Kind: ReasonTableGrant, Table: "t", Via: []Grantee{{Kind: KindPublic}}}, "SELECT on t granted to PUBLIC"},
	} {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("%+v renders %q, want %q", tc.r, got, tc.want)
		}
	}
}
