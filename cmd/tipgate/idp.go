package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tipgate/tipgate/internal/idp"
)

func runIDP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, "tipgate idp: development identity provider tools\n\nusage: tipgate idp <subcommand>\n\nsubcommands:\n  hash-password  read a password from stdin and print its argon2id hash for a users file\n\nexamples:\n  tipgate idp hash-password < pw.txt")
		if len(args) == 0 {
			return exitError{2}
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "hash-password":
		return runIDPHashPassword(ctx, args[1:], stdout, stderr)
	default:
		return fmt.Errorf("idp: unknown subcommand %q", args[0])
	}
}

func runIDPHashPassword(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("idp hash-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tipgate idp hash-password < password-file\n\nReads one password (without echo on a terminal) and prints an argon2id PHC\nhash for the password_hash field of a users file.\n\nexamples:\n  tipgate idp hash-password < pw.txt\n  tipgate idp hash-password          (type the password; it is not echoed)")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("idp hash-password: unexpected argument %q", fs.Arg(0))
	}
	pw, err := idp.ReadPassword(os.Stdin, stderr)
	if err != nil {
		return fmt.Errorf("idp hash-password: %w", err)
	}
	h, err := idp.HashPassword(pw)
	if err != nil {
		return fmt.Errorf("idp hash-password: %w", err)
	}
	_, err = fmt.Fprintln(stdout, h)
	return err
}
