package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tipgate/tipgate/internal/cliauth"
)

// loginTimeout bounds a sign-in: the person has this long to approve it.
const loginTimeout = 15 * time.Minute

func runLogin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("login", stderr)
	server := fs.String("server", "", "tipgate server URL, e.g. https://tipgate.example.com (required)")
	issuer := fs.String("issuer", "", "OpenID Provider (issuer) URL to sign in at (default: the server's embedded IdP, <server>/idp)")
	clientID := fs.String("client-id", "tipgate-cli", "OAuth client id of the command line at the issuer (a public client)")
	flow := fs.String("flow", "device", "sign-in flow: device (a code to enter on any device) or browser (loopback redirect on this machine)")
	scope := fs.String("scope", strings.Join(cliauth.DefaultScopes, " "), "scopes to request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("login: unexpected argument %q", fs.Arg(0))
	}
	var problems []error
	srvURL, err := cliauth.CheckURL("--server", *server)
	if *server == "" {
		err = errors.New("--server is required")
	}
	problems = append(problems, err)
	// Without --issuer the server's own embedded IdP is meant: it lives at
	// <server>/idp, so the server's URL alone is enough.
	issuerGiven := *issuer != ""
	var issURL string
	if issuerGiven {
		issURL, err = cliauth.CheckURL("--issuer", *issuer)
		problems = append(problems, err)
	} else if srvURL != "" {
		issURL = strings.TrimSuffix(srvURL, "/") + "/idp"
	}
	if *clientID == "" {
		problems = append(problems, errors.New("--client-id is required"))
	}
	if *flow != "device" && *flow != "browser" {
		problems = append(problems, fmt.Errorf("--flow %q: use device or browser", *flow))
	}
	if err := errors.Join(problems...); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	store, err := cliauth.DefaultStore()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	hc := cliauth.NewHTTPClient()
	p, err := cliauth.Discover(ctx, hc, issURL)
	if err != nil {
		if !issuerGiven {
			return fmt.Errorf("login: %s has no embedded identity provider at %s (%w): name the provider its users sign in at with --issuer", srvURL, issURL, err)
		}
		return fmt.Errorf("login: %w", err)
	}
	if p.AuthorizationEndpoint == "" && p.DeviceAuthorizationEndpoint == "" {
		msg := fmt.Sprintf("login: %s is not an identity provider people sign in at (its discovery document has neither an authorization nor a device endpoint)", issURL)
		if strings.TrimSuffix(issURL, "/") == strings.TrimSuffix(srvURL, "/") {
			msg += fmt.Sprintf(": it is the tipgate server itself, whose embedded provider is %s/idp; leave --issuer out to use it", strings.TrimSuffix(srvURL, "/"))
		}
		return errors.New(msg)
	}
	c := &cliauth.Client{Provider: p, ClientID: *clientID, Scopes: strings.Fields(*scope), HTTP: hc, Prompt: stderr}
	var toks cliauth.Tokens
	if *flow == "device" {
		toks, err = c.DeviceLogin(ctx)
	} else {
		toks, err = c.BrowserLogin(ctx)
	}
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	sess, err := cliauth.Exchange(ctx, hc, srvURL, toks.IDToken, time.Now())
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	sess.Issuer, sess.ClientID = issURL, *clientID
	// A session this replaces is ended at its server, best effort.
	if old, err := store.Load(); err == nil && old.Token != sess.Token {
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		_ = cliauth.Revoke(rctx, hc, old)
		rcancel()
	}
	if err := store.Save(sess); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	rc := &restClient{sess: sess, hc: hc}
	id, err := rc.whoami(ctx)
	if err != nil {
		return fmt.Errorf("login: signed in, but %s/v1/whoami failed: %w", srvURL, err)
	}
	fmt.Fprintf(stdout, "Signed in to %s as %s (session valid until %s).\n", srvURL, id.User, sess.Expiry.Local().Format(time.DateTime))
	return nil
}

func runLogout(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("logout", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("logout: unexpected argument %q", fs.Arg(0))
	}
	store, err := cliauth.DefaultStore()
	if err != nil {
		return err
	}
	sess, err := store.Load()
	if errors.Is(err, cliauth.ErrNotLoggedIn) {
		fmt.Fprintln(stdout, "Not signed in.")
		return nil
	}
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	// The server answers 200 for sessions that are already revoked or
	// expired; only a server that cannot be reached or fails leaves the
	// session alive there. The local copy goes either way.
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	revokeErr := cliauth.Revoke(ctx, cliauth.NewHTTPClient(), sess)
	if err := store.Delete(); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	if revokeErr != nil {
		fmt.Fprintf(stderr, "warning: the stored session was deleted, but the server could not revoke it: %v\n", revokeErr)
		return exitError{code: 1}
	}
	fmt.Fprintf(stdout, "Signed out of %s.\n", sess.Server)
	return nil
}

func runWhoAmI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("whoami", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("whoami: unexpected argument %q", fs.Arg(0))
	}
	c, err := openSession("")
	if err != nil {
		return fmt.Errorf("whoami: %w", err)
	}
	id, err := c.whoami(ctx)
	if err != nil {
		return fmt.Errorf("whoami: %w", err)
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "(none)"
		}
		return strings.Join(xs, ", ")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "User:    %s\n", id.User)
	if id.Email != "" {
		fmt.Fprintf(&b, "Email:   %s\n", id.Email)
	}
	fmt.Fprintf(&b, "Groups:  %s\n", list(id.Groups))
	fmt.Fprintf(&b, "Roles:   %s\n", list(id.Roles))
	var flags []string
	for _, f := range []struct {
		on   bool
		name string
	}{{id.Superuser, "superuser"}, {id.SecAdmin, "sys:secadmin"}, {id.IgnoreRLS, "IGNORE RLS"}} {
		if f.on {
			flags = append(flags, f.name)
		}
	}
	if len(flags) > 0 {
		fmt.Fprintf(&b, "Rights:  %s\n", strings.Join(flags, ", "))
	}
	if id.Issuer != "" {
		fmt.Fprintf(&b, "Issuer:  %s\n", id.Issuer)
	}
	fmt.Fprintf(&b, "Server:  %s\n", c.sess.Server)
	fmt.Fprintf(&b, "Session: valid until %s\n", c.sess.Expiry.Local().Format(time.DateTime))
	_, err = io.WriteString(stdout, b.String())
	return err
}
