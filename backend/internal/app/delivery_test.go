package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/agency"
	"minside/backend/internal/app/apptest"
	"minside/backend/internal/config"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

var allowLoopback = apptest.WithConfig(func(c *config.Config) { c.WebhookAllowPrivate = true })

// TestRunningPortalDeliversWebhooks checks the wiring: a webhook enqueued in a transaction reaches
// the agency, signed, through the portal's own outbox worker.
func TestRunningPortalDeliversWebhooks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, p *apptest.Portal) {
		got := enqueueWebhook(t, p, p.DB)
		p.App.Outbox.Notify()
		awaitWebhook(t, got)
	}, allowLoopback)
}

// enqueueWebhook makes an agency with a receiver that checks each delivery's signature, and
// enqueues one event for it through db; the returned channel gets what the receiver verified.
func enqueueWebhook(t *testing.T, p *apptest.Portal, db bun.IDB) <-chan webhook.Event {
	t.Helper()
	ctx := context.Background()
	secret, err := webhook.GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan webhook.Event, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header, body, webhook.DefaultTolerance); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var ev webhook.Event
		_ = json.Unmarshal(body, &ev)
		got <- ev
	}))
	t.Cleanup(rcv.Close)
	url := rcv.URL + "/hooks"
	now := store.UTC(p.Clock.Now())
	ag := &agency.Agency{ID: store.NewID(), Slug: "renovasjon", Name: "Renovasjonsetaten", WebhookURL: &url, WebhookSecret: &secret, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(ag).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	data := webhook.BookingCancelled{Booking: "B-1", CancelledAt: now, By: webhook.ActorCitizen}
	if err := webhook.Enqueue(ctx, db, ag.ID, webhook.EventBookingCancelled, data, now); err != nil {
		t.Fatal(err)
	}
	return got
}

func awaitWebhook(t *testing.T, got <-chan webhook.Event) {
	t.Helper()
	select {
	case ev := <-got:
		if ev.Type != webhook.EventBookingCancelled || ev.Agency != "renovasjon" {
			t.Fatalf("event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the webhook never arrived")
	}
}
