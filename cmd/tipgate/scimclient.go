package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/scim"
	"github.com/tipgate/tipgate/internal/store/pgstore"
)

const scimClientUsage = `tipgate scim-client: manage SCIM provisioning clients and their tokens (create, rotate, list, delete)

usage: tipgate scim-client <subcommand> [flags] [NAME]

Provisioning clients are the identity providers allowed to call /scim/v2.
Each has one bearer token; only its SHA-256 is stored.

subcommands:
  create NAME   make a client and print its token (once)
  rotate NAME   replace a client's token (the old one stops working at once)
  list          list clients with their last provisioning time
  delete NAME   remove a client (its token stops working at once)

flags (every subcommand):
  --data-dir DIR      the server's data directory (default ./tipgate-data)
  --store-dsn DSN     replicas: the shared store ([store] dsn) instead
  --token-file PATH   create, rotate: write the token to PATH (mode 0600)
                      instead of standard output

examples:
  tipgate scim-client create okta --token-file okta.token
  tipgate scim-client list`

func runSCIMClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, scimClientUsage)
		if len(args) == 0 {
			return exitError{2}
		}
		return flag.ErrHelp
	}
	sub := args[0]
	fs := flag.NewFlagSet("scim-client "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, scimClientUsage) }
	dataDir := fs.String("data-dir", "./tipgate-data", "the server's data directory")
	tokenFile := fs.String("token-file", "", "write the token here (0600) instead of standard output")
	storeDSN := fs.String("store-dsn", "", "the replicas' shared store ([store] dsn) instead of --data-dir's file store")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	name := fs.Arg(0)
	wantName := sub != "list"
	if wantName && fs.NArg() != 1 || !wantName && fs.NArg() != 0 {
		return fmt.Errorf("scim-client %s: %s", sub, map[bool]string{true: "give exactly one client name", false: "takes no arguments"}[wantName])
	}
	var store *scim.FileStore
	var sharedAudit audit.Backend
	if *storeDSN != "" {
		shared, err := pgstore.Open(ctx, pgstore.Options{DSN: *storeDSN})
		if err != nil {
			return fmt.Errorf("scim-client: %w", err)
		}
		defer shared.Close()
		sharedAudit = shared.Audit()
		if store, err = scim.OpenDocumentStore(ctx, scim.SharedDocument(shared.Documents(), "scim")); err != nil {
			return err
		}
	} else {
		if _, err := os.Stat(*dataDir); err != nil {
			return fmt.Errorf("scim-client: data directory: %w", err)
		}
		var err error
		if store, err = scim.OpenFileStore(filepath.Join(*dataDir, "scim")); err != nil {
			return err
		}
	}
	clients, err := store.Clients(ctx)
	if err != nil {
		return err
	}
	exists := false
	for _, c := range clients {
		exists = exists || c.Name == name
	}
	switch sub {
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCREATED\tTOKEN ROTATED\tLAST PROVISIONING")
		for _, c := range clients {
			last := "never"
			if !c.LastUsed.IsZero() {
				last = c.LastUsed.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Created.Format(time.RFC3339), c.Rotated.Format(time.RFC3339), last)
		}
		return tw.Flush()
	case "create", "rotate":
		if sub == "create" && exists {
			return fmt.Errorf("scim-client create: client %q exists (use rotate for a new token)", name)
		}
		if sub == "rotate" && !exists {
			return fmt.Errorf("scim-client rotate: no client %q", name)
		}
		tok, err := scim.IssueClientToken(ctx, store, name, time.Now())
		if err != nil {
			return err
		}
		if err := auditClientChange(ctx, *dataDir, sharedAudit, sub, name); err != nil {
			return err
		}
		if *tokenFile != "" {
			return writeSecretFile(*tokenFile, tok+"\n")
		}
		_, err = fmt.Fprintln(stdout, tok)
		return err
	case "delete":
		if err := store.DeleteClient(ctx, name); err != nil {
			if errors.Is(err, scim.ErrNotFound) {
				return fmt.Errorf("scim-client delete: no client %q", name)
			}
			return err
		}
		return auditClientChange(ctx, *dataDir, sharedAudit, sub, name)
	}
	return fmt.Errorf("scim-client: unknown subcommand %q", sub)
}

// writeSecretFile writes a secret readable by its owner only, replacing
// any earlier file atomically.
func writeSecretFile(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(content)
	cerr := tmp.Chmod(0o600)
	serr := tmp.Sync()
	xerr := tmp.Close()
	if err := errors.Join(werr, cerr, serr, xerr); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// auditClientChange records who changed provisioning clients, in the
// data directory's audit log the server writes too, or with replicas in
// the shared store's, which every replica reads.
func auditClientChange(ctx context.Context, dataDir string, shared audit.Backend, op, name string) error {
	actor := "cli"
	if u, err := user.Current(); err == nil {
		actor = "cli:" + u.Username
	}
	rec := audit.Record{Time: time.Now().UTC(), Kind: "scim_client", Actor: actor, Binding: "cli",
		Source: op + " provisioning client " + name, Status: "ok"}
	if shared != nil {
		return shared.Append(ctx, rec)
	}
	l, err := audit.Open(filepath.Join(dataDir, "audit.log"), 1)
	if err != nil {
		return err
	}
	defer l.Close()
	return l.Write(rec)
}
