package gendata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// WriteFile writes the data set to path, as CSV for a .csv extension and as
// Parquet for .parquet (case-insensitive). Any other extension is an error.
// On failure the partial file is removed so that a later loader never picks
// up truncated data.
func WriteFile(ctx context.Context, path string, opts Options) (err error) {
	var write func(context.Context, io.Writer, Options) error
	switch ext := filepath.Ext(path); strings.ToLower(ext) {
	case ".csv":
		write = WriteCSV
	case ".parquet":
		write = WriteParquet
	default:
		return fmt.Errorf("gendata: unsupported file extension %q in %q (want .csv or .parquet)", ext, path)
	}
	if opts.Rows < 0 {
		return fmt.Errorf("%w: got %d", errNegativeRows, opts.Rows)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gendata: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("gendata: closing %s: %w", path, cerr)
		}
		if err != nil {
			err = errors.Join(err, removeIfExists(path))
		}
	}()
	return write(ctx, f, opts)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("gendata: removing partial %s: %w", path, err)
	}
	return nil
}
