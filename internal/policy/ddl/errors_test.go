package ddl

import (
	"errors"
	"strings"
	"testing"
)

type badCase struct {
	sql  string
	want string // substring of Error()
	pos  int    // SyntaxError.Pos
}

var badCases = []badCase{
	{``, "syntax error at end of input: empty statement", 0},
	{" ;; -- nothing\n", "syntax error at end of input: empty statement", 15},
	{"CREATE RLS POLICY otherdb.p USING (true)", `database "otherdb" does not exist`, 18},
	{"DROP MASKING POLICY otherdb.m", `database "otherdb" does not exist`, 20},
	{`SELECT 1; SELECT 2`, `at or near ";": only one statement is allowed`, 8},
	{`;SELECT 1`, `at or near ";"`, 0},
	{`42`, `at or near "42": expected a statement`, 0},
	{`SELECT 'abc`, `at or near "'": unterminated string literal`, 7},
	{`SELECT /* x`, `at or near "/*": unterminated /* comment`, 7},
	{`SELECT ""`, `at or near """": zero-length delimited identifier`, 7},
	{"SELECT \x01", `at or near "\x01": unexpected character`, 7},
	{`CREATE USER`, `syntax error at end of input: expected a user name`, 11},
	{`CREATE USER alice FOO`, `at or near "FOO": expected a CREATE USER option`, 18},
	{`CREATE USER alice PASSWORD`, `at or near "PASSWORD": expected a quoted password or DISABLE`, 18},
	{`CREATE USER alice CREATEUSER NOCREATEUSER`, `at or near "NOCREATEUSER": conflicting or redundant options`, 29},
	{`CREATE USER alice SYSLOG ACCESS ALL`, `at or near "ALL": expected RESTRICTED or UNRESTRICTED`, 32},
	{`CREATE USER alice CONNECTION LIMIT -1`, `at or near "-": expected an integer`, 35},
	{`CREATE USER alice SESSION TIMEOUT 99999999999`, `expected an integer between 0 and 2147483647`, 34},
	{`CREATE USER user`, `at or near "user": expected a user name`, 12},
	{`CREATE USER ` + strings.Repeat("x", 128), `names are at most 127 bytes`, 12},
	{`DROP USER alice,`, `at end of input: expected a user name`, 16},
	{`DROP USER alice bob`, `at or near "bob": expected end of statement`, 16},
	{`CREATE ROLE`, `expected a role name`, 11},
	{`CREATE ROLE r EXTERNALID`, `expected an external id`, 24},
	{`DROP ROLE r CASCADE`, `at or near "CASCADE": expected end of statement`, 12},
	{`GRANT ROLE r alice`, `at or near "alice": expected TO`, 13},
	{`GRANT ROLE r TO PUBLIC`, `this statement cannot name PUBLIC as a grantee`, 16},
	{`GRANT ROLE r TO alice WITH ADMIN OPTION, bob`, `WITH ADMIN OPTION must follow the last grantee`, 22},
	{`GRANT ROLE r TO ROLE x WITH ADMIN OPTION`, `WITH ADMIN OPTION can only be granted to users`, 23},
	{`GRANT ROLE sys :secadmin TO alice`, `expected TO`, 15},
	{`REVOKE ADMIN OPTION FOR SELECT ON t FROM u`, `at or near "SELECT": expected ROLE`, 24},
	{`REVOKE GRANT OPTION FOR SELECT ON t FROM u`, `REVOKE GRANT OPTION FOR is not supported`, 7},
	{`GRANT`, `at end of input: expected a privilege`, 5},
	{`GRANT FOO ON t TO u`, `at or near "FOO": expected a privilege`, 6},
	{`GRANT SELECT t TO u`, `at or near "t": expected ON`, 13},
	{`GRANT SELECT ON TABLE TO alice`, `at or near "TO": expected a table name`, 22},
	{`GRANT SELECT ON t alice`, `at or near "alice": expected TO`, 18},
	{`GRANT SELECT ON t TO`, `at end of input: expected a user name, ROLE, GROUP, PUBLIC, RLS POLICY`, 20},
	{`GRANT SELECT ON a.b.c.d TO u`, `at or near ".": too many dotted names`, 21},
	{`GRANT USAGE ON t TO u`, `USAGE is not a table privilege`, 6},
	{`GRANT SELECT ON SCHEMA s TO u`, `SELECT is not a schema privilege`, 6},
	{`GRANT TEMP ON SCHEMA s TO u`, `TEMP is not a schema privilege`, 6},
	{`GRANT INSERT (a) ON t TO u`, `only SELECT, UPDATE and ALL can name columns`, 6},
	{`GRANT SELECT (a), UPDATE (b) ON t TO u`, `every privilege in one statement must name the same columns`, 18},
	{`GRANT SELECT (a), INSERT ON t TO u`, `every privilege in one statement must name the same columns`, 18},
	{`GRANT SELECT (a) ON t TO u WITH GRANT OPTION`, `WITH GRANT OPTION is not supported for column privileges`, 27},
	{`GRANT SELECT (a) ON ALL TABLES IN SCHEMA s TO u`, `column privileges need a table`, 6},
	{`GRANT SELECT ON ALL TABLES IN SCHEMA a, b TO u`, `only one schema per ON ALL TABLES IN SCHEMA`, 38},
	{`GRANT SELECT ON ALL VIEWS IN SCHEMA a TO u`, `at or near "VIEWS": expected TABLES`, 20},
	{`GRANT EXECUTE ON FUNCTION f(int) TO u`, `at or near "EXECUTE": expected a privilege`, 6},
	{`GRANT SELECT ON FUNCTION f TO u`, `privileges on FUNCTION are not supported`, 16},
	{`GRANT INSERT ON t TO RLS POLICY p`, `only table-level SELECT can be granted to an RLS POLICY`, 6},
	{`GRANT USAGE ON SCHEMA s TO RLS POLICY p`, `an RLS POLICY can only be a grantee of GRANT SELECT ON tables`, 27},
	{`GRANT IGNORE RLS TO PUBLIC`, `this statement cannot name PUBLIC as a grantee`, 20},
	{`GRANT IGNORE MASKING TO u`, `at or near "MASKING": expected RLS`, 13},
	{`GRANT EXPLAIN SELECT TO u`, `at or near "SELECT": expected RLS or MASKING`, 14},
	{`GRANT EXPLAIN RLS alice`, `at or near "alice": expected TO`, 18},
	{`REVOKE EXPLAIN RLS TO alice`, `at or near "TO": expected FROM`, 19},
	{`REVOKE SELECT ON t TO u`, `at or near "TO": expected FROM`, 19},
	{`CREATE RLS p USING (true)`, `at or near "p": expected POLICY`, 11},
	{`CREATE RLS POLICY p`, `at end of input: expected USING`, 19},
	{`CREATE RLS POLICY p USING true`, `at or near "true": expected "("`, 26},
	{`CREATE RLS POLICY p USING ()`, `at or near ")": expected an expression`, 27},
	{`CREATE RLS POLICY p USING (a = (1)`, `at end of input: expected ")" to close the "(" at position 27`, 34},
	{`CREATE RLS POLICY p USING (a) b`, `at or near "b": expected end of statement`, 30},
	{`CREATE RLS POLICY p WITH (a) USING (a)`, `at or near ")": expected a data type`, 27},
	{`CREATE RLS POLICY p WITH (a varchar(x)) USING (a)`, `at or near "x": expected a type length or precision`, 36},
	{`CREATE RLS POLICY p WITH (a decimal(1,2,3)) USING (a)`, `a type takes at most two modifiers`, 39},
	{`CREATE RLS POLICY p WITH (a interval day to) USING (a)`, `at or near ")": expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND`, 43},
	{`ALTER RLS POLICY p WITH (a int) USING (a)`, `at or near "WITH": expected USING`, 19},
	{`DROP RLS POLICY IF EXISTS`, `expected a policy name`, 25},
	{`ATTACH RLS POLICY p ON t`, `at end of input: expected TO`, 24},
	{`ATTACH RLS POLICY p ON t TO GROUP g`, `this statement cannot name GROUP as a grantee`, 28},
	{`DETACH RLS POLICY p ON t TO u`, `at or near "TO": expected FROM`, 25},
	{`ATTACH RLS LOCK`, `at or near "LOCK": expected POLICY`, 11},
	{`ALTER TABLE t ROW LEVEL SECURITY`, `at end of input: expected ON or OFF`, 32},
	{`ALTER TABLE t ROW LEVEL SECURITY ON CONJUNCTION TYPE XOR`, `at or near "XOR": expected AND or OR`, 53},
	{`ALTER TABLE t ROW LEVEL SECURITY ON FOR USERS`, `at or near "USERS": expected DATASHARES`, 40},
	{`CREATE MASKING POLICY m USING (1)`, `at or near "USING": expected WITH`, 24},
	{`CREATE MASKING POLICY m WITH (a int) USING (a,)`, `at or near ")": expected an expression`, 46},
	{`CREATE MASKING POLICY m WITH (a int) USING (a, , b)`, `at or near ",": expected an expression`, 47},
	{`ATTACH MASKING POLICY m ON t TO u`, `at or near "TO": expected "("`, 29},
	{`ATTACH MASKING POLICY m ON t (a) TO u, v`, `a masking policy is attached to one grantee per statement`, 37},
	{`ATTACH MASKING POLICY m ON t (a) TO u PRIORITY high`, `at or near "high": expected an integer`, 47},
	{`DETACH MASKING POLICY m ON t (a) USING (b) FROM u`, `at or near "USING": expected FROM`, 33},
	{`DETACH MASKING POLICY m ON t (a) FROM u PRIORITY 1`, `at or near "PRIORITY": expected end of statement`, 40},
	{`CREATE TABLE t`, `at end of input: expected "(" or AS`, 14},
	{`CREATE TABLE t ()`, `at or near ")": expected a column name`, 16},
	{`CREATE TABLE t (a)`, `at or near ")": expected a data type`, 17},
	{`CREATE TABLE t (a int,)`, `at or near ")": expected a column name`, 22},
	{`CREATE TABLE t (a int NOT NULL NULL)`, `at or near "NULL": conflicting or redundant column options`, 31},
	{`CREATE TABLE t (a int DEFAULT)`, `at or near ")": expected a default expression`, 29},
	{`CREATE TABLE t (a int IDENTITY(1))`, `at or near ")": expected ","`, 32},
	{`CREATE TABLE t (a int CHECK (a > 0))`, `at or near "CHECK": expected "," or ")"`, 22},
	{`CREATE TABLE t (CHECK (a > 0))`, `Redshift does not support CHECK constraints`, 16},
	{`CREATE TABLE t (LIKE u)`, `CREATE TABLE ... (LIKE ...) is not supported`, 16},
	{`CREATE TABLE t (a int) DISTSTYLE RANDOM`, `at or near "RANDOM": expected AUTO, EVEN, KEY or ALL`, 33},
	{`CREATE TABLE t (a int) DISTSTYLE EVEN DISTSTYLE ALL`, `conflicting or redundant table attributes`, 38},
	{`CREATE TABLE t (a int) SORTKEY (a) COMPOUND SORTKEY (a)`, `conflicting or redundant table attributes`, 35},
	{`CREATE TABLE t AS`, `at end of input: expected a query`, 17},
	{`CREATE OR REPLACE TABLE t (a int)`, `at or near "OR": Redshift has no CREATE OR REPLACE TABLE`, 7},
	{`DROP TABLE`, `at end of input: expected a table name`, 10},
	{`DROP TABLE t CASCADE RESTRICT`, `at or near "RESTRICT": expected end of statement`, 21},
	{`ALTER TABLE t APPEND FROM u`, `at or near "APPEND": expected ROW LEVEL SECURITY`, 14},
	{`ALTER TABLE t RENAME COLUMN a b`, `at or near "b": expected TO`, 30},
	{`ALTER TABLE t ALTER COLUMN a SET DEFAULT 1`, `at or near "SET": expected TYPE`, 29},
	{`ALTER TABLE t OWNER alice`, `expected ROW LEVEL SECURITY`, 14},
	{`COPY t TO 'x.csv'`, `at or near "TO": expected FROM`, 7},
	{`COPY (SELECT 1) TO 'x.csv'`, `at or near "(": expected a table name`, 5},
	{`COPY t FROM STDIN`, `at or near "STDIN": expected a quoted source`, 12},
	{`COPY t FROM 'x' FORMAT AS JSON 'auto'`, `COPY FORMAT JSON is not supported; use CSV or PARQUET`, 26},
	{`COPY t FROM 'x' AVRO 'auto'`, `COPY FORMAT AVRO is not supported`, 16},
	{`COPY t FROM 'x' FORMAT AS XML`, `at or near "XML": expected CSV or PARQUET`, 26},
	{`COPY t FROM 'x' CSV PARQUET`, `at or near "PARQUET": conflicting or redundant options`, 20},
	{`COPY t FROM 'x' DELIMITER ''`, `the delimiter must not be empty`, 26},
	{`COPY t FROM 'x' IGNOREHEADER 'one'`, `at or near "'...'": expected an integer`, 29},
	{`COPY t FROM 'x' BOGUS`, `at or near "BOGUS": expected a COPY option`, 16},
	{`COPY t FROM 'x' 'y'`, `at or near "'...'": expected a COPY option`, 16},
	{`COPY t FROM 'x' QUOTE '"'`, `at or near "QUOTE": expected a COPY option`, 16},
}

func TestParseBad(t *testing.T) {
	for _, c := range badCases {
		st, err := Parse(c.sql)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error %q", c.sql, show(st), c.want)
			continue
		}
		if st != nil {
			t.Errorf("Parse(%q) returned both a statement and an error", c.sql)
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): error %T is not a *SyntaxError", c.sql, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) error\n got %q\nwant substring %q", c.sql, err, c.want)
		}
		if se.Pos != c.pos {
			t.Errorf("Parse(%q) error %q at %d, want %d", c.sql, err, se.Pos, c.pos)
		}
	}
}

// TestSecretsNeverEchoed breaks statements right after a password or an
// AWS credential and checks the error does not repeat it.
func TestSecretsNeverEchoed(t *testing.T) {
	const secret = "Secr3tPw"
	inputs := []string{
		`CREATE USER u PASSWORD 'Secr3tPw' BOGUS`,
		`CREATE USER u PASSWORD 'Secr3tPw' 'Secr3tPw'`,
		`CREATE USER u PASSWORD 'Secr3tPw' PASSWORD 'Secr3tPw'`,
		`CREATE USER u PASSWORD 'Secr3tPw' ,`,
		`CREATE USER u PASSWORD 'Secr3tPw' "unterminated`,
		`CREATE USER u PASSWORD 'Secr3tPw`,
		`CREATE USER u PASSWORD Secr3tPw`,
		`CREATE USER u PASSWORD "Secr3tPw"`,
		`CREATE USER u PASSWORD $$Secr3tPw$$ x`,
		`CREATE USER u PASSWORD $$Secr3tPw`,
		`CREATE USER u WITH PASSWORD E'Secr3tPw\'`,
		`CREATE USER u PASSWORD 'Secr3tPw'; DROP USER v`,
		`CREATE USER Secr3tPw PASSWORD 'Secr3tPw' VALID`,
		`COPY t FROM 'x' CREDENTIALS 'aws_secret_access_key=Secr3tPw' BOGUS`,
		`COPY t FROM 'x' CREDENTIALS Secr3tPw`,
		`COPY t FROM 'x' SECRET_ACCESS_KEY 'Secr3tPw' SECRET_ACCESS_KEY 'Secr3tPw'`,
		`COPY t FROM 'x' SECRET_ACCESS_KEY "Secr3tPw"`,
		`COPY t FROM 'x' SESSION_TOKEN 'Secr3tPw' 'Secr3tPw'`,
		`COPY t FROM 'x' SESSION_TOKEN 'Secr3tPw`,
		`COPY t FROM 'x' ACCESS_KEY_ID 'AK' SECRET_ACCESS_KEY Secr3tPw`,
		`COPY t FROM 'Secr3tPw' FORMAT JSON 'Secr3tPw'`,
	}
	for _, in := range inputs {
		st, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want an error", in, show(st))
			continue
		}
		// The user name in one input is deliberately the secret: names may
		// be echoed, so only check messages that do not come from a name.
		if strings.HasPrefix(in, "CREATE USER Secr3tPw") {
			if strings.Contains(err.Error(), "'Secr3tPw'") {
				t.Errorf("Parse(%q) error %q repeats the password", in, err)
			}
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Parse(%q) error %q repeats the secret", in, err)
		}
	}
}

// TestPasswordNotKept guards the AST: nothing in a parsed CREATE USER holds the password.
func TestPasswordNotKept(t *testing.T) {
	st, err := Parse(`CREATE USER u PASSWORD 'Secr3tPw' CREATEUSER`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(show(st), "Secr3tPw") {
		t.Fatalf("parsed statement %s keeps the password", show(st))
	}
	st, err = Parse(`COPY t FROM 'x' CREDENTIALS 'Secr3tPw' SECRET_ACCESS_KEY 'Secr3tPw' SESSION_TOKEN 'Secr3tPw'`)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(show(st), "Secr3tPw") {
		t.Fatalf("parsed statement %s keeps a credential", show(st))
	}
}
