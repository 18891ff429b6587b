package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/config"
	"minside/backend/internal/store"
	"minside/backend/internal/webhook"
)

// TestRunningAppDeliversWebhooks starts the whole portal and checks that a webhook enqueued in a
// transaction reaches the agency, signed, through the wired worker, and that Run stops cleanly.
func TestRunningAppDeliversWebhooks(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = "sqlite:" + filepath.Join(cfg.DataDir, "minside.db")
	cfg.SeedDemo = false
	cfg.WebhookAllowPrivate = true
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := New(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	secret, _ := webhook.GenerateSecret()
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
	defer rcv.Close()
	url := rcv.URL + "/hooks"
	now := store.UTC(time.Now())
	ag := &agency.Agency{ID: store.NewID(), Slug: "renovasjon", Name: "Renovasjonsetaten", WebhookURL: &url, WebhookSecret: &secret, CreatedAt: now, UpdatedAt: now}
	if _, err := a.DB.NewInsert().Model(ag).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, ln) }()

	data := webhook.BookingCancelled{Booking: "B-1", CancelledAt: now, By: webhook.ActorCitizen}
	if err := webhook.Enqueue(ctx, a.DB, ag.ID, webhook.EventBookingCancelled, data, now); err != nil {
		t.Fatal(err)
	}
	a.Outbox.Notify()
	select {
	case ev := <-got:
		if ev.Type != webhook.EventBookingCancelled || ev.Agency != "renovasjon" {
			t.Fatalf("event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the webhook never arrived")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}
