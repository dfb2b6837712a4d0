package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tipgate/tipgate/internal/sqlerr"
)

// CopySource is what a COPY … FROM names, resolved to local files the same
// way on every engine.
type CopySource struct {
	// Files are the files to load, in key order.
	Files []string
	// S3 is true when the source was an s3:// key under the S3 root; a
	// local path is false, and an engine whose reader is confined (DuckDB's
	// allowed directories) stages it first.
	S3 bool
}

// ResolveCopySource resolves a COPY source: s3://bucket/key under s3Root
// (DIR/bucket/key; a key may not leave the root), or a local path. As in
// S3, a source that is not a file is a key prefix and loads every match.
func ResolveCopySource(s3Root, from string) (CopySource, error) {
	var path string
	var out CopySource
	if rest, ok := strings.CutPrefix(from, "s3://"); ok {
		if s3Root == "" {
			return out, sqlerr.New(sqlerr.InvalidParameter,
				"COPY from %s: no S3 root is configured; run with --s3-root DIR to read s3://bucket/key from DIR/bucket/key", from)
		}
		root, _ := filepath.Abs(s3Root)
		path = filepath.Join(root, filepath.FromSlash(rest))
		if !strings.HasPrefix(path, root+string(filepath.Separator)) {
			return out, sqlerr.New(sqlerr.InvalidParameter, "COPY from %s: key leaves the S3 root", from)
		}
		out.S3 = true
	} else if strings.Contains(from, "://") {
		return out, sqlerr.New(sqlerr.FeatureUnsupported, "COPY from %s: only local paths and s3:// sources are supported", from)
	} else {
		abs, err := filepath.Abs(from)
		if err != nil {
			return out, sqlerr.Wrap(sqlerr.InvalidParameter, err, "COPY from %s: bad path", from)
		}
		path = abs
	}
	files, err := matchPrefix(path)
	if err != nil {
		return out, sqlerr.Wrap(sqlerr.IOError, err, "COPY from %s: %v", from, err)
	}
	if len(files) == 0 {
		return out, sqlerr.New(sqlerr.IOError, "COPY from %s: no such file or key prefix", from)
	}
	out.Files = files
	return out, nil
}

func matchPrefix(path string) ([]string, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		return []string{path}, nil
	}
	dir, prefix := filepath.Split(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, ent := range entries {
		if ent.Type().IsRegular() && strings.HasPrefix(ent.Name(), prefix) {
			out = append(out, filepath.Join(dir, ent.Name()))
		}
	}
	slices.Sort(out)
	return out, nil
}
