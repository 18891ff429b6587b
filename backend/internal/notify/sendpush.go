package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uptrace/bun"

	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
)

// Delivery states as the citizen sees them in "what we sent you".
const (
	StatePending   = "pending"   // waiting (quiet hours) or being retried
	StateDelivered = "delivered" // the push service (or the in-app inbox) has it
	StateGone      = "gone"      // the browser unsubscribed; the device was forgotten
	StateFailed    = "failed"    // the push service refused us; the operator is alerted
	StateDropped   = "dropped"   // could not be sent (too large, device forgotten meanwhile)
)

// shortTitleRunes is the title length of the second try after a 413.
const shortTitleRunes = 24

// PusherOptions tune a Pusher; the zero value is right for production.
type PusherOptions struct {
	// Backoff is the delay before retry number attempt when the push service gave no
	// Retry-After (default push.Backoff with the process-wide random source).
	Backoff func(attempt int) time.Duration
	// Registry receives minside_push_alerts_total and minside_push_sends_total; nil keeps none.
	Registry prometheus.Registerer
	Log      *slog.Logger
	Now      func() time.Time
}

// Pusher is the handler of outbox.TopicPush: it sends one message to one device with the shared
// Sender and records the outcome on the delivery and the device.
type Pusher struct {
	db     *store.DB
	sender *push.Sender
	opts   PusherOptions
	alerts *prometheus.CounterVec
	sends  *prometheus.CounterVec
}

// NewPusher takes the database and the process's one Sender.
func NewPusher(db *store.DB, sender *push.Sender, opts PusherOptions) (*Pusher, error) {
	if opts.Backoff == nil {
		opts.Backoff = func(attempt int) time.Duration { return push.Backoff(attempt, nil) }
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Pusher{db: db, sender: sender, opts: opts,
		alerts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minside_push_alerts_total",
			Help: "Pushes a push service refused with 400/401/403 (VAPID keys, subject or request format wrong): needs an operator.",
		}, []string{"status"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minside_push_sends_total",
			Help: "Push sends by outcome (delivered, gone, too_large, retry, alert, invalid).",
		}, []string{"outcome"}),
	}
	if opts.Registry != nil {
		for _, c := range []prometheus.Collector{p.alerts, p.sends} {
			if err := opts.Registry.Register(c); err != nil {
				return nil, fmt.Errorf("notify: register push metrics: %w", err)
			}
		}
	}
	return p, nil
}

// HandlePush is the outbox handler of TopicPush. A message whose delivery is no longer pending
// (a second run after a crash) is done without sending again.
func (p *Pusher) HandlePush(ctx context.Context, m outbox.Message) handlerResult {
	var job PushJob
	if err := json.Unmarshal(m.Payload, &job); err != nil {
		return dead("push: undecodable job")
	}
	// One query for the delivery's state and the device: this runs once per push.
	var row struct {
		State    string  `bun:"state"`
		DeviceID *string `bun:"device_id"`
		Endpoint *string `bun:"endpoint"`
		P256dh   *string `bun:"p256dh"`
		Auth     *string `bun:"auth"`
	}
	err := p.db.NewRaw(`SELECT d.state, s.id AS device_id, s.endpoint, s.p256dh, s.auth FROM deliveries d
LEFT JOIN push_subscriptions s ON s.id = ? WHERE d.id = ?`, job.DeviceID, job.DeliveryID).Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && row.State != StatePending) {
		return done() // the citizen was deleted, or this delivery already has its outcome
	}
	if err != nil {
		return retry(0, "push: load delivery: "+err.Error())
	}
	d := Delivery{ID: job.DeliveryID}
	if row.DeviceID == nil {
		return p.finish(ctx, d, StateDropped, nil, false, done()) // forgotten meanwhile
	}
	dev := Device{ID: *row.DeviceID, Endpoint: *row.Endpoint, P256dh: *row.P256dh, Auth: *row.Auth}
	sub := push.Subscription{Endpoint: dev.Endpoint, P256dh: dev.P256dh, Auth: dev.Auth}
	res := p.send(ctx, sub, job, job.Payload)
	if res.Outcome == push.TooLarge {
		// Shrink once: a shorter title; the PWA fetches the rest after opening.
		short := job.Payload
		if r := []rune(short.Title); len(r) > shortTitleRunes {
			short.Title = string(r[:shortTitleRunes]) + "…"
		}
		res = p.send(ctx, sub, job, short)
	}
	p.sends.WithLabelValues(res.Outcome.String()).Inc()
	host := endpointHost(dev.Endpoint)
	switch res.Outcome {
	case push.Delivered:
		return p.finish(ctx, d, StateDelivered, &dev, false, done())
	case push.Gone:
		return p.finish(ctx, d, StateGone, &dev, true, done())
	case push.TooLarge:
		p.opts.Log.Warn("push: dropped a message too large even when shortened", "host", host, "delivery", d.ID)
		return p.finish(ctx, d, StateDropped, nil, false, done())
	case push.Retry:
		after := res.RetryAfter
		if after <= 0 {
			after = p.opts.Backoff(max(m.Attempts, 1))
		}
		if err := p.attempted(ctx, d.ID, dev.ID); err != nil {
			return retry(0, err.Error())
		}
		return retry(after, "push service answered "+statusText(res.Status))
	case push.Alert:
		status := strconv.Itoa(res.Status)
		p.alerts.WithLabelValues(status).Inc()
		p.opts.Log.Error("push: the push service refused our request; check the VAPID keys and subject",
			"status", res.Status, "reason", res.Reason, "host", host, "delivery", d.ID)
		return p.finish(ctx, d, StateFailed, nil, false, dead("push service refused us: "+status))
	default: // push.Invalid
		forget := errors.Is(res.Err, push.ErrAddressNotAllowed)
		p.opts.Log.Warn("push: not sent: stored subscription or message unusable", "host", host, "delivery", d.ID, "forget_device", forget)
		if forget {
			return p.finish(ctx, d, StateDropped, &dev, true, done())
		}
		return p.finish(ctx, d, StateDropped, nil, false, dead("push: message or subscription invalid"))
	}
}

func (p *Pusher) send(ctx context.Context, sub push.Subscription, job PushJob, payload push.Payload) push.Result {
	body, err := payload.Encode(push.MaxPayloadBytes)
	if err != nil {
		return push.Result{Outcome: push.Invalid, Err: err}
	}
	return p.sender.Send(ctx, sub, push.Message{Payload: body, TTL: time.Duration(job.TTL) * time.Second,
		Urgency: job.Urgency, Topic: job.Topic})
}

// finish records a final state; with dev set it also marks the device sent (or deletes it when
// forget is true: only this one device, never others).
func (p *Pusher) finish(ctx context.Context, d Delivery, state string, dev *Device, forget bool, r handlerResult) handlerResult {
	now := store.UTC(p.opts.Now())
	// Two statements, not a transaction: they need not be atomic (a lost last_sent_at is cosmetic;
	// deleting a gone device is idempotent), and on SQLite each BEGIN/COMMIT pair costs as much.
	err := func(tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Delivery)(nil)).Set("state = ?", state).
			Set("attempts = attempts + 1").Set("updated_at = ?", now).
			Where("id = ?", d.ID).Where("state = ?", StatePending).Exec(ctx)
		if err != nil || dev == nil {
			return err
		}
		if forget {
			_, err = tx.NewDelete().Model((*Device)(nil)).Where("id = ?", dev.ID).Exec(ctx)
			return err
		}
		_, err = tx.NewUpdate().Model((*Device)(nil)).Set("last_sent_at = ?", now).Set("failures = 0").
			Where("id = ?", dev.ID).Exec(ctx)
		return err
	}(p.db)
	if err != nil {
		// The push itself went out; recording failed. Retrying may send it twice, which beats
		// losing the outcome; the payload's id (the delivery's) is the notification tag, so the
		// browser shows it once.
		return retry(0, "push: record outcome: "+err.Error())
	}
	return r
}

// attempted counts a failed attempt on the delivery and the device.
func (p *Pusher) attempted(ctx context.Context, deliveryID, deviceID string) error {
	now := store.UTC(p.opts.Now())
	return p.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*Delivery)(nil)).Set("attempts = attempts + 1").Set("updated_at = ?", now).
			Where("id = ?", deliveryID).Exec(ctx); err != nil {
			return fmt.Errorf("push: count attempt: %w", err)
		}
		_, err := tx.NewUpdate().Model((*Device)(nil)).Set("failures = failures + 1").Where("id = ?", deviceID).Exec(ctx)
		return err
	})
}

func endpointHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}

func statusText(status int) string {
	if status == 0 {
		return "nothing (network error)"
	}
	return strconv.Itoa(status)
}
