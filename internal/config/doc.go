// Package config is the one front door for tipgate.toml: it decodes the
// file, fills in defaults and validates everything, reporting every problem
// at once with its key path. Unknown keys are errors, so a typo never
// silently turns a security setting off.
//
// Each section is a raw struct (what TOML may hold, fields typed any so a
// wrong type is one more problem rather than an aborted decode) and a
// public struct (what the rest of tipgate reads). New sections add a field
// to both and a validate method; existing sections are untouched.
//
// It owns parsing and validation only. It must not open sockets, files
// other than the one it is asked to load, or data directories, and it must
// not import the packages it configures.
package config
