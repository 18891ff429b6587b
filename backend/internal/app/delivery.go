package app

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"minside/backend/internal/config"
	"minside/backend/internal/doors"
	"minside/backend/internal/outbox"
	"minside/backend/internal/webhook"
)

// doorAdapterBudget bounds one call to a lock adapter: the citizen at the door waits this long at
// most before hearing that the door is unavailable.
const doorAdapterBudget = 5 * time.Second

// WithLockClient replaces the HTTP client that reaches lock adapters (tests: one that trusts the
// test adapter's self-signed certificate).
func WithLockClient(c *http.Client) Option { return func(o *options) { o.lockClient = c } }

// newDelivery builds the outbox worker with the webhook handler, the janitor, and the door
// service on the facilities' lock adapters (the simulated lock stands in, in development only,
// where a facility has none). Other topics' handlers (push, notify) are registered on a.Outbox
// by their own wiring before Run.
func (a *App) newDelivery(cfg config.Config, log *slog.Logger, lockClient *http.Client) error {
	metrics := outbox.NewMetrics(a.Registry)
	a.Webhooks = webhook.NewSender(a.Work, webhook.SenderOptions{
		Client:   webhook.NewClient(cfg.WebhookAllowPrivate, 10*time.Second),
		Registry: a.Registry,
		Log:      log,
		Now:      a.Now,
	})
	a.Outbox = outbox.NewWorker(a.Work, map[string]outbox.Handler{outbox.TopicWebhook: a.Webhooks.Handle},
		outbox.WorkerOptions{Batch: cfg.OutboxBatch, Concurrency: cfg.OutboxConcurrency, Metrics: metrics, Log: log, Now: a.Now})
	a.Janitor = outbox.NewJanitor(a.Work, outbox.JanitorOptions{Metrics: metrics, Log: log, Now: a.Now,
		KeepAudit: cfg.AuditRetention, KeepKeyUses: cfg.KeyUseRetention, KeepDeliveries: cfg.DeliveryRetention})

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
	a.DoorTokens = issuer
	a.Lock = doors.NewSimulatedLock(a.DB, issuer.PublicKey(), a.Now)
	var fallback doors.Adapter
	if cfg.Dev() {
		fallback = a.Lock
	}
	if lockClient == nil {
		// The same egress rule as webhooks: an adapter URL must not be a way into the operator's
		// network unless MINSIDE_WEBHOOK_ALLOW_PRIVATE says the agencies live there.
		lockClient = webhook.NewClient(cfg.WebhookAllowPrivate, doorAdapterBudget)
	}
	a.Locks = doors.NewLocks(a.DB, lockClient, fallback)
	a.LockPoller = doors.NewPoller(a.Work, lockClient, log, a.Now, doors.DefaultPollInterval)
	a.Doors = doors.NewService(a.DB, issuer, a.Locks, log, doorAdapterBudget)
	return nil
}
