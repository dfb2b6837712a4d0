// Package storetest is the conformance suite every store implementation
// passes: RunTests(t, newStore), where newStore returns an empty store for
// each test.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tipgate/tipgate/internal/audit"
	"github.com/tipgate/tipgate/internal/store"
)

// RunTests runs the suite. newStore must return a new, empty store.
func RunTests(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"StatementLifecycle", testStatementLifecycle},
		{"AdmissionCount", testAdmissionCount},
		{"AdmissionRunningTime", testAdmissionRunningTime},
		{"AdmissionConcurrent", testAdmissionConcurrent},
		{"ReapDeadReplica", testReap},
		{"ListAndExpire", testListExpire},
		{"EndWithResults", testEnd},
		{"DataSessions", testDataSessions},
		{"ClientTokens", testClientTokens},
		{"Revocations", testRevocations},
		{"ReplayConcurrent", testReplay},
		{"Audit", testAudit},
		{"WebSessions", testWebSessions},
		{"KeysFirstWins", testKeys},
		{"Replicas", testReplicas},
		{"Documents", testDocuments},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func stmt(id, owner, replica string, created time.Time) store.Statement {
	return store.Statement{ID: id, Owner: owner, Name: "n-" + id, Replica: replica, Status: "SUBMITTED", Created: created, Updated: created, Body: []byte(`{"id":"` + id + `"}`)}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func beat(t *testing.T, s store.Store, id string, until time.Time) {
	t.Helper()
	_, err := s.Replicas().Beat(context.Background(), store.Replica{ID: id, Engine: "postgres", Started: t0, Until: until}, t0)
	must(t, err)
}

func testStatementLifecycle(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := s.Statements()
	if _, err := st.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of unknown: %v, want ErrNotFound", err)
	}
	must(t, st.Insert(ctx, stmt("a", "alice", "r1", t0), store.Admission{Now: t0}))
	if err := st.Insert(ctx, stmt("a", "alice", "r1", t0), store.Admission{Now: t0}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate insert: %v, want ErrConflict", err)
	}
	got, err := st.Get(ctx, "a")
	must(t, err)
	if !got.Active || got.Status != "SUBMITTED" || got.Owner != "alice" || got.Replica != "r1" || !got.Created.Equal(t0) || string(got.Body) != `{"id":"a"}` {
		t.Fatalf("Get = %+v", got)
	}
	upd := got
	upd.Status, upd.Updated, upd.Body = "STARTED", t0.Add(time.Second), []byte("b2")
	must(t, st.Update(ctx, upd))
	if ended, err := st.Ended(ctx, []string{"a", "ghost"}); err != nil || !slices.Equal(ended, []string{"ghost"}) {
		t.Fatalf("Ended = %v, %v; want [ghost]", ended, err)
	}
	ok, err := st.Abort(ctx, "a", t0.Add(2*time.Second))
	if err != nil || !ok {
		t.Fatalf("Abort = %v, %v", ok, err)
	}
	if ok, err := st.Abort(ctx, "a", t0.Add(3*time.Second)); err != nil || ok {
		t.Fatalf("second Abort = %v, %v; want false", ok, err)
	}
	if _, err := st.Abort(ctx, "ghost", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Abort of unknown: %v", err)
	}
	// The replica that ran it cannot overwrite the abort.
	upd.Status, upd.Active = "FINISHED", false
	if err := st.Update(ctx, upd); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Update after abort: %v, want ErrConflict", err)
	}
	got, err = st.Get(ctx, "a")
	must(t, err)
	if got.Active || got.Status != "ABORTED" || string(got.Body) != "b2" {
		t.Fatalf("after abort: %+v", got)
	}
	if ended, err := st.Ended(ctx, []string{"a"}); err != nil || !slices.Equal(ended, []string{"a"}) {
		t.Fatalf("Ended = %v, %v", ended, err)
	}
	if err := st.Update(ctx, store.Statement{ID: "ghost"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Update of unknown: %v", err)
	}
	// A normal end.
	must(t, st.Insert(ctx, stmt("b", "alice", "r1", t0), store.Admission{Now: t0}))
	b, _ := st.Get(ctx, "b")
	b.Status, b.Active, b.Error = "FAILED", false, "ERROR: boom"
	must(t, st.Update(ctx, b))
	b2, _ := st.Get(ctx, "b")
	if b2.Active || b2.Status != "FAILED" || b2.Error != "ERROR: boom" {
		t.Fatalf("after end: %+v", b2)
	}
}

func testAdmissionCount(t *testing.T, s store.Store) {
	ctx := context.Background()
	adm := store.Admission{MaxActive: 2, Now: t0}
	must(t, s.Statements().Insert(ctx, stmt("1", "alice", "r", t0), adm))
	must(t, s.Statements().Insert(ctx, stmt("2", "alice", "r", t0), adm))
	err := s.Statements().Insert(ctx, stmt("3", "alice", "r", t0), adm)
	var ae *store.AdmissionError
	if !errors.As(err, &ae) || !errors.Is(err, store.ErrQuota) || ae.Active != 2 || ae.RunningTime {
		t.Fatalf("third insert: %v (%+v), want a count refusal", err, ae)
	}
	if store.Code(err) != "store_quota" {
		t.Fatalf("Code = %q", store.Code(err))
	}
	// Another owner is not affected; an ended statement frees a slot.
	must(t, s.Statements().Insert(ctx, stmt("4", "bob", "r", t0), adm))
	_, err = s.Statements().Abort(ctx, "1", t0)
	must(t, err)
	must(t, s.Statements().Insert(ctx, stmt("5", "alice", "r", t0), adm))
}

func testAdmissionRunningTime(t *testing.T, s store.Store) {
	ctx := context.Background()
	// Budget 30 s, floor 10 s: three young statements fill it.
	adm := store.Admission{MaxRunning: 30 * time.Second, Floor: 10 * time.Second, Now: t0}
	for i := range 3 {
		must(t, s.Statements().Insert(ctx, stmt(fmt.Sprint(i), "alice", "r", t0), adm))
	}
	err := s.Statements().Insert(ctx, stmt("x", "alice", "r", t0), adm)
	var ae *store.AdmissionError
	if !errors.As(err, &ae) || !ae.RunningTime || ae.Active != 3 || ae.Running != 30*time.Second {
		t.Fatalf("fourth: %v %+v, want running-time refusal at 30s", err, ae)
	}
	// One old statement alone uses the budget.
	adm.Now = t0.Add(time.Hour)
	must(t, s.Statements().Insert(ctx, stmt("y", "bob", "r", t0), store.Admission{Now: t0}))
	if err := s.Statements().Insert(ctx, stmt("z", "bob", "r", adm.Now), adm); !errors.As(err, &ae) || !ae.RunningTime {
		t.Fatalf("after an hour: %v", err)
	}
}

func testAdmissionConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	adm := store.Admission{MaxActive: 5, Now: t0}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, quota := 0, 0
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Statements().Insert(ctx, stmt(fmt.Sprint("c", i), "carol", "r", t0), adm)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, store.ErrQuota):
				quota++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 5 || quota != 15 {
		t.Fatalf("20 concurrent inserts under a limit of 5: %d admitted, %d refused", ok, quota)
	}
}

func testReap(t *testing.T, s store.Store) {
	ctx := context.Background()
	beat(t, s, "live", t0.Add(time.Minute))
	beat(t, s, "dead", t0.Add(time.Second))
	must(t, s.Statements().Insert(ctx, stmt("l", "alice", "live", t0), store.Admission{Now: t0}))
	must(t, s.Statements().Insert(ctx, stmt("d", "alice", "dead", t0), store.Admission{Now: t0}))
	must(t, s.Statements().Insert(ctx, stmt("u", "alice", "unknown", t0), store.Admission{Now: t0}))
	must(t, s.Statements().Insert(ctx, stmt("e", "alice", "dead", t0), store.Admission{Now: t0}))
	e, _ := s.Statements().Get(ctx, "e")
	e.Active, e.Status = false, "FINISHED"
	must(t, s.Statements().Update(ctx, e))
	must(t, s.DataSessions().Open(ctx, store.DataSession{ID: "sess-d", Owner: "alice", Created: t0, LastUsed: t0, KeepAlive: time.Minute, Busy: "d"}, 0, 0, time.Hour))
	now := t0.Add(5 * time.Second)
	ids, err := s.Statements().Reap(ctx, now, "ERROR: the replica running the statement stopped")
	must(t, err)
	if !slices.Equal(ids, []string{"d", "u"}) {
		t.Fatalf("Reap = %v, want [d u]", ids)
	}
	d, _ := s.Statements().Get(ctx, "d")
	if d.Active || d.Status != "FAILED" || d.Error != "ERROR: the replica running the statement stopped" || !d.Updated.Equal(now) {
		t.Fatalf("reaped: %+v", d)
	}
	if e, _ := s.Statements().Get(ctx, "e"); e.Status != "FINISHED" {
		t.Fatalf("an ended statement was reaped: %+v", e)
	}
	if l, _ := s.Statements().Get(ctx, "l"); !l.Active {
		t.Fatalf("a live replica's statement was reaped: %+v", l)
	}
	sess, err := s.DataSessions().Get(ctx, "sess-d")
	must(t, err)
	if sess.Busy != "" {
		t.Fatalf("the session of a reaped statement is still busy: %+v", sess)
	}
}

// testEnd: a store that can (StatementEnder) commits a statement's
// results with its end; a writer holding every page (HeldResult) shows
// them until then, and nothing is readable before End.
func testEnd(t *testing.T, s store.Store) {
	se, ok := s.Statements().(store.StatementEnder)
	rh, holds := s.(store.ResultHolder)
	if !ok || !holds {
		t.Skip("the store does not end statements with their results")
	}
	ctx := context.Background()
	must(t, s.Statements().Insert(ctx, stmt("e", "alice", "r1", t0), store.Admission{Now: t0}))
	var ws []store.ResultWriter
	for _, id := range []string{"e:1", "e:2"} {
		w, err := rh.Results().Create(ctx, id)
		must(t, err)
		must(t, w.Append(ctx, []byte("schema "+id)))
		must(t, w.Append(ctx, []byte("rows "+id)))
		if h, ok := w.(store.HeldResult); ok {
			if pages, held := h.Held(); !held || len(pages) != 2 || string(pages[1]) != "rows "+id {
				t.Fatalf("Held(%s) = %q, %v", id, pages, held)
			}
		}
		ws = append(ws, w)
	}
	if _, err := rh.Results().Page(ctx, "e:1", 1); !errors.Is(err, store.ErrResultNotFound) {
		t.Fatalf("a result readable before its statement's end: %v", err)
	}
	end, _ := s.Statements().Get(ctx, "e")
	end.Active, end.Status, end.Updated, end.Body = false, "FINISHED", t0.Add(time.Second), []byte(`{"ended":true}`)
	must(t, se.End(ctx, end, ws))
	got, err := s.Statements().Get(ctx, "e")
	if err != nil || got.Active || got.Status != "FINISHED" || string(got.Body) != `{"ended":true}` {
		t.Fatalf("after End, Get = %+v, %v", got, err)
	}
	for _, id := range []string{"e:1", "e:2"} {
		if p, err := rh.Results().Page(ctx, id, 1); err != nil || string(p) != "rows "+id {
			t.Fatalf("after End, Page(%s, 1) = %q, %v", id, p, err)
		}
	}
	if _, err := ws[0].Commit(ctx); err == nil {
		t.Fatal("a result ended with its statement was committed again")
	}
	// Ended already: ErrConflict, and the result is committed anyway.
	w, err := rh.Results().Create(ctx, "e:3")
	must(t, err)
	must(t, w.Append(ctx, []byte("late")))
	if err := se.End(ctx, end, []store.ResultWriter{w}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("End of an ended statement: %v, want ErrConflict", err)
	}
	if p, err := rh.Results().Page(ctx, "e:3", 0); err != nil || string(p) != "late" {
		t.Fatalf("the result of a conflicting End: %q, %v", p, err)
	}
	ghost := stmt("ghost", "alice", "r1", t0)
	if err := se.End(ctx, ghost, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("End of an unknown statement: %v, want ErrNotFound", err)
	}
}

func testListExpire(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i, name := range []string{"etl-1", "etl-2", "report", "etl-3"} {
		x := stmt(fmt.Sprint("s", i), "alice", "r", t0.Add(time.Duration(i)*time.Second))
		x.Name = name
		must(t, s.Statements().Insert(ctx, x, store.Admission{Now: t0}))
	}
	must(t, s.Statements().Insert(ctx, stmt("other", "bob", "r", t0), store.Admission{Now: t0}))
	got, err := s.Statements().List(ctx, "alice", "etl", 0)
	must(t, err)
	var ids []string
	for _, x := range got {
		ids = append(ids, x.ID)
	}
	if !slices.Equal(ids, []string{"s3", "s1", "s0"}) {
		t.Fatalf("List = %v, want newest first [s3 s1 s0]", ids)
	}
	if got, _ := s.Statements().List(ctx, "alice", "", 2); len(got) != 2 || got[0].ID != "s3" {
		t.Fatalf("List limit 2 = %+v", got)
	}
	// Expire removes ended statements older than the cut, never active ones.
	for _, id := range []string{"s0", "s1"} {
		x, _ := s.Statements().Get(ctx, id)
		x.Active, x.Status = false, "FINISHED"
		must(t, s.Statements().Update(ctx, x))
	}
	rh, holds := s.(store.ResultHolder)
	if holds {
		for _, id := range []string{"s0", "s2"} {
			w, err := rh.Results().Create(ctx, id)
			must(t, err)
			must(t, w.Append(ctx, []byte("p")))
			_, err = w.Commit(ctx)
			must(t, err)
		}
	}
	if sp, ok := s.Statements().(store.StatementPager); ok && holds {
		// The statement and its result's page in one read, the page only
		// for the statement's owner and only when committed.
		got, page, err := sp.GetWithPage(ctx, "s2", "alice", "s2", 0)
		if err != nil || got.ID != "s2" || string(page) != "p" {
			t.Errorf("GetWithPage(s2, owner) = %s, %q, %v; want s2 and page p", got.ID, page, err)
		}
		if got, page, err := sp.GetWithPage(ctx, "s2", "mallory", "s2", 0); err != nil || got.ID != "s2" || page != nil {
			t.Errorf("GetWithPage(s2, another owner) = %s, %q, %v; want s2 and no page", got.ID, page, err)
		}
		if _, page, err := sp.GetWithPage(ctx, "s2", "alice", "s3", 0); err != nil || page != nil {
			t.Errorf("GetWithPage(s2) with no such result = %q, %v; want no page", page, err)
		}
		// Only the statement's own results: bob's "other", a key that
		// merely starts with s2, and an uncommitted result stay unread.
		for id, body := range map[string]string{"other": "bob's", "s2x": "x", "s2:1": "sub"} {
			w, err := rh.Results().Create(ctx, id)
			must(t, err)
			must(t, w.Append(ctx, []byte(body)))
			_, err = w.Commit(ctx)
			must(t, err)
		}
		pending, err := rh.Results().Create(ctx, "s2:2")
		must(t, err)
		must(t, pending.Append(ctx, []byte("uncommitted")))
		for _, key := range []string{"other", "s2x", "s2:2"} {
			if _, page, err := sp.GetWithPage(ctx, "s2", "alice", key, 0); err != nil || page != nil {
				t.Errorf("GetWithPage(s2, alice, %s) = %q, %v; want no page", key, page, err)
			}
		}
		pending.Abort(ctx)
		if _, page, err := sp.GetWithPage(ctx, "s2", "alice", "s2:1", 0); err != nil || string(page) != "sub" {
			t.Errorf("GetWithPage(s2, alice, s2:1) = %q, %v; want its sub-statement's page", page, err)
		}
		if _, _, err := sp.GetWithPage(ctx, "ghost", "alice", "ghost", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetWithPage(ghost): %v, want ErrNotFound", err)
		}
	}
	must(t, s.Statements().Expire(ctx, t0.Add(1500*time.Millisecond)))
	for id, want := range map[string]bool{"s0": false, "s1": false, "s2": true, "other": true} {
		if _, err := s.Statements().Get(ctx, id); (err == nil) != want {
			t.Errorf("after Expire, Get(%s): %v (want present %v)", id, err, want)
		}
	}
	if holds {
		if _, err := rh.Results().Page(ctx, "s0", 0); !errors.Is(err, store.ErrResultNotFound) {
			t.Errorf("the result of an expired statement: %v, want ErrResultNotFound", err)
		}
		if _, err := rh.Results().Page(ctx, "s2", 0); err != nil {
			t.Errorf("the result of a kept statement: %v", err)
		}
	}
}

func testDataSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	ds := s.DataSessions()
	life := 24 * time.Hour
	open := func(id, owner string, at time.Time, maxTotal, maxPer int) error {
		return ds.Open(ctx, store.DataSession{ID: id, Owner: owner, Created: at, LastUsed: at, KeepAlive: time.Minute, Busy: "st-" + id}, maxTotal, maxPer, life)
	}
	must(t, open("s1", "alice", t0, 3, 2))
	must(t, open("s2", "alice", t0, 3, 2))
	if err := open("s3", "alice", t0, 3, 2); !errors.Is(err, store.ErrQuota) {
		t.Fatalf("third of alice's: %v, want ErrQuota", err)
	}
	must(t, open("s4", "bob", t0, 3, 2))
	if err := open("s5", "carol", t0, 3, 2); !errors.Is(err, store.ErrQuota) {
		t.Fatalf("fourth in all: %v, want ErrQuota", err)
	}
	// Busy: refused with the statement it runs.
	err := ds.Acquire(ctx, "s1", "alice", "next", -1, t0, life)
	var be *store.BusyError
	if !errors.As(err, &be) || be.Statement != "st-s1" || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Acquire busy: %v", err)
	}
	must(t, ds.Release(ctx, "s1", t0.Add(time.Second)))
	if err := ds.Acquire(ctx, "s1", "bob", "x", -1, t0.Add(time.Second), life); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Acquire by another owner: %v", err)
	}
	must(t, ds.Acquire(ctx, "s1", "alice", "next", 5*time.Minute, t0.Add(2*time.Second), life))
	got, err := ds.Get(ctx, "s1")
	if err != nil || got.Busy != "next" || got.KeepAlive != 5*time.Minute || !got.LastUsed.Equal(t0.Add(time.Second)) {
		t.Fatalf("Get = %+v %v", got, err)
	}
	// Idle past its keep-alive: expired, not acquirable, swept.
	must(t, ds.Release(ctx, "s2", t0))
	later := t0.Add(2 * time.Minute)
	if err := ds.Acquire(ctx, "s2", "alice", "y", -1, later, life); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Acquire expired: %v", err)
	}
	must(t, ds.Expire(ctx, later, life))
	if _, err := ds.Get(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session kept: %v", err)
	}
	if _, err := ds.Get(ctx, "s1"); err != nil {
		t.Fatalf("busy session swept: %v", err)
	}
}

func testClientTokens(t *testing.T, s store.Store) {
	ctx := context.Background()
	ct := s.ClientTokens()
	if _, err := ct.Get(ctx, "k", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if id, err := ct.Put(ctx, "k", "st1", t0, t0.Add(-time.Hour)); err != nil || id != "st1" {
		t.Fatalf("Put = %q %v", id, err)
	}
	if id, err := ct.Put(ctx, "k", "st2", t0.Add(time.Second), t0.Add(-time.Hour)); err != nil || id != "st1" {
		t.Fatalf("second Put = %q %v; the first record wins", id, err)
	}
	if id, err := ct.Get(ctx, "k", t0.Add(-time.Hour)); err != nil || id != "st1" {
		t.Fatalf("Get = %q %v", id, err)
	}
	// Past its lifetime the token is free again.
	if _, err := ct.Get(ctx, "k", t0.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get of an old token: %v", err)
	}
	if id, err := ct.Put(ctx, "k", "st3", t0.Add(2*time.Minute), t0.Add(time.Minute)); err != nil || id != "st3" {
		t.Fatalf("Put after expiry = %q %v", id, err)
	}
	must(t, ct.Expire(ctx, t0.Add(time.Hour)))
	if _, err := ct.Get(ctx, "k", time.Time{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired token kept: %v", err)
	}
}

func testRevocations(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := s.Revocations()
	if ok, err := r.Revoked(ctx, "sid-0123456789abcdef"); err != nil || ok {
		t.Fatalf("Revoked before = %v %v", ok, err)
	}
	must(t, r.Revoke(ctx, "sid-0123456789abcdef", time.Now().Add(time.Hour)))
	must(t, r.Revoke(ctx, "sid-0123456789abcdef", time.Now().Add(time.Hour)))
	if ok, err := r.Revoked(ctx, "sid-0123456789abcdef"); err != nil || !ok {
		t.Fatalf("Revoked after = %v %v", ok, err)
	}
	if ok, _ := r.Revoked(ctx, "sid-other-0123456789"); ok {
		t.Fatal("another sid revoked")
	}
}

func testReplay(t *testing.T, s store.Store) {
	ctx := context.Background()
	until := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	first := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.Replay().FirstUse(ctx, "sigv4", "sig-abc", until)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				first++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != 1 {
		t.Fatalf("%d of 10 concurrent uses were first, want 1", first)
	}
	// Namespaces are apart.
	if ok, err := s.Replay().FirstUse(ctx, "context", "sig-abc", until); err != nil || !ok {
		t.Fatalf("other namespace: %v %v", ok, err)
	}
}

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 5 {
		must(t, s.Audit().Append(ctx, audit.Record{Time: t0.Add(time.Duration(i) * time.Second), Kind: "statement", User: "alice",
			StatementID: fmt.Sprint(i), Rows: int64(i), Policies: []string{"p"}}))
	}
	got, err := s.Audit().Recent(ctx, 3)
	must(t, err)
	if len(got) != 3 || got[0].StatementID != "4" || got[2].StatementID != "2" || !got[0].Time.Equal(t0.Add(4*time.Second)) || got[0].Rows != 4 ||
		!slices.Equal(got[0].Policies, []string{"p"}) {
		t.Fatalf("Recent(3) = %+v", got)
	}
	if all, _ := s.Audit().Recent(ctx, 0); len(all) != 5 {
		t.Fatalf("Recent(0) = %d records", len(all))
	}
}

func testWebSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	w := s.WebSessions()
	k := [32]byte{1}
	must(t, w.Put(ctx, k, []byte("sess"), t0.Add(time.Hour)))
	if b, err := w.Get(ctx, k); err != nil || string(b) != "sess" {
		t.Fatalf("Get = %q %v", b, err)
	}
	must(t, w.Put(ctx, k, []byte("sess2"), t0.Add(time.Hour)))
	if b, err := w.Delete(ctx, k); err != nil || string(b) != "sess2" {
		t.Fatalf("Delete = %q %v", b, err)
	}
	if _, err := w.Get(ctx, k); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	must(t, w.PutLogin(ctx, "st1", []byte("l1"), t0, 2))
	must(t, w.PutLogin(ctx, "st2", []byte("l2"), t0.Add(time.Minute), 2))
	if err := w.PutLogin(ctx, "st3", []byte("l3"), t0, 2); !errors.Is(err, store.ErrQuota) {
		t.Fatalf("third pending sign-in: %v", err)
	}
	if b, err := w.TakeLogin(ctx, "st1"); err != nil || string(b) != "l1" {
		t.Fatalf("TakeLogin = %q %v", b, err)
	}
	if _, err := w.TakeLogin(ctx, "st1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second TakeLogin: %v", err)
	}
	must(t, w.Put(ctx, [32]byte{2}, []byte("old"), t0))
	must(t, w.Sweep(ctx, t0.Add(2*time.Minute), t0.Add(time.Second)))
	if _, err := w.TakeLogin(ctx, "st2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old sign-in kept: %v", err)
	}
	if _, err := w.Get(ctx, [32]byte{2}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("old session kept: %v", err)
	}
}

func testKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	k := s.Keys()
	if _, err := k.Get(ctx, "server.key"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get before: %v", err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := k.Create(ctx, "server.key", []byte{byte(i), 1, 2, 3})
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	for _, v := range got[1:] {
		if !bytes.Equal(v, got[0]) {
			t.Fatalf("racing creators got different keys: %v", got)
		}
	}
	must(t, func() error { _, err := k.Create(ctx, "keys/session-100.pem", []byte("a")); return err }())
	must(t, func() error { _, err := k.Create(ctx, "keys/session-200.pem", []byte("b")); return err }())
	names, err := k.List(ctx, "keys/session-")
	if err != nil || !slices.Equal(names, []string{"keys/session-100.pem", "keys/session-200.pem"}) {
		t.Fatalf("List = %v %v", names, err)
	}
	must(t, k.Delete(ctx, "keys/session-100.pem"))
	must(t, k.Delete(ctx, "keys/session-100.pem"))
	if names, _ := k.List(ctx, "keys/session-"); !slices.Equal(names, []string{"keys/session-200.pem"}) {
		t.Fatalf("List after Delete = %v", names)
	}
}

func testReplicas(t *testing.T, s store.Store) {
	ctx := context.Background()
	r := s.Replicas()
	live, err := r.Beat(ctx, store.Replica{ID: "a", Engine: "postgres", Started: t0, Until: t0.Add(5 * time.Second)}, t0)
	if err != nil || len(live) != 1 || live[0].ID != "a" {
		t.Fatalf("Beat = %+v %v", live, err)
	}
	live, err = r.Beat(ctx, store.Replica{ID: "b", Engine: "duckdb", Started: t0, Until: t0.Add(5 * time.Second)}, t0)
	if err != nil || len(live) != 2 || live[1].Engine != "duckdb" {
		t.Fatalf("Beat b = %+v %v", live, err)
	}
	// a stops beating: gone at t0+6s.
	live, err = r.Beat(ctx, store.Replica{ID: "b", Engine: "duckdb", Started: t0, Until: t0.Add(11 * time.Second)}, t0.Add(6*time.Second))
	if err != nil || len(live) != 1 || live[0].ID != "b" || !live[0].Started.Equal(t0) {
		t.Fatalf("after a's lease = %+v %v", live, err)
	}
	must(t, r.Leave(ctx, "b"))
	live, _ = r.Beat(ctx, store.Replica{ID: "c", Engine: "postgres", Started: t0, Until: t0.Add(20 * time.Second)}, t0.Add(7*time.Second))
	if len(live) != 1 || live[0].ID != "c" {
		t.Fatalf("after Leave = %+v", live)
	}
}

// RunResultTests holds a store.ResultStore to the contract the Data API
// relies on. newResults must return an empty store.
func RunResultTests(t *testing.T, newResults func(t *testing.T) store.ResultStore) {
	ctx := context.Background()
	t.Run("WriteReadDelete", func(t *testing.T) {
		rs := newResults(t)
		pages := [][]byte{[]byte("schema"), {}, bytes.Repeat([]byte{0, 1, 2}, 200000), []byte("last")}
		w, err := rs.Create(ctx, "st:1")
		must(t, err)
		for _, p := range pages {
			must(t, w.Append(ctx, p))
		}
		if _, err := rs.Page(ctx, "st:1", 0); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("uncommitted result readable: %v", err)
		}
		info, err := w.Commit(ctx)
		var all []byte
		for _, p := range pages {
			all = append(all, p...)
		}
		if err != nil || info.Pages != 4 || info.Bytes != int64(len(all)) {
			t.Fatalf("Commit = %+v %v", info, err)
		}
		for i, want := range pages {
			got, err := rs.Page(ctx, "st:1", i)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("page %d: %d bytes, %v", i, len(got), err)
			}
		}
		if _, err := rs.Page(ctx, "st:1", 4); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("page past the end: %v", err)
		}
		if pr, ok := rs.(store.ResultPageReader); ok {
			// One buffer for every page, as a client paging through does.
			buf := make([]byte, 0, 16)
			for i, want := range pages {
				got, err := pr.ReadPage(ctx, "st:1", i, buf)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("ReadPage %d: %d bytes, %v", i, len(got), err)
				}
				buf = got
			}
			if _, err := pr.ReadPage(ctx, "st:1", 4, buf); !errors.Is(err, store.ErrResultNotFound) {
				t.Fatalf("ReadPage past the end: %v", err)
			}
			if _, err := pr.ReadPage(ctx, "nope", 0, buf); !errors.Is(err, store.ErrResultNotFound) {
				t.Fatalf("ReadPage of unknown: %v", err)
			}
		}
		var buf bytes.Buffer
		if n, err := rs.WriteTo(ctx, "st:1", &buf); err != nil || n != int64(len(all)) || !bytes.Equal(buf.Bytes(), all) {
			t.Fatalf("WriteTo = %d, %v", n, err)
		}
		must(t, rs.Delete(ctx, "st:1"))
		must(t, rs.Delete(ctx, "st:1"))
		if _, err := rs.Page(ctx, "st:1", 0); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("deleted result readable: %v", err)
		}
		if _, err := rs.WriteTo(ctx, "nope", &buf); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("WriteTo of unknown: %v", err)
		}
	})
	t.Run("AbortAndEmpty", func(t *testing.T) {
		rs := newResults(t)
		w, err := rs.Create(ctx, "a")
		must(t, err)
		must(t, w.Append(ctx, []byte("x")))
		w.Abort(ctx)
		if _, err := rs.Page(ctx, "a", 0); !errors.Is(err, store.ErrResultNotFound) {
			t.Fatalf("aborted result readable: %v", err)
		}
		e, err := rs.Create(ctx, "empty")
		must(t, err)
		info, err := e.Commit(ctx)
		if err != nil || info.Pages != 0 {
			t.Fatalf("empty Commit = %+v %v", info, err)
		}
		var buf bytes.Buffer
		if n, err := rs.WriteTo(ctx, "empty", &buf); err != nil || n != 0 {
			t.Fatalf("WriteTo of empty = %d %v", n, err)
		}
	})
	t.Run("CreateTwice", func(t *testing.T) {
		rs := newResults(t)
		w, err := rs.Create(ctx, "dup")
		must(t, err)
		_, err = w.Commit(ctx)
		must(t, err)
		// Refused at Create or, at the latest, at Commit.
		if w2, err := rs.Create(ctx, "dup"); err == nil {
			if _, err := w2.Commit(ctx); err == nil {
				t.Fatal("a second result under one id was committed")
			}
		}
	})
	t.Run("ReadersOnAnotherHandle", func(t *testing.T) {
		// Nothing here is per handle: what one writes, another reads.
		rs := newResults(t)
		w, err := rs.Create(ctx, "shared")
		must(t, err)
		must(t, w.Append(ctx, []byte("p0")))
		_, err = w.Commit(ctx)
		must(t, err)
		if got, err := rs.Page(ctx, "shared", 0); err != nil || string(got) != "p0" {
			t.Fatalf("Page = %q %v", got, err)
		}
	})
}

// testDocuments: a document is changed whole, one change at a time
// (concurrent increments all count), read only when it changed, and a
// failed change stores nothing.
func testDocuments(t *testing.T, s store.Store) {
	ctx := context.Background()
	docs := s.Documents()
	if b, v, err := docs.Load(ctx, "d", 0); err != nil || b != nil || v != 0 {
		t.Fatalf("Load of none = %q %d %v", b, v, err)
	}
	v, err := docs.Update(ctx, "d", func(cur []byte, v int64) ([]byte, error) {
		if cur != nil || v != 0 {
			t.Errorf("first change sees %q %d", cur, v)
		}
		return []byte("0"), nil
	})
	if err != nil || v != 1 {
		t.Fatalf("first Update = %d %v", v, err)
	}
	if b, v, err := docs.Load(ctx, "d", 0); err != nil || string(b) != "0" || v != 1 {
		t.Fatalf("Load = %q %d %v", b, v, err)
	}
	if b, v, err := docs.Load(ctx, "d", 1); err != nil || b != nil || v != 1 {
		t.Fatalf("Load of an unchanged document = %q %d %v, want nothing read", b, v, err)
	}
	boom := errors.New("boom")
	if _, err := docs.Update(ctx, "d", func([]byte, int64) ([]byte, error) { return []byte("x"), boom }); !errors.Is(err, boom) {
		t.Fatalf("failed change: %v", err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := docs.Update(ctx, "d", func(cur []byte, _ int64) ([]byte, error) {
				var n int
				fmt.Sscan(string(cur), &n)
				return []byte(fmt.Sprint(n + 1)), nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if b, v, err := docs.Load(ctx, "d", 0); err != nil || string(b) != "20" || v != 21 {
		t.Fatalf("after 20 concurrent increments: %q version %d %v, want 20 version 21", b, v, err)
	}
	if b, _, _ := docs.Load(ctx, "other", 0); b != nil {
		t.Fatalf("another name: %q", b)
	}
}
