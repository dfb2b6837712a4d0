package web

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/identity"
	"github.com/tipgate/tipgate/internal/store/memstore"
)

// TestSessionsAcrossReplicas: a browser signed in on one replica is
// signed in on another sharing the store, its view-as follows it, a
// sign-in started on one completes on another exactly once, and the store
// never holds a token in the clear.
func TestSessionsAcrossReplicas(t *testing.T) {
	shared := memstore.New("", 0).WebSessions()
	log := slog.New(slog.DiscardHandler)
	a, b := newStore(shared, log), newStore(shared, log)
	id, _ := randomID()
	now := time.Now()
	a.put(id, &webSession{session: identity.Session{Token: "tok-SECRET-session", ID: "sid-1", Expiry: now.Add(time.Hour)}, idToken: "id-SECRET-token",
		csrf: "csrf-1", expiry: now.Add(time.Hour)})
	ws := b.get(id)
	if ws == nil || ws.session.Token != "tok-SECRET-session" || ws.csrf != "csrf-1" || ws.idToken != "id-SECRET-token" {
		t.Fatalf("b reads %+v", ws)
	}
	p := identity.Principal{User: "AWSIDC:ming@example.com"}
	b.setViewAs(ws, &p)
	if got := a.get(id); got == nil || a.viewAs(got) == nil || a.viewAs(got).User != p.User {
		t.Fatalf("view-as set on b not seen on a: %+v", got)
	}
	if other, _ := randomID(); a.get(other) != nil {
		t.Fatal("an unknown cookie has a session")
	}
	raw, err := shared.Get(context.Background(), hashID(id))
	if err != nil || bytes.Contains(raw, []byte("SECRET")) || bytes.Contains(raw, []byte("csrf-1")) {
		t.Fatalf("stored session is not sealed: %q %v", raw, err)
	}
	if ended := b.end(id); ended == nil || a.get(id) != nil {
		t.Fatal("ended on b, still signed in on a")
	}
	state, _ := randomID()
	if !a.addLogin(state, &loginState{verifier: "v", nonce: "n", ret: "/app", browser: [32]byte{7}, created: now}, now, time.Minute) {
		t.Fatal("addLogin refused")
	}
	if ls := b.takeLogin(state); ls == nil || ls.verifier != "v" || ls.browser != [32]byte{7} {
		t.Fatalf("b takes %+v", ls)
	}
	if a.takeLogin(state) != nil {
		t.Fatal("a sign-in state was usable twice")
	}
}
