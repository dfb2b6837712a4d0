package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

func TestResolveCopySource(t *testing.T) {
	root := t.TempDir()
	bucket := filepath.Join(root, "bkt", "sales")
	if err := os.MkdirAll(bucket, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"part-2.csv", "part-1.csv", "other.csv"} {
		if err := os.WriteFile(filepath.Join(bucket, name), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	local := filepath.Join(t.TempDir(), "l.csv")
	if err := os.WriteFile(local, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		root, from string
		files      []string
		s3         bool
		code       sqlerr.Code
		msg        string
	}{
		{root, "s3://bkt/sales/part-", []string{"part-1.csv", "part-2.csv"}, true, "", ""},
		{root, "s3://bkt/sales/other.csv", []string{"other.csv"}, true, "", ""},
		{root, local, []string{"l.csv"}, false, "", ""},
		{"", "s3://bkt/sales/part-", nil, false, sqlerr.InvalidParameter, "no S3 root is configured"},
		{root, "s3://bkt/../../etc/passwd", nil, false, sqlerr.InvalidParameter, "key leaves the S3 root"},
		{root, "https://example.com/x.csv", nil, false, sqlerr.FeatureUnsupported, "only local paths and s3:// sources"},
		{root, "s3://bkt/sales/nope", nil, false, sqlerr.IOError, "no such file or key prefix"},
		{root, "s3://nobucket/x", nil, false, sqlerr.IOError, "COPY from s3://nobucket/x"},
	} {
		got, err := ResolveCopySource(tc.root, tc.from)
		if tc.code != "" {
			if err == nil || sqlerr.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s: err %v, want %s %q", tc.from, err, tc.code, tc.msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.from, err)
			continue
		}
		var names []string
		for _, f := range got.Files {
			names = append(names, filepath.Base(f))
		}
		if strings.Join(names, ",") != strings.Join(tc.files, ",") || got.S3 != tc.s3 {
			t.Errorf("%s: %v s3=%v, want %v s3=%v", tc.from, names, got.S3, tc.files, tc.s3)
		}
	}
}
