// Package memstore is the embedded store of a single tipgate server: state
// in memory (a restart forgets statements, sessions and sign-ins, which
// fails closed), key material in files of the data directory (created once,
// mode 0600, the first of two racing processes winning, as before the
// store existed). It must not be shared between processes: replicas use
// pgstore.
package memstore
