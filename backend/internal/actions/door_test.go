package actions_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/auth"
	"minside/backend/internal/doors"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// doorRig is the delivery side's door service with its simulated lock, on a clock the test sets.
type doorRig struct {
	lock  *doors.SimulatedLock
	doors *doors.Service
	clock atomic.Pointer[time.Time]
}

func newDoorRig(t *testing.T, db *store.DB) *doorRig {
	t.Helper()
	key := []byte(strings.Repeat("d", 32))
	r := &doorRig{}
	r.clock.Store(&t0)
	issuer, err := doors.NewIssuer(key, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r.lock = doors.NewSimulatedLock(db, issuer.PublicKey(), func() time.Time { return *r.clock.Load() })
	r.doors = doors.NewService(db, issuer, r.lock, nil, time.Second)
	return r
}

// open presses the button as the web layer does: the checks first, then the door service.
func (r *doorRig) open(t *testing.T, svc *actions.Service, db *store.DB, v actions.For, req actions.OpenRequest, now time.Time) (doors.Result, error) {
	t.Helper()
	r.clock.Store(&now)
	if err := svc.CheckOpen(context.Background(), db, v, req, now); err != nil {
		return doors.Result{}, err
	}
	return svc.OpenDoor(context.Background(), v, req, now)
}

func TestOpenDoor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		rig := newDoorRig(t, db)
		svc := actions.New(actions.Deps{Webhooks: webhooks, Doors: rig.doors, StepUpACR: auth.ACRSubstantial, OpenLimit: 3, OpenWindow: time.Minute})
		w := newWorld(t, db)
		k, doorIDs := w.key(t, w.parent, nil)
		req := actions.OpenRequest{KeyID: k.ID, AccessPointID: doorIDs[0], ACR: auth.ACRSubstantial}
		inWindow := t0.Add(30 * time.Minute)

		t.Run("success: the lock opens, a use row and a webhook", func(t *testing.T) {
			res, err := rig.open(t, svc, db, own(w.parent), req, inWindow)
			if err != nil || res.Outcome != doors.UseOpened || !res.At.Equal(inWindow) {
				t.Fatalf("%+v %v", res, err)
			}
			if rig.lock.Opened() != 1 {
				t.Fatalf("the lock opened %d times", rig.lock.Opened())
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
			{"a door the key does not open", own(w.parent), actions.OpenRequest{KeyID: k.ID, AccessPointID: doorIDs[1], ACR: auth.ACRSubstantial}, inWindow, apperr.CodeNotFound, ""},
			{"no door named", own(w.parent), actions.OpenRequest{KeyID: k.ID, ACR: auth.ACRSubstantial}, inWindow, apperr.CodeInvalid, ""},
			{"someone else's key", own(w.stranger), req, inWindow, apperr.CodeNotFound, ""},
			{"a representative limited to some areas", actingFor(w.stranger, w.parent, []string{"health"}), req, inWindow, apperr.CodeNotFound, ""},
		}
		for _, r := range refusals {
			t.Run(r.name, func(t *testing.T) {
				before := rig.lock.Opened()
				_, err := rig.open(t, svc, db, r.v, r.req, r.at)
				ae, ok := apperr.As(err)
				if !ok || ae.Code != r.code || (r.detail != "" && ae.Detail != r.detail) {
					t.Fatalf("want %s %s, got %v", r.code, r.detail, err)
				}
				if rig.lock.Opened() != before {
					t.Fatal("the lock opened anyway")
				}
			})
		}

		t.Run("step-up required", func(t *testing.T) {
			high := actions.New(actions.Deps{Webhooks: webhooks, Doors: rig.doors, StepUpACR: auth.ACRHigh})
			_, err := rig.open(t, high, db, own(w.parent), req, inWindow)
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeUnauthorized || ae.Detail != "error.detail.step_up_required" {
				t.Fatalf("want step-up, got %v", err)
			}
			u, _ := ae.Extra["stepUpUrl"].(string)
			if !strings.HasPrefix(u, "/auth/login?") || !strings.Contains(u, "acr=idporten-loa-high") || !strings.HasSuffix(u, "returnTo=%2Fkeys") {
				t.Fatalf("stepUpUrl %q", u)
			}
			highReq := actions.OpenRequest{KeyID: k.ID, AccessPointID: doorIDs[0], ACR: auth.ACRHigh}
			if _, err := rig.open(t, high, db, own(w.parent), highReq, inWindow.Add(time.Hour)); err != nil {
				t.Fatalf("a high login was refused: %v", err)
			}
		})

		t.Run("rate limited per citizen and key", func(t *testing.T) {
			w2 := newWorld(t, db)
			k2, doors2 := w2.key(t, w2.parent, nil)
			r2 := actions.OpenRequest{KeyID: k2.ID, AccessPointID: doors2[0], ACR: auth.ACRSubstantial}
			at := t0.Add(10 * time.Minute)
			for i := range 3 {
				if _, err := rig.open(t, svc, db, own(w2.parent), r2, at); err != nil {
					t.Fatalf("attempt %d: %v", i, err)
				}
			}
			_, err := rig.open(t, svc, db, own(w2.parent), r2, at.Add(20*time.Second))
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeRateLimited || ae.Extra["retryAfter"] != 40 {
				t.Fatalf("want 429 with retryAfter 40, got %v %v", err, ae)
			}
			if _, err := rig.open(t, svc, db, own(w2.parent), r2, at.Add(time.Minute)); err != nil {
				t.Fatalf("the next window still refused: %v", err)
			}
		})

		t.Run("the lock is down: 503 and a failed use is recorded", func(t *testing.T) {
			w3 := newWorld(t, db)
			k3, doors3 := w3.key(t, w3.child, nil)
			rig.lock.SetDown(true)
			defer rig.lock.SetDown(false)
			r3 := actions.OpenRequest{KeyID: k3.ID, AccessPointID: doors3[0], ACR: auth.ACRSubstantial}
			_, err := rig.open(t, svc, db, actingFor(w3.parent, w3.child, nil), r3, t0.Add(time.Minute))
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeUnavailable || ae.Detail != "error.detail.door_unavailable" {
				t.Fatalf("want 503, got %v", err)
			}
			if n := count(t, db, "key_uses", "key_id = ? AND result = 'failed' AND actor_citizen_id = ?", k3.ID, w3.parent); n != 1 {
				t.Fatalf("%d failed uses", n)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND action = 'key.open' AND actor_id = ?", k3.ID, w3.parent); n != 1 {
				t.Fatalf("%d audit rows for the representative's attempt", n)
			}
			uses, _, err := svc.Uses(context.Background(), db, actingFor(w3.parent, w3.child, nil), k3.ID, "", 0)
			if err != nil || len(uses) != 1 || !uses[0].ByOther || uses[0].Result != doors.UseFailed {
				t.Fatalf("%+v %v", uses, err)
			}
		})

		t.Run("no door service configured answers 503", func(t *testing.T) {
			none := actions.New(actions.Deps{Webhooks: webhooks})
			w4 := newWorld(t, db)
			k4, doors4 := w4.key(t, w4.parent, nil)
			_, err := rig.open(t, none, db, own(w4.parent), actions.OpenRequest{KeyID: k4.ID, AccessPointID: doors4[0]}, t0.Add(time.Minute))
			if !apperr.Is(err, apperr.CodeUnavailable) {
				t.Fatalf("got %v", err)
			}
		})
	})
}
