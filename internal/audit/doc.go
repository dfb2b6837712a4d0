// Package audit records who ran what, under which policies, and every
// failed authentication: an append-only JSON-lines file in the data
// directory plus a bounded in-memory window for queries. Records never
// hold a token, secret or password (statement text is redacted, parameter
// values are not recorded). It decides nothing.
package audit
