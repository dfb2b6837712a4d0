package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "set up the reference scenario and show what each demo user sees", runDemo},
		{"serve", "run the server (Data API over AWS and REST, token endpoint) from a configuration file", runServe},
		{"sql", "run SQL against the warehouse, as the superuser or as a simulated principal", runSQL},
		{"policy", "policy as code: plan, apply, export and test policy files", runPolicy},
		{"gen-data", "write deterministic demo sales data (CSV or Parquet)", runGenData},
		{"idp", "development identity provider tools (hash-password)", runIDP},
		{"scim-client", "manage SCIM provisioning clients and their tokens (create, rotate, list, delete)", runSCIMClient},
		{"login", "sign in at an identity provider and store a tipgate session for --remote", runLogin},
		{"logout", "revoke the stored tipgate session and delete it", runLogout},
		{"whoami", "show the user, groups and roles of the stored tipgate session", runWhoAmI},
		{"version", "print the version", runVersion},
	}
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("version: unexpected argument %q", fs.Arg(0))
	}
	_, err := fmt.Fprintln(stdout, "tipgate", versionString())
	return err
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: tipgate <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'tipgate <command> -h' for a command's flags and examples; 'tipgate --version' prints the version.")
}

func main() {
	// The OpenID library inside the embedded IdP logs through slog's
	// default logger, at INFO for every "authorization_pending" poll of a
	// device sign-in: only its warnings and errors reach the terminal.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit code for errors already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "-v" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		var ee exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ee):
			return ee.code
		default:
			fmt.Fprintln(stderr, "tipgate:", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "tipgate: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}
