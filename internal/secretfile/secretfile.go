// Package secretfile reads files that hold secret material (signing keys,
// sealing keys): a file that other users can read is refused rather than
// used, and PEM private keys are decoded in one place. It holds no state
// and logs nothing.
package secretfile

import (
	"encoding/pem"
	"fmt"
	"os"
)

// Read returns the file's bytes if only its owner can read it.
func Read(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret file %s is readable by others (mode %04o); chmod 600 it", path, st.Mode().Perm())
	}
	return os.ReadFile(path)
}

// ReadPEM returns the DER bytes of the PEM block of the given type in a
// file only its owner can read.
func ReadPEM(path, blockType string) ([]byte, error) {
	b, err := Read(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != blockType {
		return nil, fmt.Errorf("%s is not a PEM %s", path, blockType)
	}
	return blk.Bytes, nil
}
