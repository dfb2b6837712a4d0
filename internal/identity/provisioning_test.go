package identity

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/tipgate/tipgate/internal/config"
)

// tableDirectory is a Directory over a table the test edits, standing in
// for the SCIM store (scim.Directory, which imports this package; the
// server's end-to-end test runs the real one).
type tableDirectory struct {
	mu    sync.Mutex
	users map[string]*dirUser
	fail  error
}

type dirUser struct {
	id, userName, email, externalID string
	active                          bool
	groups                          []string
}

func (d *tableDirectory) MatchUser(_ context.Context, byExternalID bool, value string) (DirectoryUser, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return DirectoryUser{}, d.fail
	}
	var hits []*dirUser
	for _, u := range d.users {
		if byExternalID && u.externalID == value || !byExternalID && (strings.EqualFold(u.userName, value) || strings.EqualFold(u.email, value)) {
			hits = append(hits, u)
		}
	}
	switch len(hits) {
	case 0:
		return DirectoryUser{}, ErrNotProvisioned
	case 1:
		return DirectoryUser{ID: hits[0].id, Active: hits[0].active, Groups: slices.Clone(hits[0].groups)}, nil
	}
	return DirectoryUser{}, errors.New("ambiguous")
}

func (d *tableDirectory) User(_ context.Context, id string) (DirectoryUser, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.fail != nil {
		return DirectoryUser{}, d.fail
	}
	u, ok := d.users[id]
	if !ok {
		return DirectoryUser{}, ErrNotProvisioned
	}
	return DirectoryUser{ID: u.id, Active: u.active, Groups: slices.Clone(u.groups)}, nil
}

func (d *tableDirectory) edit(f func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f()
}

func newDirectory() *tableDirectory {
	return &tableDirectory{users: map[string]*dirUser{
		"u-alice": {id: "u-alice", userName: "alice@example.com", externalID: "user-123", active: true, groups: []string{"apac-sales", "analysts"}},
		"u-bob":   {id: "u-bob", userName: "bob", email: "bob@example.com", externalID: "user-456", active: false, groups: []string{"apac-sales"}},
	}}
}

func TestProvisionedVerify(t *testing.T) {
	for _, tc := range []struct {
		name       string
		source     string
		claim      string
		claims     func(map[string]any)
		edit       func(*tableDirectory)
		wantCode   Code
		wantGroups []string
		wantDir    string
	}{
		{name: "token source ignores the directory", source: "token", claims: func(c map[string]any) { c["email"] = "nobody@example.com" },
			wantGroups: []string{"eng", "sales"}},
		{name: "scim groups replace the token's", source: "scim", wantGroups: []string{"analysts", "apac-sales"}, wantDir: "u-alice"},
		{name: "both is the union", source: "both", wantGroups: []string{"analysts", "apac-sales", "eng", "sales"}, wantDir: "u-alice"},
		{name: "matched by an email that is not the userName", source: "scim", claims: func(c map[string]any) { c["email"] = "BOB@example.com" },
			edit: func(d *tableDirectory) { d.users["u-bob"].active = true }, wantGroups: []string{"apac-sales"}, wantDir: "u-bob"},
		{name: "matched by sub against externalId", source: "scim", claim: "sub", claims: func(c map[string]any) { c["email"] = "x@example.com" },
			wantGroups: []string{"analysts", "apac-sales"}, wantDir: "u-alice"},
		{name: "not provisioned", source: "scim", claims: func(c map[string]any) { c["email"] = "carol@example.com" }, wantCode: CodeUserNotProvisioned},
		{name: "inactive", source: "scim", claims: func(c map[string]any) { c["email"] = "bob@example.com" }, wantCode: CodeUserInactive},
		{name: "inactive with both", source: "both", claims: func(c map[string]any) { c["email"] = "bob@example.com" }, wantCode: CodeUserInactive},
		{name: "email marked unverified", source: "scim", claim: "email", claims: func(c map[string]any) { c["email_verified"] = false },
			wantCode: CodeEmailUnverified},
		{name: "match claim missing", source: "scim", claim: "oid", wantCode: CodeMissingClaim},
		{name: "ambiguous match", source: "scim", edit: func(d *tableDirectory) { d.users["u-bob"].email = "alice@example.com" },
			wantCode: CodeInternal},
		{name: "directory unavailable fails closed", source: "both", edit: func(d *tableDirectory) { d.fail = errors.New("disk on fire") },
			wantCode: CodeInternal},
		{name: "control character in a provisioned group", source: "scim",
			edit: func(d *tableDirectory) { d.users["u-alice"].groups = []string{"ok", "bad\ngroup"} }, wantCode: CodeInvalidClaim},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFakeClock()
			key := newKey(t, "k1", jose.ES256)
			idp := newTestIdP(t, key)
			is := idp.issuerConfig()
			is.GroupPrefix = "/"
			is.GroupsSource, is.SCIMUserClaim = tc.source, tc.claim
			dir := newDirectory()
			if tc.edit != nil {
				tc.edit(dir)
			}
			pv, err := NewProvisioning(dir, []config.Issuer{is})
			if err != nil {
				t.Fatal(err)
			}
			v := newTestVerifier(t, clock, VerifierOptions{Provisioning: pv}, is)
			c := goodClaims(idp, clock.Now())
			if tc.claims != nil {
				tc.claims(c)
			}
			p, err := v.Verify(context.Background(), mintJose(t, key, c))
			if tc.wantCode != "" {
				if CodeOf(err) != tc.wantCode {
					t.Fatalf("Verify = %v, want %s", err, tc.wantCode)
				}
				if strings.Contains(err.Error(), "disk on fire") {
					t.Fatal("a directory error's text reached the refusal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Groups, tc.wantGroups) || p.DirectoryID != tc.wantDir {
				t.Fatalf("groups %v dir %q, want %v %q", p.Groups, p.DirectoryID, tc.wantGroups, tc.wantDir)
			}
		})
	}
}

func TestProvisioningNeedsADirectory(t *testing.T) {
	is := config.Issuer{Issuer: "https://idp.example.com", Audiences: []string{"a"}, GroupsSource: "scim"}
	if _, err := NewProvisioning(nil, []config.Issuer{is}); err == nil {
		t.Fatal("NewProvisioning accepted a SCIM issuer without a directory")
	}
	if _, err := NewVerifier(context.Background(), []config.Issuer{is}, VerifierOptions{}); err == nil {
		t.Fatal("NewVerifier accepted a SCIM issuer without provisioning")
	}
}

// TestProvisionedSessions: a session issued to a provisioned principal
// follows the directory on every verification: membership changes at
// once, deactivation and deletion refuse it, reactivation restores it.
func TestProvisionedSessions(t *testing.T) {
	ctx := context.Background()
	clock := newFakeClock()
	key := newKey(t, "k1", jose.ES256)
	idp := newTestIdP(t, key)
	is := idp.issuerConfig()
	is.GroupPrefix, is.GroupsSource = "/", "both"
	dir := newDirectory()
	pv, err := NewProvisioning(dir, []config.Issuer{is})
	if err != nil {
		t.Fatal(err)
	}
	v := newTestVerifier(t, clock, VerifierOptions{Provisioning: pv}, is)
	sess, err := NewSessions(SessionOptions{DataDir: t.TempDir(), Config: testSessionConfig(), Now: clock.Now, Provisioning: pv})
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(ctx, mintJose(t, key, goodClaims(idp, clock.Now())))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sess.Issue(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name       string
		edit       func()
		wantCode   Code
		wantGroups []string
	}{
		{"as issued", nil, "", []string{"analysts", "apac-sales", "eng", "sales"}},
		{"removed from apac-sales", func() { dir.users["u-alice"].groups = []string{"analysts"} }, "", []string{"analysts", "eng", "sales"}},
		{"deactivated", func() { dir.users["u-alice"].active = false }, CodeUserInactive, nil},
		{"reactivated", func() { dir.users["u-alice"].active = true }, "", []string{"analysts", "eng", "sales"}},
		{"deleted", func() { delete(dir.users, "u-alice") }, CodeUserNotProvisioned, nil},
	} {
		if step.edit != nil {
			dir.edit(step.edit)
		}
		start := time.Now()
		got, err := sess.Verify(ctx, s.Token)
		if step.wantCode != "" {
			if CodeOf(err) != step.wantCode {
				t.Errorf("%s: Verify = %v, want %s", step.name, err, step.wantCode)
			}
			continue
		}
		if err != nil || !slices.Equal(got.Groups, step.wantGroups) {
			t.Errorf("%s: groups %v err %v, want %v", step.name, got.Groups, err, step.wantGroups)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: verification took %v", step.name, d)
		}
	}
	// A session minted for a provisioned principal is refused by a
	// Sessions that cannot check it.
	plain, err := NewSessions(SessionOptions{DataDir: t.TempDir(), Config: testSessionConfig(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p.DirectoryID = "u-x"
	s2, err := plain.Issue(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Verify(ctx, s2.Token); CodeOf(err) != CodeUserNotProvisioned {
		t.Fatalf("unchecked provisioned session: %v", err)
	}
}
