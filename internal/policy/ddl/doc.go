// Package ddl owns the grammar of the Redshift statements tipgate interprets
// itself: users and roles, GRANT / REVOKE, row-level security and dynamic
// data masking policies, and the table DDL and COPY that the policy layer
// must see. Parse turns one statement into a Stmt from ast.go; every other
// statement (SELECT, INSERT, CREATE VIEW, SET, ...) comes back as *Other for
// the engine to judge.
//
// The package only reads syntax. It does not decide whether a statement is
// allowed, does not resolve names against the catalog and does not check
// that a role, table or policy exists: those rules belong to the catalog and
// decision code, which can then be tested without a parser.
//
// Choices worth knowing:
//
//   - Names: unquoted identifiers are lower-cased, quoted ones keep their
//     case, and any name longer than 127 bytes (Redshift's limit) is an
//     error. PostgreSQL's reserved words are not accepted as unquoted names,
//     which keeps statements such as "GRANT SELECT ON TABLE TO u" from
//     reading TO as a table. Redshift's system roles are written without
//     quotes (GRANT ROLE sys:secadmin TO alice), so an unquoted sys:name is
//     accepted wherever a role name is.
//   - Secrets: a password and the COPY credential options are checked for
//     shape and dropped; no string literal is ever echoed in an error, and a
//     malformed secret is reported at its keyword, not at its text.
//   - Expressions (RLS predicates, masking expressions, DEFAULT values, CTAS
//     queries) are kept as exact substrings of the input, from their first
//     to their last token, with their byte offsets, so the engine parses
//     them with its own grammar and can point errors at the right place.
//   - CREATE TEMP TABLE is returned as a plain CreateTable: the AST has no
//     field for it yet. Redshift attributes (DISTSTYLE, SORTKEY, ENCODE,
//     IDENTITY, ...) and informational constraints are accepted and dropped.
//   - A trailing semicolon is tolerated; a second statement is an error, so a
//     caller can never run more than it inspected. Other.Text is the statement
//     cut as sqlscan.Split would cut it: first to last token, no semicolon.
package ddl
