//go:build !unix

package scim

import "errors"

// lockFile: without flock there is no safe way for two processes to
// share the store, so writes are refused rather than risked.
func lockFile(string) (func(), error) {
	return nil, errors.New("the embedded SCIM store needs a Unix system (flock)")
}
