package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/tipgate/tipgate/internal/config"
	"github.com/tipgate/tipgate/internal/server"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	path := fs.String("config", "tipgate.toml", "configuration file (see docs/configuration.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(*path)
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
