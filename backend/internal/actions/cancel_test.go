package actions_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/bookings"
	"minside/backend/internal/idempotency"
	"minside/backend/internal/keys"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func cancelIn(t *testing.T, svc *actions.Service, db *store.DB, v actions.For, id string, now time.Time) (*bookings.Booking, error) {
	t.Helper()
	var out *bookings.Booking
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = svc.CancelBooking(ctx, tx, v, id, "req-1", now)
		return err
	})
	return out, err
}

func TestCancelBooking(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := actions.New(actions.Deps{Webhooks: webhooks})

		t.Run("before the deadline: cancelled, key revoked, agency told, feed written", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.parent, "culture")
			k, _ := w.key(t, w.parent, &b.ID)
			got, err := cancelIn(t, svc, db, own(w.parent), b.ID, t0)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != bookings.StatusCancelled || got.CancelledAt == nil || !got.CancelledAt.Equal(t0) {
				t.Fatalf("booking after cancel: %+v", got)
			}
			var status string
			if err := db.NewSelect().Model((*keys.Key)(nil)).Column("status").Where("id = ?", k.ID).Scan(context.Background(), &status); err != nil || status != keys.StatusRevoked {
				t.Fatalf("linked key is %q (%v)", status, err)
			}
			if n := count(t, db, "changes", "object_id IN (?, ?)", b.ID, k.ID); n != 2 {
				t.Fatalf("%d change rows, want booking + key", n)
			}
			if n := count(t, db, "outbox", "topic = 'webhook' AND CAST(payload AS TEXT) LIKE ?", "%booking.cancelled%"); n != 1 {
				t.Fatalf("%d webhook rows", n)
			}
			if n := count(t, db, "audit_log", "object_id = ?", b.ID); n != 0 {
				t.Fatal("the citizen's own cancel was audited as a representative's")
			}
		})

		t.Run("after the deadline: 422 and nothing changes", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.parent, "culture")
			_, err := cancelIn(t, svc, db, own(w.parent), b.ID, b.CancellableUntil.Add(time.Second))
			ae, ok := apperr.As(err)
			if !ok || ae.Code != apperr.CodeInvalid || ae.Detail != "error.detail.cancel_deadline_passed" {
				t.Fatalf("want the deadline problem, got %v", err)
			}
			if count(t, db, "bookings", "id = ? AND status = 'confirmed'", b.ID) != 1 || count(t, db, "changes", "object_id = ?", b.ID) != 0 {
				t.Fatal("a refused cancel changed something")
			}
		})

		t.Run("someone else's booking is not found", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.stranger, "culture")
			for name, v := range map[string]actions.For{
				"own view":           own(w.parent),
				"acting for a child": actingFor(w.parent, w.child, nil),
				"out of scope":       actingFor(w.parent, w.stranger, []string{"health"}),
			} {
				if _, err := cancelIn(t, svc, db, v, b.ID, t0); !apperr.Is(err, apperr.CodeNotFound) {
					t.Fatalf("%s: want not found, got %v", name, err)
				}
			}
			for _, id := range []string{store.NewID(), "not-an-id", ""} {
				if _, err := cancelIn(t, svc, db, own(w.parent), id, t0); !apperr.Is(err, apperr.CodeNotFound) {
					t.Fatalf("id %q: %v", id, err)
				}
			}
		})

		t.Run("a guardian cancels the child's booking, audited", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.child, "culture")
			got, err := cancelIn(t, svc, db, actingFor(w.parent, w.child, nil), b.ID, t0)
			if err != nil || got.Status != bookings.StatusCancelled {
				t.Fatalf("%+v %v", got, err)
			}
			if n := count(t, db, "audit_log", "object_id = ? AND actor_id = ? AND subject_id = ? AND actor_kind = 'representative' AND action = 'booking.cancel'", b.ID, w.parent, w.child); n != 1 {
				t.Fatalf("%d audit rows", n)
			}
			if n := count(t, db, "outbox", "CAST(payload AS TEXT) LIKE ?", "%representative%"); n != 1 {
				t.Fatal("the webhook does not say a representative acted")
			}
		})

		t.Run("cancelling twice answers the cancelled booking and does nothing more", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.parent, "culture")
			for range 2 {
				if got, err := cancelIn(t, svc, db, own(w.parent), b.ID, t0); err != nil || got.Status != bookings.StatusCancelled {
					t.Fatalf("%+v %v", got, err)
				}
			}
			if count(t, db, "changes", "object_id = ?", b.ID) != 1 || count(t, db, "outbox", "CAST(payload AS TEXT) LIKE ?", "%"+b.ExternalID+"%") != 1 {
				t.Fatal("a second cancel wrote again")
			}
		})

		t.Run("100 concurrent cancels cancel once", func(t *testing.T) {
			w := newWorld(t, db)
			b := w.booking(t, w.parent, "culture")
			scope := idempotency.CitizenScope(w.parent)
			hash := idempotency.RequestHash("POST", "/api/v1/bookings/"+b.ID+"/cancel", nil)
			var wg sync.WaitGroup
			errs := make(chan error, 100)
			for i := range 100 {
				key := ""
				if i%2 == 0 {
					key = "same-key" // half share one key, half send none
				}
				wg.Go(func() {
					_, body, _, err := idempotency.Do(context.Background(), db, scope, key, hash, func(tx bun.Tx) (int, []byte, error) {
						got, err := svc.CancelBooking(context.Background(), tx, own(w.parent), b.ID, "", t0)
						if err != nil {
							return 0, nil, err
						}
						return 200, []byte(got.Status), nil
					})
					if err == nil && string(body) != bookings.StatusCancelled {
						err = apperr.Conflict(string(body))
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, db, "changes", "object_id = ?", b.ID); n != 1 {
				t.Fatalf("%d change rows", n)
			}
			if n := count(t, db, "outbox", "CAST(payload AS TEXT) LIKE ?", "%"+b.ExternalID+"%"); n != 1 {
				t.Fatalf("%d webhook rows", n)
			}
		})
	})
}

func TestCanCancel(t *testing.T) {
	until := t0.Add(time.Hour)
	cases := []struct {
		name string
		b    bookings.Booking
		at   time.Time
		want bool
	}{
		{"before the deadline", bookings.Booking{Status: bookings.StatusConfirmed, StartsAt: t0.Add(5 * time.Hour), CancellableUntil: &until}, t0, true},
		{"at the deadline", bookings.Booking{Status: bookings.StatusConfirmed, StartsAt: t0.Add(5 * time.Hour), CancellableUntil: &until}, until, false},
		{"no deadline: before the start", bookings.Booking{Status: bookings.StatusConfirmed, StartsAt: t0.Add(5 * time.Hour)}, t0, true},
		{"no deadline: after the start", bookings.Booking{Status: bookings.StatusConfirmed, StartsAt: t0}, t0.Add(time.Minute), false},
		{"a deadline after the start: the start wins", bookings.Booking{Status: bookings.StatusConfirmed, StartsAt: t0, CancellableUntil: &until}, t0.Add(time.Minute), false},
		{"completed", bookings.Booking{Status: bookings.StatusCompleted, StartsAt: t0.Add(5 * time.Hour)}, t0, false},
	}
	for _, c := range cases {
		if got := actions.CanCancel(&c.b, c.at); got != c.want {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}
