// Package sqlscan is the lexer shared by everything that reads SQL text in
// tipgate: it tokenizes PostgreSQL/Redshift SQL (quotes, dollar quotes,
// nested comments, :name parameters) and splits scripts into statements.
// It decides nothing about meaning; parsing belongs to policy/ddl and to
// the engines' own parsers.
package sqlscan
