package secretfile

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadPEM(t *testing.T) {
	dir := t.TempDir()
	good := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	for _, tc := range []struct {
		name string
		data []byte
		mode os.FileMode
		want string
	}{
		{"ok", good, 0o600, ""},
		{"group readable", good, 0o640, "readable by others"},
		{"world readable", good, 0o604, "readable by others"},
		{"not pem", []byte("nope"), 0o600, "not a PEM PRIVATE KEY"},
		{"other block", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), 0o600, "not a PEM PRIVATE KEY"},
	} {
		p := filepath.Join(dir, tc.name)
		os.WriteFile(p, tc.data, 0o600)
		os.Chmod(p, tc.mode)
		der, err := ReadPEM(p, "PRIVATE KEY")
		switch {
		case tc.want == "" && (err != nil || len(der) != 3):
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file")
	}
}
