package actions_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/auth"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// lockSystem is a door adapter standing in for an agency's lock service: it remembers what it was
// asked and fails when told to, as a lock service that is down would.
type lockSystem struct {
	mu     sync.Mutex
	opened []actions.DoorRequest
	down   bool
}

func (l *lockSystem) Open(_ context.Context, req actions.DoorRequest) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return errors.New("lock service timeout")
	}
	l.opened = append(l.opened, req)
	return nil
}

func open(t *testing.T, svc *actions.Service, db *store.DB, v actions.For, req actions.OpenRequest, now time.Time) (time.Time, error) {
	t.Helper()
	ctx := context.Background()
	if err := svc.CheckOpen(ctx, db, v, req, now); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		at, err = svc.Open(ctx, tx, v, req, now)
		return err
	})
	if errors.Is(err, actions.ErrDoorFailed) {
		if rerr := svc.RecordFailedOpen(ctx, db, v, req, now); rerr != nil {
			t.Fatal(rerr)
		}
	}
	return at, err
}

func TestOpenDoor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		locks := &lockSystem{}
		svc := actions.New(actions.Deps{Webhooks: webhooks, Door: locks, StepUpACR: auth.ACRSubstantial, OpenLimit: 3, OpenWindow: time.Minute})
		w := newWorld(t, db)
		k, doors := w.key(t, w.parent, nil)
		req := actions.OpenRequest{KeyID: k.ID, AccessPointID: doors[0], ACR: auth.ACRSubstantial}
		inWindow := t0.Add(30 * time.Minute)

		t.Run("success: the lock opens, a use row and a webhook", func(t *testing.T) {
			at, err := open(t, svc, db, own(w.parent), req, inWindow)
			if err != nil || !at.Equal(inWindow) {
				t.Fatalf("%s %v", at, err)
			}
			if len(locks.opened) != 1 || locks.opened[0].KeyExternalID != k.ExternalID || locks.opened[0].ActorCitizenID != w.parent {
				t.Fatalf("lock system asked: %+v", locks.opened)
			}
			if n := count(t, db, "key_uses", "key_id = ? AND result = 'opened' AND actor_citizen_id = ?", k.ID, w.parent); n != 1 {
				t.Fatalf("%d use rows", n)
			}
			if n := count(t, db, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%key.used%"); n != 1 {
				t.Fatalf("%d webhook rows", n)
			}
			uses, next, err := svc.Uses(context.Background(), db, own(w.parent), k.ID, "", 10)
			if err != nil || len(uses) != 1 || next != "" || uses[0].AccessPointName != "Hovedinngang" || uses[0].ByOther {
				t.Fatalf("uses: %+v %q %v", uses, next, err)
			}
		})

		refusals := []struct {
			name   string
			v      actions.For
			req    actions.OpenRequest
			at     time.Time
			code   apperr.Code
			detail string
		}{
			{"outside the window", own(w.parent), req, t0.Add(3 * time.Hour), apperr.CodeInvalid, "error.detail.key_not_valid_now"},
			{"before the key is valid", own(w.parent), req, t0.Add(-2 * time.Hour), apperr.CodeInvalid, "error.detail.key_not_valid_now"},
			{"a door the key does not open", own(w.parent), actions.OpenRequest{KeyID: k.ID, AccessPointID: doors[1], ACR: auth.ACRSubstantial}, inWindow, apperr.CodeInvalid, ""},
			{"someone else's key", own(w.stranger), req, inWindow, apperr.CodeNotFound, ""},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				before := len(locks.opened)
				_, err := open(t, svc, db, r.v, r.req, r.at)
				ae, ok := apperr.As(err)
				if !ok || ae.Code != r.code || (r.detail != "" && ae.Detail != r.detail) {
					t.Fatalf("want %s %s, got %v", r.code, r.detail, err)
				}
				if len(locks.opened) != before {
					t.Fatal("the lock was asked anyway")
				}
			})
		}

		t.Run("step-up required", func(t *testing.T) {
			high := actions.New(actions.Deps{Webhooks: webhooks, Door: locks, StepUpACR: auth.ACRHigh})
			_, err := open(t, high, db, own(w.parent), req, inWindow)
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeUnauthorized || ae.Detail != "error.detail.step_up_required" {
				t.Fatalf("want step-up, got %v", err)
			}
			u, _ := ae.Extra["stepUpUrl"].(string)
			if !strings.HasPrefix(u, "/auth/login?") || !strings.Contains(u, "acr=idporten-loa-high") || !strings.Contains(u, "returnTo=%2Fkeys%2F"+k.ID) {
				t.Fatalf("stepUpUrl %q", u)
			}
			high2 := actions.OpenRequest{KeyID: k.ID, AccessPointID: doors[0], ACR: auth.ACRHigh}
			if _, err := open(t, high, db, own(w.parent), high2, inWindow.Add(time.Hour)); err != nil {
				t.Fatalf("a high login was refused: %v", err)
			}
		})

		t.Run("rate limited per citizen and key", func(t *testing.T) {
			w2 := newWorld(t, db)
			k2, doors2 := w2.key(t, w2.parent, nil)
			r2 := actions.OpenRequest{KeyID: k2.ID, AccessPointID: doors2[0], ACR: auth.ACRSubstantial}
			at := t0.Add(10 * time.Minute)
			for i := range 3 {
				if _, err := open(t, svc, db, own(w2.parent), r2, at); err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
			_, err := open(t, svc, db, own(w2.parent), r2, at.Add(20*time.Second))
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeRateLimited || ae.Extra["retryAfter"] != 40 {
				t.Fatalf("want 429 with retryAfter 40, got %v %v", err, ae)
			}
			if _, err := open(t, svc, db, own(w2.parent), r2, at.Add(time.Minute)); err != nil {
				t.Fatalf("the next window still refused: %v", err)
			}
		})

		t.Run("the lock is down: 503 and a failed use is recorded", func(t *testing.T) {
			w3 := newWorld(t, db)
			k3, doors3 := w3.key(t, w3.child, nil)
			locks.down = true
			defer func() { locks.down = false }()
			r3 := actions.OpenRequest{KeyID: k3.ID, AccessPointID: doors3[0], ACR: auth.ACRSubstantial}
			_, err := open(t, svc, db, actingFor(w3.parent, w3.child, nil), r3, t0.Add(time.Minute))
			if !apperr.Is(err, apperr.CodeUnavailable) || !errors.Is(err, actions.ErrDoorFailed) {
				t.Fatalf("want 503, got %v", err)
			}
			if n := count(t, db, "key_uses", "key_id = ? AND result = 'failed' AND actor_citizen_id = ?", k3.ID, w3.parent); n != 1 {
				t.Fatalf("%d failed uses", n)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND action = 'key.open' AND actor_id = ?", k3.ID, w3.parent); n != 1 {
				t.Fatalf("%d audit rows for the representative's attempt", n)
			}
			uses, _, err := svc.Uses(context.Background(), db, actingFor(w3.parent, w3.child, nil), k3.ID, "", 0)
			if err != nil || len(uses) != 1 || !uses[0].ByOther || uses[0].Result != actions.ResultFailed {
				t.Fatalf("%+v %v", uses, err)
			}
		})

		t.Run("no adapter configured answers 503", func(t *testing.T) {
			none := actions.New(actions.Deps{Webhooks: webhooks})
			w4 := newWorld(t, db)
			k4, doors4 := w4.key(t, w4.parent, nil)
			_, err := open(t, none, db, own(w4.parent), actions.OpenRequest{KeyID: k4.ID, AccessPointID: doors4[0]}, t0.Add(time.Minute))
			if !apperr.Is(err, apperr.CodeUnavailable) {
				t.Fatalf("got %v", err)
			}
		})
	})
}

func TestMarkRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := actions.New(actions.Deps{Webhooks: webhooks})
		w := newWorld(t, db)
		ctx := context.Background()
		first := w.notification(t, w.parent)
		w.notification(t, w.parent)
		w.notification(t, w.parent)
		foreign := w.notification(t, w.stranger)
		run := func(fn func(tx bun.Tx) error) error {
			return db.RunInTx(ctx, nil, func(_ context.Context, tx bun.Tx) error { return fn(tx) })
		}

		var err error
		for range 2 { // the second read is a no-op
			err = run(func(tx bun.Tx) error {
				n, err := svc.MarkRead(ctx, tx, own(w.parent), first, "", t0)
				if err == nil && (n.ReadAt == nil || !n.ReadAt.Equal(t0)) {
					t.Fatalf("read_at %v", n.ReadAt)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, "changes", "object_id = ?", first); n != 1 {
			t.Fatalf("%d change rows for one read", n)
		}
		err = run(func(tx bun.Tx) error { _, err := svc.MarkRead(ctx, tx, own(w.parent), foreign, "", t0); return err })
		if !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("foreign notification: %v", err)
		}
		var marked int
		err = run(func(tx bun.Tx) error {
			var err error
			marked, err = svc.MarkAllRead(ctx, tx, own(w.parent), "", t0.Add(time.Minute))
			return err
		})
		if err != nil || marked != 2 {
			t.Fatalf("marked %d: %v", marked, err)
		}
		if n := count(t, db, "changes", "citizen_id = ? AND kind = 'notification'", w.parent); n != 3 {
			t.Fatalf("%d change rows, want one per notification", n)
		}
		if n := count(t, db, "notifications", "citizen_id = ? AND read_at IS NULL", w.stranger); n != 1 {
			t.Fatal("read-all touched someone else's notifications")
		}
		err = run(func(tx bun.Tx) error {
			var err error
			marked, err = svc.MarkAllRead(ctx, tx, actingFor(w.parent, w.stranger, []string{"health"}), "", t0)
			return err
		})
		if err != nil || marked != 0 {
			t.Fatalf("a limited representative marked %d: %v", marked, err)
		}
	})
}
