package idp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tipgate/tipgate/internal/store/memstore"
)

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "idp-key.pem")
	first, err := loadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("created key mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	again, err := loadKeyFile(path)
	if err != nil || again.id != first.id || again.key.N.Cmp(first.key.N) != 0 {
		t.Fatalf("reloaded key differs (kid %s vs %s): %v", again.id, first.id, err)
	}
	if other, _ := loadKeyFile(""); other.id == first.id {
		t.Fatal("in-memory keys repeat")
	}

	pem, _ := os.ReadFile(path)
	for _, tc := range []struct {
		name    string
		data    []byte
		mode    os.FileMode
		wantErr string
	}{
		{"group-readable", pem, 0o640, "readable by others"},
		{"not PEM", []byte("hello"), 0o600, "no PEM block"},
		{"wrong PEM type", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600, "unsupported PEM type"},
		{"garbage key", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600, "cannot parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".pem")
			if err := os.WriteFile(p, tc.data, tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil { // umask-proof
				t.Fatal(err)
			}
			_, err := loadKeyFile(p)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "AAAA") || strings.Contains(err.Error(), string(pem[40:80])) {
				t.Fatalf("error reveals key material: %v", err)
			}
		})
	}
}

// TestProviderUsesKeyFile checks that tokens are signed with the persisted
// key, so relying parties keep working across restarts.
func TestProviderUsesKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.pem")
	e := newEnv(t, func(c *Config) { c.KeyPath = path })
	k, err := loadKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if e.p.store.key.id != k.id {
		t.Fatalf("provider kid %s, file kid %s", e.p.store.key.id, k.id)
	}
}

func TestConfigRejectsBadInput(t *testing.T) {
	users, err := testUsers()
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Issuer: "ftp://idp/",
		Users:  users,
		Clients: []Client{
			{ID: "a", Secret: "s", Public: true},
			{ID: "a", Grants: []string{"implicit"}},
			{ID: "b", Public: true, RedirectURIs: []string{"/relative"}},
		},
	}
	_, err = New(context.Background(), cfg)
	if err == nil {
		t.Fatal("accepted bad config")
	}
	for _, want := range []string{
		`issuer "ftp://idp/"`,
		"clients[0] (a): exactly one of public = true or a secret is required",
		"clients[0] (a): authorization_code needs at least one redirect URI",
		"clients[1] (a): duplicate id",
		`clients[1] (a): unknown grant "implicit"`,
		`clients[2] (b): redirect URI "/relative" must be absolute`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "argon2id") {
		t.Errorf("error mentions password hashes:\n%v", err)
	}
}

// loadKeyFile loads or creates the key in a file, as the embedded store
// keeps it ("" for an in-memory key).
func loadKeyFile(path string) (*signingKey, error) {
	if path == "" {
		return loadOrCreateKey(context.Background(), nil, "")
	}
	return loadOrCreateKey(context.Background(), memstore.FileKeys(filepath.Dir(path)), filepath.Base(path))
}
