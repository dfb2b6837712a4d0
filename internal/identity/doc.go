// Package identity owns who a caller is: the Principal, created only from a
// verified token or credential (or, for the local "view as" tool, from an
// operator on the machine that owns the data directory). Later it also holds
// external IdP verification, sessions and token exchange. It must not read
// or decide data access: that is policy's job.
package identity
