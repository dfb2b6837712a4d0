package identity

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestFileRevocationsRecheck: "not revoked" is answered from memory for
// at most RevocationRecheck; a revocation through the same value is seen
// at once, one by another process sharing the directory within
// RevocationRecheck; errors refuse and are not remembered.
func TestFileRevocationsRecheck(t *testing.T) {
	ctx := context.Background()
	const sid, sid2 = "sid-0123456789abcdef", "sid-fedcba9876543210"
	exp := time.Unix(1_900_000_000, 0)
	type step struct {
		name    string
		advance time.Duration // the clock moves first
		revoke  string        // "a" or "b" revokes sid (sid2 for "a2")
		check   string        // "a" or "b" asks about sid ("a2": a about sid2)
		want    bool
		wantErr bool
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"another process's revocation is seen within the bound", []step{
			{name: "a stats: not revoked", check: "a", want: false},
			{name: "b revokes", revoke: "b"},
			{name: "b sees its own revocation at once", check: "b", want: true},
			{name: "a answers from memory inside the bound", advance: RevocationRecheck / 2, check: "a", want: false},
			{name: "a stats again at the bound", advance: RevocationRecheck / 2, check: "a", want: true},
			{name: "and refuses from then on", advance: time.Hour, check: "a", want: true},
		}},
		{"a revocation through the same value is seen at once", []step{
			{name: "a2 not revoked", check: "a2", want: false},
			{name: "a revokes sid2", revoke: "a2"},
			{name: "a2 refused at once", check: "a2", want: true},
		}},
		{"a clock that went back does not extend the memory", []step{
			{name: "a stats", check: "a", want: false},
			{name: "b revokes", revoke: "b"},
			{name: "the clock goes back", advance: -time.Second, check: "a", want: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			clock := newFakeClock()
			a, err := NewFileRevocations(dir, clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewFileRevocations(dir, clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.steps {
				clock.Advance(s.advance)
				switch s.revoke {
				case "a2":
					if err := a.Revoke(ctx, sid2, exp); err != nil {
						t.Fatal(err)
					}
				case "b":
					if err := b.Revoke(ctx, sid, exp); err != nil {
						t.Fatal(err)
					}
				}
				var got bool
				switch s.check {
				case "a":
					got, err = a.Revoked(ctx, sid)
				case "a2":
					got, err = a.Revoked(ctx, sid2)
				case "b":
					got, err = b.Revoked(ctx, sid)
				default:
					continue
				}
				if got != s.want || (err != nil) != s.wantErr {
					t.Fatalf("%s: revoked %v, err %v; want %v", s.name, got, err, s.want)
				}
			}
		})
	}
}

// TestFileRevocationsFailClosed: a revocation directory that cannot be
// read refuses every session, including one just seen not revoked once
// the memory is past, and the refusal is not remembered.
func TestFileRevocationsFailClosed(t *testing.T) {
	ctx := context.Background()
	const sid = "sid-0123456789abcdef"
	root := t.TempDir()
	dir := filepath.Join(root, "revocations")
	clock := newFakeClock()
	f, err := NewFileRevocations(dir, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if revoked, err := f.Revoked(ctx, sid); revoked || err != nil {
		t.Fatalf("fresh: %v %v", revoked, err)
	}
	// The directory becomes a file: every stat fails (ENOTDIR).
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	clock.Advance(RevocationRecheck)
	for i := range 2 {
		if revoked, err := f.Revoked(ctx, sid); !revoked || err == nil {
			t.Fatalf("check %d with an unreadable directory: revoked %v, err %v", i, revoked, err)
		}
	}
	if revoked, err := f.Revoked(ctx, "../../etc/passwd"); !revoked || err == nil {
		t.Fatalf("path-like id: %v %v", revoked, err)
	}
}
