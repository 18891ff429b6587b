package app

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"minside/backend/internal/config"
	"minside/backend/internal/doors"
	"minside/backend/internal/outbox"
	"minside/backend/internal/webhook"
)

// newDelivery builds the outbox worker with the webhook handler, the janitor, and the door
// service on the simulated lock. Other topics' handlers (push, notify) are registered on a.Outbox
// by their own wiring before Run.
func (a *App) newDelivery(cfg config.Config, log *slog.Logger) error {
	metrics := outbox.NewMetrics(a.Registry)
	a.Webhooks = webhook.NewSender(a.DB, webhook.SenderOptions{
		Client:   webhook.NewClient(cfg.WebhookAllowPrivate, 10*time.Second),
		Registry: a.Registry,
		Log:      log,
		Now:      a.Now,
	})
	a.Outbox = outbox.NewWorker(a.DB, map[string]outbox.Handler{outbox.TopicWebhook: a.Webhooks.Handle},
		outbox.WorkerOptions{Metrics: metrics, Log: log, Now: a.Now})
	a.Janitor = outbox.NewJanitor(a.DB, outbox.JanitorOptions{Metrics: metrics, Log: log, Now: a.Now})

	key := []byte(cfg.DoorTokenKey)
	if len(key) == 0 && cfg.Dev() {
		// A dev configuration built without FillDevSecrets (tests): door tokens live a minute,
		// so a key that dies with the process loses nothing.
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return fmt.Errorf("app: door token key: %w", err)
		}
	}
	issuer, err := doors.NewIssuer(key, 30*time.Second)
	if err != nil {
		return fmt.Errorf("app: %w (MINSIDE_DOOR_TOKEN_KEY)", err)
	}
	a.Lock = doors.NewSimulatedLock(a.DB, key, a.Now)
	a.Doors = doors.NewService(a.DB, issuer, a.Lock, log, 10*time.Second)
	return nil
}
