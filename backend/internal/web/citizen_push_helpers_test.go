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

func insertPushCase(t *testing.T, p *apptest.Portal, citizenID, agencyID string) string {
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

// runOutbox lets the portal's own outbox worker send to the fake push service: its TopicPush
// handler is replaced by one whose client trusts the fake's certificate (the portal's trusts only
// public CAs), then the worker is woken.
func runOutbox(t *testing.T, p *apptest.Portal, srv *pushtest.Server) {
	t.Helper()
	subject, _ := push.ParseSubject(p.App.Config.VAPIDSubject)
	sender, err := push.NewSender(p.App.Notify.Keys, subject, p.App.Notify.Allow, srv.Client(5*time.Second), push.SenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := notify.NewPusher(p.DB, sender, notify.PusherOptions{Now: p.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p.App.Outbox.Register(outbox.TopicPush, pusher.HandlePush)
	p.App.Outbox.Notify()
}

// waitDelivered waits until the worker has recorded the citizen's push deliveries as delivered.
func waitDelivered(t *testing.T, p *apptest.Portal, citizenID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n, err := p.DB.NewSelect().Model((*notify.Delivery)(nil)).Where("citizen_id = ? AND state <> ?", citizenID, notify.StateDelivered).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("deliveries not recorded as delivered within 10 s")
}
