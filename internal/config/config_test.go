package config

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/config golden files")

const dir = "../../testdata/config"

func TestGoodFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.good.toml"))
	if len(files) == 0 {
		t.Fatal("no good files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, _ := json.MarshalIndent(c, "", "  ")
			golden := strings.TrimSuffix(f, ".toml") + ".json"
			if *update {
				if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if strings.TrimSpace(string(want)) != string(got) {
				t.Errorf("parsed config differs from %s:\n%s", golden, got)
			}
		})
	}
}

func TestBadFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.bad.toml"))
	if len(files) == 0 {
		t.Fatal("no bad files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(b)
			if err == nil {
				t.Fatalf("Parse accepted a bad file: %+v", c)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, want *Error", err)
			}
			var got []string
			for _, p := range ce.Problems {
				got = append(got, p.String())
			}
			wantFile := strings.TrimSuffix(f, ".toml") + ".txt"
			if *update {
				if err := os.WriteFile(wantFile, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(want)); g != w {
				t.Errorf("problems:\n%s\nwant:\n%s", g, w)
			}
		})
	}
}

func TestLoadNamesFile(t *testing.T) {
	_, err := Load(filepath.Join(dir, "overlap.bad.toml"))
	if err == nil || !strings.Contains(err.Error(), "overlap.bad.toml: invalid configuration") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse([]byte("[[identity.issuers]]\nissuer = \"https://i.example\"\naudiences = [\"a\"]\n[sessions]\nlifetime = \"2h\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	is := c.Identity.Issuers[0]
	if is.UserClaim != "email" || is.GroupsClaim != "groups" || is.Namespace != "AWSIDC" || is.AutoCreateRoles {
		t.Errorf("issuer defaults: %+v", is)
	}
	s := c.Sessions
	if s.Audience != "tipgate-data-api" || s.KeyRotation.Hours() != 24 || s.KeyOverlap != s.Lifetime || s.Lifetime.Hours() != 2 {
		t.Errorf("session defaults: %+v", s)
	}
}

// TestDocsExamples parses every TOML example of docs/redshift-developers.md
// that is a whole file (has a [server] section).
func TestDocsExamples(t *testing.T) {
	b, err := os.ReadFile("../../docs/redshift-developers.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(b), "```toml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.Contains(body, "[server]") {
			continue
		}
		n++
		c, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("example %d: %v", n, err)
		}
		if len(c.AWSAPI.Roles) != 2 || len(c.AWSAPI.Applications) != 1 || c.AWSAPI.Workgroup != DefaultWorkgroup {
			t.Errorf("example %d: %+v", n, c.AWSAPI)
		}
	}
	if n == 0 {
		t.Fatal("no complete example found")
	}
}

// TestDataAPILimits: a principal's statements end after five minutes
// unless configured otherwise, the running-time budget follows the
// timeout, and out-of-range limits are refused.
func TestDataAPILimits(t *testing.T) {
	for _, tc := range []struct {
		name, toml      string
		timeout, budget string
		sessions        int
		problem         string
	}{
		{"defaults", "", "5m0s", "15m0s", 50, ""},
		{"budget follows the timeout", `statement_timeout = "1h"`, "1h0m0s", "3h0m0s", 50, ""},
		{"explicit", "statement_timeout = \"30s\"\nmax_running_time = \"2m\"\nmax_sessions_per_principal = 5", "30s", "2m0s", 5, ""},
		{"timeout beyond the Data API's 24h", `statement_timeout = "25h"`, "", "", 0, "dataapi.statement_timeout: must be between 1s and 24h"},
		{"zero timeout", `statement_timeout = "0s"`, "", "", 0, "dataapi.statement_timeout: must be between 1s and 24h"},
		{"budget below a minute", `max_running_time = "30s"`, "", "", 0, "dataapi.max_running_time: must be between 1m and 240h"},
		{"no sessions", `max_sessions_per_principal = 0`, "", "", 0, "dataapi.max_sessions_per_principal: must be between 1 and 500"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte("[dataapi]\n" + tc.toml + "\n"))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("err = %v, want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			d := c.DataAPI
			if d.StatementTimeout.String() != tc.timeout || d.MaxRunningTime.String() != tc.budget || d.MaxSessionsPerPrincipal != tc.sessions {
				t.Errorf("got timeout %v, budget %v, sessions %d", d.StatementTimeout, d.MaxRunningTime, d.MaxSessionsPerPrincipal)
			}
		})
	}
}
