package main

import (
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// help is what `tipgate <command> -h` says beyond the flags: what the
// command is for and how it is typically called.
type help struct {
	synopsis string
	about    string
	examples []string
}

var helps = map[string]help{
	"demo": {
		synopsis: "tipgate demo [--data-dir D] [--rows N] [--seed S] [--listen ADDR] [--demo-password PW] [--serve=false]",
		about: "Generates demo sales data into D/s3/…, runs the reference policy script once (a second run reuses\n" +
			"the warehouse and ignores --rows and --seed), prints what each demo user sees, then serves the\n" +
			"dashboard, the Data API and the embedded IdP until Ctrl-C.",
		examples: []string{
			"tipgate demo",
			"tipgate demo --rows 200000 --listen 127.0.0.1:18482 --demo-password demo-pw",
			"tipgate demo --data-dir /tmp/tg --serve=false",
		},
	},
	"serve": {
		synopsis: "tipgate serve [--config tipgate.toml]",
		about:    "Runs the server from a configuration file (docs/configuration.md describes every key).",
		examples: []string{"tipgate serve --config tipgate.toml"},
	},
	"sql": {
		synopsis: "tipgate sql (-c SQL | -f FILE) [--data-dir D [--create]] [--as USER --groups g1,g2] [--format table|csv|json]\n" +
			"       tipgate sql --remote [URL] (-c SQL | -f FILE)",
		about: "Runs statements against the warehouse in --data-dir, as the local superuser or as a simulated\n" +
			"principal, or through a server's REST binding as the person signed in with 'tipgate login'.\n" +
			"The first failing statement stops the run; the ones before it stay committed.",
		examples: []string{
			`tipgate sql -c "SELECT * FROM svv_rls_attached_policy"`,
			`tipgate sql --as 'AWSIDC:ming@example.com' --groups apac-sales -c "SELECT count(*) FROM sales_data"`,
			`tipgate sql --data-dir ./new-warehouse --create -f policies.sql`,
			`tipgate sql --remote --format csv -c "SELECT city FROM sales_data LIMIT 5"`,
		},
	},
	"gen-data": {
		synopsis: "tipgate gen-data --out FILE [--rows N] [--seed S]",
		about:    "Writes deterministic demo sales data (the same seed gives the same bytes), CSV or Parquet by extension.",
		examples: []string{"tipgate gen-data --rows 100000 --out sales.csv", "tipgate gen-data --seed 7 --out sales.parquet"},
	},
	"idp": {
		synopsis: "tipgate idp hash-password < password-file",
		about:    "Development identity provider tools. hash-password prints an argon2id hash for a users file.",
		examples: []string{"tipgate idp hash-password < pw.txt"},
	},
	"login": {
		synopsis: "tipgate login --server URL [--issuer URL] [--flow device|browser] [--client-id ID]",
		about: "Signs in at the server's identity provider (found from --server unless --issuer names one)\n" +
			"and keeps the tipgate session, 0600, in your config directory for 'sql --remote' and 'whoami'.",
		examples: []string{
			"tipgate login --server http://127.0.0.1:8080",
			"tipgate login --server https://tipgate.example.com --issuer https://login.example.com/realms/corp --flow browser",
		},
	},
	"logout": {
		synopsis: "tipgate logout",
		about:    "Ends the stored tipgate session at its server and deletes it.",
		examples: []string{"tipgate logout"},
	},
	"whoami": {
		synopsis: "tipgate whoami",
		about:    "Shows the user, groups and roles of the stored tipgate session, as the server sees them.",
		examples: []string{"tipgate whoami"},
	},
	"version": {
		synopsis: "tipgate version   (or tipgate --version)",
		about:    "Prints the version of this binary.",
		examples: []string{"tipgate --version"},
	},
}

// newFlagSet is flag.NewFlagSet with the command's help as its usage.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { printHelp(stderr, name, fs) }
	return fs
}

func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	hp := helps[name]
	summary := ""
	for _, c := range commands() {
		if c.name == name {
			summary = c.summary
		}
	}
	fmt.Fprintf(w, "tipgate %s: %s\n\nusage: %s\n", name, summary, hp.synopsis)
	if hp.about != "" {
		fmt.Fprintf(w, "\n%s\n", hp.about)
	}
	hasFlags := false
	if fs != nil {
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	}
	if hasFlags {
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	if len(hp.examples) > 0 {
		fmt.Fprintf(w, "\nexamples:\n  %s\n", strings.Join(hp.examples, "\n  "))
	}
}

// versionString is the -X main.version given at build time or, for a
// plain `go build`, the module version or VCS revision Go recorded.
func versionString() string {
	if version != "dev" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified, when string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		case "vcs.time":
			when = s.Value
		}
	}
	if rev == "" {
		return version
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	out := "dev-" + rev + modified
	if when != "" {
		out += " (" + when + ")"
	}
	return out
}
