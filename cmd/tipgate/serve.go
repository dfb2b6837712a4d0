package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("serve", stderr)
	path := flags.String("config", "tipgate.toml", "configuration file (see docs/configuration.md)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", flags.Arg(0))
	}
	cfg, err := config.Load(*path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("serve: there is no configuration file %s: write one (every key is in docs/configuration.md; docs/redshift-developers.md has the demo's as an example), give another with --config, or try 'tipgate demo', which needs none", *path)
	}
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	srv, err := server.New(ctx, cfg, server.Options{Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "tipgate serving at %s\n", srv.URL)
	return srv.Serve(ctx)
}
