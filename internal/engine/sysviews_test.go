package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/policy"
)

// TestSystemViewsVisibility: who sees which rows of the dynamic views.
func TestSystemViewsVisibility(t *testing.T) {
	now := time.Now()
	sys := NewSystemViews(func() []QueryRecord {
		return []QueryRecord{{User: "ann", SQL: "select 1", Start: now.Add(-time.Millisecond), End: now}, {User: "bob", SQL: "select 2", Start: now, End: now}}
	})
	ann := policy.Subject{User: "ann"}
	sys.applied.record(ann, []AppliedPolicy{{Kind: "rls", Policy: "p", Table: "t"}, {Kind: "mask", Policy: "m", Table: "t", Column: "c"}, {Kind: "rls", Table: "u", DenyAll: true}})
	cat := policy.New()
	for _, tc := range []struct {
		sub              policy.Subject
		applied, history int
	}{
		{ann, 0, 1},
		{policy.Subject{User: "sec", SecAdmin: true}, 0, 2},
		{policy.Subject{User: "root", Superuser: true}, 2, 2},
	} {
		applied, _ := sys.Dynamic(cat, tc.sub, "svv_rls_applied_policy")
		history, _ := sys.Dynamic(cat, tc.sub, "sys_query_history")
		if len(applied.Rows) != tc.applied || len(history.Rows) != tc.history {
			t.Errorf("%s: %d applied and %d history rows, want %d and %d", tc.sub.User, len(applied.Rows), len(history.Rows), tc.applied, tc.history)
		}
		if len(history.Rows) > 0 && history.Rows[0][8] != int64(1000) {
			t.Errorf("elapsed_time %v, want 1000 µs", history.Rows[0][8])
		}
	}
	if _, ok := sys.Dynamic(cat, ann, "svv_nope"); ok {
		t.Error("an unknown view was answered")
	}
	if got := len(sys.Views(cat, ann, func(string) bool { return false })); got != 10 {
		t.Errorf("%d views, want 10", got)
	}
}

// TestProvisionedViews: security administrators see every provisioned user
// and group, anyone else only their own user row; a directory error
// leaves the views empty.
func TestProvisionedViews(t *testing.T) {
	now := time.Now()
	var fail error
	sys := NewSystemViews(nil, WithDirectory(func() ([]ProvisionedUser, []ProvisionedGroup, error) {
		return []ProvisionedUser{{UserName: "ming@example.com", Active: true, Groups: []string{"apac-sales"}, Client: "okta", Modified: now},
				{UserName: "bob@example.com", Active: false, Client: "okta", Modified: now}},
			[]ProvisionedGroup{{GroupName: "apac-sales", Members: 1, Client: "okta", Modified: now}}, fail
	}))
	cat := policy.New()
	for _, tc := range []struct {
		sub           policy.Subject
		users, groups int
	}{
		{policy.Subject{User: "AWSIDC:ming@example.com"}, 1, 0},
		{policy.Subject{User: "AWSIDC:carol@example.com"}, 0, 0},
		{policy.Subject{User: "sec", SecAdmin: true}, 2, 1},
		{policy.Subject{User: "root", Superuser: true}, 2, 1},
	} {
		u, _ := sys.Dynamic(cat, tc.sub, "svv_provisioned_users")
		g, _ := sys.Dynamic(cat, tc.sub, "svv_provisioned_groups")
		if len(u.Rows) != tc.users || len(g.Rows) != tc.groups {
			t.Errorf("%s: %d users, %d groups; want %d, %d", tc.sub.User, len(u.Rows), len(g.Rows), tc.users, tc.groups)
		}
	}
	fail = errors.New("store unavailable")
	if u, _ := sys.Dynamic(cat, policy.Subject{User: "root", Superuser: true}, "svv_provisioned_users"); len(u.Rows) != 0 {
		t.Errorf("rows despite a directory error: %v", u.Rows)
	}
}

// TestAppliedLogBounded: the log keeps the newest max statements' rows.
func TestAppliedLogBounded(t *testing.T) {
	l := appliedLog{max: 3}
	for i := 0; i < 10; i++ {
		l.record(policy.Subject{User: "u"}, []AppliedPolicy{{Kind: "rls", Policy: "p", Table: "t"}})
	}
	rows := l.rows()
	if len(rows) != 3 || rows[2][1] != int64(10) || rows[0][1] != int64(8) {
		t.Fatalf("rows %v, want statements 8..10", rows)
	}
}

func TestAppliedPolicyString(t *testing.T) {
	for a, want := range map[AppliedPolicy]string{
		{Kind: "rls", Policy: "apac", Table: "sales"}:        "rls:apac on sales",
		{Kind: "rls", Table: "t", DenyAll: true}:             "rls:deny-all on t",
		{Kind: "mask", Policy: "m", Table: "t", Column: "c"}: "mask:m on t.c",
	} {
		if got := a.String(); got != want {
			t.Errorf("%+v: %q, want %q", a, got, want)
		}
	}
}
