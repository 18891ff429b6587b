package actions_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/actions"
	"minside/backend/internal/apperr"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

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
