// Package storetest is the conformance suite every scim.Store passes: the
// embedded FileStore, and the same document store kept in the PostgreSQL
// store replicas share (internal/store/pgstore's TestSCIMDirectory).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/scim"
)

// RunTests runs the suite; newStore returns an empty store for each test.
func RunTests(t *testing.T, newStore func(t *testing.T) scim.Store) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s scim.Store)
	}{
		{"CreateGetList", testCreateGetList},
		{"Uniqueness", testUniqueness},
		{"UpdateAtomic", testUpdate},
		{"Members", testMembers},
		{"DeleteUserLeavesGroups", testDeleteUser},
		{"FindUsers", testFindUsers},
		{"Clients", testClients},
		{"ConcurrentUpdates", testConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// User makes a user resource.
func User(id, userName string, active bool, emails ...string) scim.Resource {
	var es []any
	for _, e := range emails {
		es = append(es, map[string]any{"value": e, "type": "work"})
	}
	attrs := map[string]any{"userName": userName, "active": active}
	if es != nil {
		attrs["emails"] = es
	}
	return scim.Resource{Kind: scim.KindUser, ID: id, Attrs: attrs, Created: t0, Modified: t0, Version: 1}
}

// Group makes a group resource with members.
func Group(id, name string, members ...string) scim.Resource {
	ms := []any{}
	for _, m := range members {
		ms = append(ms, map[string]any{"value": m})
	}
	return scim.Resource{Kind: scim.KindGroup, ID: id, Attrs: map[string]any{"displayName": name, "members": ms},
		Created: t0, Modified: t0, Version: 1}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids(rs []scim.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func testCreateGetList(t *testing.T, s scim.Store) {
	ctx := context.Background()
	u := User("u1", "ming@example.com", true, "ming@example.com")
	u.ExternalID = "ext-1"
	must(t, s.Create(ctx, u))
	b := User("u2", "bob@example.com", true)
	b.Created = t0.Add(time.Second)
	must(t, s.Create(ctx, b))
	got, err := s.Get(ctx, scim.KindUser, "u1")
	must(t, err)
	if got.Name() != "ming@example.com" || got.ExternalID != "ext-1" || got.Version != 1 || !got.Created.Equal(t0) {
		t.Fatalf("Get = %+v", got)
	}
	// What Get returns is a copy: changing it changes nothing stored.
	got.Attrs["userName"] = "mallory"
	again, _ := s.Get(ctx, scim.KindUser, "u1")
	if again.Name() != "ming@example.com" {
		t.Fatal("Get returned shared state")
	}
	if _, err := s.Get(ctx, scim.KindUser, "nope"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, scim.KindGroup, "u1"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("Get(user id as group) = %v, want ErrNotFound", err)
	}
	list, err := s.List(ctx, scim.KindUser)
	must(t, err)
	if want := []string{"u1", "u2"}; !slices.Equal(ids(list), want) {
		t.Fatalf("List = %v, want %v", ids(list), want)
	}
	if err := s.Create(ctx, User("u1", "other", true)); !errors.Is(err, scim.ErrConflict) {
		t.Fatalf("Create(same id) = %v, want ErrConflict", err)
	}
}

func testUniqueness(t *testing.T, s scim.Store) {
	ctx := context.Background()
	u := User("u1", "Ming@Example.com", true)
	u.ExternalID = "x1"
	must(t, s.Create(ctx, u))
	must(t, s.Create(ctx, Group("g1", "apac-sales")))
	for _, tc := range []struct {
		name string
		r    scim.Resource
	}{
		{"userName differs only in case", User("u2", "ming@example.COM", true)},
		{"externalId", func() scim.Resource { r := User("u3", "x@example.com", true); r.ExternalID = "x1"; return r }()},
		{"group displayName", Group("g2", "APAC-Sales")},
	} {
		if err := s.Create(ctx, tc.r); !errors.Is(err, scim.ErrConflict) {
			t.Errorf("%s: Create = %v, want ErrConflict", tc.name, err)
		}
	}
	must(t, s.Create(ctx, User("u4", "bob@example.com", true)))
	_, err := s.Update(ctx, scim.KindUser, "u4", func(r *scim.Resource) error {
		r.Attrs["userName"] = "MING@example.com"
		return nil
	})
	if !errors.Is(err, scim.ErrConflict) {
		t.Fatalf("Update to a taken userName = %v, want ErrConflict", err)
	}
	got, _ := s.Get(ctx, scim.KindUser, "u4")
	if got.Name() != "bob@example.com" || got.Version != 1 {
		t.Fatalf("refused update was half-applied: %+v", got)
	}
	// A user and a group may share a name: they are different kinds.
	must(t, s.Create(ctx, Group("g3", "bob@example.com")))
}

func testUpdate(t *testing.T, s scim.Store) {
	ctx := context.Background()
	must(t, s.Create(ctx, User("u1", "ming@example.com", true)))
	later := t0.Add(time.Hour)
	got, err := s.Update(ctx, scim.KindUser, "u1", func(r *scim.Resource) error {
		r.Attrs["active"] = false
		r.Modified, r.Client = later, "okta"
		r.ID, r.Created = "hijack", later // ignored: identity fields are the store's
		return nil
	})
	must(t, err)
	if got.Active() || got.Version != 2 || got.ID != "u1" || !got.Created.Equal(t0) || got.Client != "okta" || !got.Modified.Equal(later) {
		t.Fatalf("Update = %+v", got)
	}
	boom := errors.New("precondition")
	if _, err := s.Update(ctx, scim.KindUser, "u1", func(r *scim.Resource) error {
		r.Attrs["active"] = true
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update with failing change = %v", err)
	}
	stored, _ := s.Get(ctx, scim.KindUser, "u1")
	if stored.Active() || stored.Version != 2 {
		t.Fatalf("failed change was stored: %+v", stored)
	}
	if _, err := s.Update(ctx, scim.KindUser, "missing", func(*scim.Resource) error { return nil }); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("Update(missing) = %v", err)
	}
}

func testMembers(t *testing.T, s scim.Store) {
	ctx := context.Background()
	must(t, s.Create(ctx, User("u1", "ming@example.com", true)))
	must(t, s.Create(ctx, User("u2", "bob@example.com", true)))
	if err := s.Create(ctx, Group("g0", "bad", "u1", "ghost")); !errors.Is(err, scim.ErrInvalidMember) {
		t.Fatalf("Create with an unknown member = %v, want ErrInvalidMember", err)
	}
	if _, err := s.Get(ctx, scim.KindGroup, "g0"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatal("refused group was stored")
	}
	must(t, s.Create(ctx, Group("g1", "apac-sales", "u1")))
	must(t, s.Create(ctx, Group("g2", "emea-sales", "u1", "u2")))
	gs, err := s.GroupsOf(ctx, "u1")
	must(t, err)
	if !slices.Equal(ids(gs), []string{"g1", "g2"}) {
		t.Fatalf("GroupsOf(u1) = %v", ids(gs))
	}
	_, err = s.Update(ctx, scim.KindGroup, "g1", func(r *scim.Resource) error {
		r.Attrs["members"] = []any{}
		return nil
	})
	must(t, err)
	gs, _ = s.GroupsOf(ctx, "u1")
	if !slices.Equal(ids(gs), []string{"g2"}) {
		t.Fatalf("after removal GroupsOf(u1) = %v", ids(gs))
	}
	if _, err := s.Update(ctx, scim.KindGroup, "g1", func(r *scim.Resource) error {
		r.Attrs["members"] = []any{map[string]any{"value": "g2"}}
		return nil
	}); !errors.Is(err, scim.ErrInvalidMember) {
		t.Fatalf("group as member = %v, want ErrInvalidMember", err)
	}
}

func testDeleteUser(t *testing.T, s scim.Store) {
	ctx := context.Background()
	must(t, s.Create(ctx, User("u1", "ming@example.com", true)))
	must(t, s.Create(ctx, Group("g1", "apac-sales", "u1")))
	refuse := errors.New("version mismatch")
	if err := s.Delete(ctx, scim.KindUser, "u1", func(scim.Resource) error { return refuse }); !errors.Is(err, refuse) {
		t.Fatalf("Delete with failing check = %v", err)
	}
	must(t, s.Delete(ctx, scim.KindUser, "u1", nil))
	if _, err := s.Get(ctx, scim.KindUser, "u1"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatal("deleted user still there")
	}
	g, err := s.Get(ctx, scim.KindGroup, "g1")
	must(t, err)
	if len(g.MemberIDs()) != 0 || g.Version != 2 {
		t.Fatalf("group after its member's deletion: members %v version %d", g.MemberIDs(), g.Version)
	}
	if err := s.Delete(ctx, scim.KindUser, "u1", nil); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("second Delete = %v", err)
	}
}

func testFindUsers(t *testing.T, s scim.Store) {
	ctx := context.Background()
	a := User("u1", "ming", true, "Ming@Example.com")
	a.ExternalID = "00u1"
	must(t, s.Create(ctx, a))
	must(t, s.Create(ctx, User("u2", "bob@example.com", false)))
	for _, tc := range []struct {
		by    scim.MatchBy
		value string
		want  []string
	}{
		{scim.MatchUserNameOrEmail, "ming@example.com", []string{"u1"}},
		{scim.MatchUserNameOrEmail, "MING", []string{"u1"}},
		{scim.MatchUserNameOrEmail, "BOB@example.com", []string{"u2"}},
		{scim.MatchUserNameOrEmail, "", nil},
		{scim.MatchUserNameOrEmail, "m%", nil},
		{scim.MatchExternalID, "00u1", []string{"u1"}},
		{scim.MatchExternalID, "00U1", nil},
	} {
		got, err := s.FindUsers(ctx, tc.by, tc.value)
		must(t, err)
		if !slices.Equal(ids(got), tc.want) {
			t.Errorf("FindUsers(%d, %q) = %v, want %v", tc.by, tc.value, ids(got), tc.want)
		}
	}
}

func testClients(t *testing.T, s scim.Store) {
	ctx := context.Background()
	must(t, s.PutClient(ctx, scim.Client{Name: "okta", TokenHash: "h1", Created: t0, Rotated: t0}))
	must(t, s.PutClient(ctx, scim.Client{Name: "entra", TokenHash: "h2", Created: t0, Rotated: t0}))
	if err := s.PutClient(ctx, scim.Client{Name: "other", TokenHash: "h1"}); !errors.Is(err, scim.ErrConflict) {
		t.Fatalf("PutClient with a taken hash = %v", err)
	}
	c, err := s.ClientByTokenHash(ctx, "h1")
	must(t, err)
	if c.Name != "okta" {
		t.Fatalf("ClientByTokenHash = %+v", c)
	}
	// Rotation replaces the hash: the old token stops working.
	must(t, s.PutClient(ctx, scim.Client{Name: "okta", TokenHash: "h3", Created: t0, Rotated: t0.Add(time.Hour)}))
	if _, err := s.ClientByTokenHash(ctx, "h1"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("old hash after rotation = %v", err)
	}
	must(t, s.TouchClient(ctx, "okta", t0.Add(2*time.Hour)))
	cs, err := s.Clients(ctx)
	must(t, err)
	if len(cs) != 2 || cs[0].Name != "entra" || cs[1].Name != "okta" || !cs[1].LastUsed.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("Clients = %+v", cs)
	}
	must(t, s.DeleteClient(ctx, "entra"))
	if _, err := s.ClientByTokenHash(ctx, "h2"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatal("deleted client still authenticates")
	}
	if err := s.DeleteClient(ctx, "entra"); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("second DeleteClient = %v", err)
	}
	if err := s.TouchClient(ctx, "entra", t0); !errors.Is(err, scim.ErrNotFound) {
		t.Fatalf("TouchClient(deleted) = %v", err)
	}
}

// testConcurrent: updates from many goroutines are serialised, none lost.
func testConcurrent(t *testing.T, s scim.Store) {
	ctx := context.Background()
	must(t, s.Create(ctx, Group("g1", "apac-sales")))
	const n = 16
	for i := range n {
		must(t, s.Create(ctx, User(fmt.Sprintf("u%02d", i), fmt.Sprintf("user%d@example.com", i), true)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Update(ctx, scim.KindGroup, "g1", func(r *scim.Resource) error {
				ms, _ := r.Attrs["members"].([]any)
				r.Attrs["members"] = append(ms, map[string]any{"value": fmt.Sprintf("u%02d", i)})
				return nil
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	g, err := s.Get(ctx, scim.KindGroup, "g1")
	must(t, err)
	if len(g.MemberIDs()) != n || g.Version != n+1 {
		t.Fatalf("after %d concurrent adds: %d members, version %d", n, len(g.MemberIDs()), g.Version)
	}
}
