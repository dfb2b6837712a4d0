// Package sqlerr defines the error type every SQL-facing package returns: a
// stable code, Redshift's SQLSTATE and a message that names what was wrong.
// It must never carry a token, secret or password, nor data from rows the
// caller may not see.
package sqlerr
