package web_test

import (
	"context"
	"testing"
	"time"

	"minside/backend/internal/app/apptest"
	"minside/backend/internal/cases"
	"minside/backend/internal/notify"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
)

func insertCase(t *testing.T, p *apptest.Portal, citizenID, agencyID string) string {
	t.Helper()
	now := store.UTC(p.Clock.Now())
	c := &cases.Case{ID: store.NewID(), AgencyID: agencyID, ExternalID: store.NewID(), Version: 1, CitizenID: citizenID,
		Status: cases.StatusAwaitingCitizen, CreatedAt: now, UpdatedAt: now}
	if _, err := p.DB.NewInsert().Model(c).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// enqueueNotify writes the TopicNotify event the agency API writes with a change.
func enqueueNotify(t *testing.T, p *apptest.Portal, citizenID, kind, objectID, reason string) {
	t.Helper()
	ev := outbox.NotifyEvent{CitizenID: citizenID, Kind: kind, ObjectID: objectID, Reason: reason}
	if _, err := outbox.Enqueue(context.Background(), p.DB, outbox.TopicNotify, ev, p.Clock.Now(), outbox.Options{}); err != nil {
		t.Fatal(err)
	}
}

// runOutbox runs the due notify and push messages through the portal's Notifier and a Pusher
// whose client trusts the fake push service (the portal's own trusts only public CAs).
func runOutbox(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
	t.Helper()
	ctx := context.Background()
	subject, _ := push.ParseSubject(p.App.Config.VAPIDSubject)
	sender, err := push.NewSender(p.App.Notify.Keys, subject, p.App.Notify.Allow, srv.Client(5*time.Second), push.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := notify.NewPusher(p.DB, sender, notify.PusherOptions{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{outbox.TopicNotify, outbox.TopicPush} {
		var msgs []outbox.Message
		if err := p.DB.NewSelect().Model(&msgs).Where("topic = ? AND status = ?", topic, outbox.StatusPending).
			Where("available_at <= ?", store.UTC(p.Clock.Now())).Order("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			var outcome string
			if topic == outbox.TopicNotify {
				outcome = p.App.Notify.Notifier.HandleNotify(ctx, m).Outcome
			} else {
				outcome = pusher.HandlePush(ctx, m).Outcome
			}
			if outcome != "done" {
				t.Fatalf("%s message %d: %s", topic, m.ID, outcome)
			}
			if _, err := p.DB.NewUpdate().Model((*outbox.Message)(nil)).Set("status = ?", outbox.StatusDone).Where("id = ?", m.ID).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
}
