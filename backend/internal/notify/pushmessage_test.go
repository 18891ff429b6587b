package notify

import (
	"testing"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// The pushes of one fan-out travel in one outbox message, which is done only when every push is:
// a push service that asks for time retries the message after the time it asked for, and the
// pushes already delivered are not sent again.
func TestAMessageOfSeveralPushesRetriesOnlyWhatIsLeft(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ag := e.agency("Bydel Frogner")
		var subs []push.Subscription
		var who []string
		for range 3 {
			id := e.citizen(adult)
			sub, _ := e.device(id)
			subs, who = append(subs, sub), append(who, id)
			e.enqueue(outbox.NotifyEvent{CitizenID: id, Kind: "case", ObjectID: e.caseFor(id, ag, cases.StatusInProgress), Reason: "status_changed"})
		}
		e.srv.ScriptReplies(subs[1], pushtest.Reply{Status: 429, RetryAfter: "7"})
		e.drain()
		msgs := e.pushMessages()
		if len(msgs) != 1 || len(e.pushJobs()) != 3 {
			t.Fatalf("%d push messages with %d pushes, want one with all three", len(msgs), len(e.pushJobs()))
		}
		if m, at := msgs[0], store.UTC(e.clock.Now().Add(7*time.Second)); m.Status != outbox.StatusPending || !m.AvailableAt.Equal(at) {
			t.Fatalf("after a 429 with Retry-After 7 for one push: status %s, due %v, want pending, due %v", m.Status, m.AvailableAt, at)
		}
		for i, want := range []int{1, 0, 1} {
			if got := len(e.srv.Messages(subs[i])); got != want {
				t.Fatalf("device %d received %d pushes before the retry, want %d", i, got, want)
			}
		}
		e.clock.Advance(7 * time.Second)
		e.drain()
		if m := e.pushMessages()[0]; m.Status != outbox.StatusDone {
			t.Fatalf("after the retry the message is %s", m.Status)
		}
		for i, id := range who {
			ds := e.deliveries(id)
			attempts := 1 + i%2 // the second device's push was tried twice
			if n := len(e.srv.Messages(subs[i])); n != 1 || len(ds) != 1 || ds[0].State != StateDelivered || ds[0].Attempts != attempts {
				t.Fatalf("device %d: %d pushes received, deliveries %+v; want one, delivered after %d attempts", i, n, ds, attempts)
			}
		}
		e.noRejections()
	})
}

// A push message enqueued before a message carried several pushes holds one PushJob; one may
// still wait in the outbox after an upgrade (quiet hours, a retry), and it is sent as before.
func TestAPushMessageOfTheEarlierShapeIsSent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		who := e.citizen(adult)
		sub, dev := e.device(who)
		now := store.UTC(e.clock.Now())
		d := Delivery{ID: store.NewID(), CitizenID: who, SubscriptionID: &dev.ID, Channel: "push", Category: "cases",
			Title: "Ny oppdatering", State: StatePending, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(&d).Exec(e.ctx); err != nil {
			t.Fatal(err)
		}
		job := PushJob{DeliveryID: d.ID, DeviceID: dev.ID, TTL: 3600, Urgency: push.UrgencyNormal,
			Payload: push.Payload{Title: d.Title, Category: "case", ID: d.ID, URL: "/cases"}}
		if _, err := outbox.Enqueue(e.ctx, db, outbox.TopicPush, job, now, outbox.Options{}); err != nil {
			t.Fatal(err)
		}
		e.drain()
		got := e.srv.Messages(sub)
		if len(got) != 1 {
			t.Fatalf("%d pushes received, want 1", len(got))
		}
		var p push.Payload
		if err := got[0].Decode(&p); err != nil || p.ID != d.ID || p.Title != d.Title {
			t.Fatalf("payload %+v (%v), want the delivery's id and title", p, err)
		}
		if ds := e.deliveries(who); len(ds) != 1 || ds[0].State != StateDelivered {
			t.Fatalf("deliveries %+v", ds)
		}
	})
}
