package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/scim"
)

func TestSCIMClientCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"scim-client"}, append(args, "--data-dir", dir)...), &out, &errb)
		return code, out.String(), errb.String()
	}
	// flags after the name are not parsed by flag: put them first.
	cliName := func(sub, name string, extra ...string) (int, string, string) {
		var out, errb bytes.Buffer
		args := append([]string{"scim-client", sub, "--data-dir", dir}, extra...)
		code := run(ctx, append(args, name), &out, &errb)
		return code, out.String(), errb.String()
	}
	store := func() scim.Store {
		s, err := scim.OpenFileStore(filepath.Join(dir, "scim"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	code, tok, stderr := cliName("create", "okta")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "tgscim_") || len(tok) < 40 {
		t.Fatalf("create: %d %q %s", code, tok, stderr)
	}
	if c, err := store().ClientByTokenHash(ctx, scim.HashToken(tok)); err != nil || c.Name != "okta" {
		t.Fatalf("the printed token does not authenticate okta: %v", err)
	}
	if code, _, stderr := cliName("create", "okta"); code == 0 || !strings.Contains(stderr, "exists") {
		t.Fatalf("second create: %d %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "token")
	if code, out, stderr := cliName("rotate", "okta", "--token-file", file); code != 0 || out != "" {
		t.Fatalf("rotate: %d %q %s", code, out, stderr)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(file)
	newTok := strings.TrimSpace(string(b))
	if _, err := store().ClientByTokenHash(ctx, scim.HashToken(tok)); err == nil {
		t.Fatal("the old token still works after rotation")
	}
	if _, err := store().ClientByTokenHash(ctx, scim.HashToken(newTok)); err != nil {
		t.Fatalf("the rotated token does not work: %v", err)
	}
	if code, out, _ := cli("list"); code != 0 || !strings.Contains(out, "okta") || !strings.Contains(out, "never") || strings.Contains(out, newTok) {
		t.Fatalf("list: %d\n%s", code, out)
	}
	if code, _, stderr := cliName("rotate", "entra"); code == 0 || !strings.Contains(stderr, "no client") {
		t.Fatalf("rotate unknown: %d %s", code, stderr)
	}
	if code, _, stderr := cliName("create", "bad name"); code == 0 || !strings.Contains(stderr, "letters, digits") {
		t.Fatalf("create with a bad name: %d %s", code, stderr)
	}
	if code, _, stderr := cliName("delete", "okta"); code != 0 {
		t.Fatalf("delete: %d %s", code, stderr)
	}
	if _, err := store().ClientByTokenHash(ctx, scim.HashToken(newTok)); err == nil {
		t.Fatal("a deleted client's token still works")
	}
	al, _ := os.ReadFile(filepath.Join(dir, "audit.log"))
	for _, want := range []string{"create provisioning client okta", "rotate provisioning client okta", "delete provisioning client okta"} {
		if !strings.Contains(string(al), want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	if strings.Contains(string(al), tok) || strings.Contains(string(al), newTok) {
		t.Error("a token reached the audit log")
	}
	if sd, _ := os.ReadFile(filepath.Join(dir, "scim", "store.json")); bytes.Contains(sd, []byte(newTok)) {
		t.Error("the token is stored in clear")
	}
}
