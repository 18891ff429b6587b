package sessions_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/auth/login"
	"minside/backend/internal/citizens"
	"minside/backend/internal/sessions"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newCitizen(t *testing.T, db *store.DB) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	now := store.UTC(time.Now())
	c := &citizens.Citizen{ID: store.NewID(), PIDHash: hex.EncodeToString(b), PIDMasked: "010190*****",
		BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestLifetimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
		st := sessions.New(db, sessions.Options{Idle: 30 * time.Minute, Absolute: 120 * time.Minute, Now: clk.now})
		citizen := newCitizen(t, db)

		token, sess, err := st.Create(ctx, sessions.Start{CitizenID: citizen, ACR: "idporten-loa-substantial", IdPSID: "sid-1"}, "")
		if err != nil {
			t.Fatal(err)
		}
		if sess.IDHash != sessions.Hash(token) || sess.IDHash == token || len(token) < 43 || sess.CSRFToken == "" {
			t.Fatalf("token %q, session %+v", token, sess)
		}
		lastSeen := func() time.Time {
			var s sessions.Session
			if err := db.NewSelect().Model(&s).Where("id_hash = ?", sess.IDHash).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			return s.LastSeenAt
		}
		clk.t = clk.t.Add(30 * time.Second)
		if got, err := st.Lookup(ctx, token); err != nil || got == nil {
			t.Fatalf("lookup: %v %v", got, err)
		}
		if !lastSeen().Equal(sess.CreatedAt) {
			t.Error("a lookup within a minute wrote last_seen_at")
		}
		clk.t = clk.t.Add(time.Minute)
		if got, _ := st.Lookup(ctx, token); got == nil {
			t.Fatal("session gone after 90 s")
		}
		if !lastSeen().Equal(store.UTC(clk.t)) {
			t.Error("last_seen_at not slid after a minute")
		}
		if got, _ := st.Lookup(ctx, "another-token"); got != nil {
			t.Error("an unknown token found a session")
		}
		clk.t = clk.t.Add(30 * time.Minute)
		if got, _ := st.Lookup(ctx, token); got != nil {
			t.Error("session alive after 30 idle minutes")
		}
		if n, _ := db.NewSelect().Model((*sessions.Session)(nil)).Count(ctx); n != 0 {
			t.Errorf("expired session not deleted on lookup: %d rows", n)
		}

		// Rotation: a new login in the same browser ends the previous session.
		first, _, _ := st.Create(ctx, sessions.Start{CitizenID: citizen, ACR: "x"}, "")
		second, _, err := st.Create(ctx, sessions.Start{CitizenID: citizen, ACR: "x"}, first)
		if err != nil || first == second {
			t.Fatalf("rotate: %v", err)
		}
		if got, _ := st.Lookup(ctx, first); got != nil {
			t.Error("the pre-login session survived the login")
		}

		// Sweep removes what nobody comes back for.
		clk.t = clk.t.Add(31 * time.Minute)
		if n, err := st.Sweep(ctx); err != nil || n != 1 {
			t.Errorf("sweep removed %d, %v; want 1", n, err)
		}
	})
}

func TestFrontchannelAndActingAs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := sessions.New(db, sessions.Options{Idle: 30 * time.Minute, Absolute: 2 * time.Hour})
		a, b := newCitizen(t, db), newCitizen(t, db)
		ta, sa, _ := st.Create(ctx, sessions.Start{CitizenID: a, ACR: "x", IdPSID: "sid-a"}, "")
		tb, _, _ := st.Create(ctx, sessions.Start{CitizenID: b, ACR: "x", IdPSID: "sid-b"}, "")
		if err := st.SetActingAs(ctx, sa.IDHash, &b); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.Lookup(ctx, ta); got == nil || got.ActingAsID == nil || *got.ActingAsID != b {
			t.Fatalf("acting as not stored: %+v", got)
		}
		ended, err := st.DeleteByIdPSID(ctx, "sid-a")
		if err != nil || len(ended) != 1 || ended[0].CitizenID != a {
			t.Fatalf("ended %+v, %v", ended, err)
		}
		if got, _ := st.Lookup(ctx, ta); got != nil {
			t.Error("session of the logged-out provider session still alive")
		}
		if got, _ := st.Lookup(ctx, tb); got == nil {
			t.Error("another provider session's session ended")
		}
		if ended, _ := st.DeleteByIdPSID(ctx, ""); len(ended) != 0 {
			t.Error("an empty sid ended sessions")
		}
	})
}

func TestLoginAttemptsAreSingleUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		st := sessions.New(db, sessions.Options{})
		p := login.Pending{State: "state-1", Nonce: "n", Verifier: "v", ACR: "idporten-loa-high", CreatedAt: time.Now()}
		if err := st.LoginAttempt("/cases", true).SavePending(ctx, login.StateKey(p.State), p); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make(chan *sessions.Attempt, 4)
		for range 4 {
			wg.Go(func() {
				a := st.Callback("state-1")
				got, found, err := a.TakePending(ctx, login.StateKey("state-1"))
				if err != nil {
					t.Error(err)
				}
				if found {
					if got.State != "state-1" || got.Nonce != "n" || got.Verifier != "v" || got.ACR != p.ACR {
						t.Errorf("pending %+v", got)
					}
					results <- a
				}
			})
		}
		wg.Wait()
		close(results)
		var winners []*sessions.Attempt
		for a := range results {
			winners = append(winners, a)
		}
		if len(winners) != 1 {
			t.Fatalf("%d callbacks took the same state, want 1", len(winners))
		}
		if winners[0].ReturnTo != "/cases" || !winners[0].SharedDevice {
			t.Errorf("attempt %+v lost returnTo or the device choice", winners[0])
		}
	})
}
