package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/i18n"
	"minside/backend/internal/outbox"
	"minside/backend/internal/pid"
	"minside/backend/internal/push"
	"minside/backend/internal/represent"
	"minside/backend/internal/store"
)

// Translator renders a message id in a language; the i18n bundle implements it.
type Translator interface {
	Translate(lang, id string, data map[string]any) string
}

// PushJob is the payload of one outbox.TopicPush message: one push to one device.
type PushJob struct {
	DeliveryID string       `json:"deliveryId"`
	DeviceID   string       `json:"deviceId"`
	Payload    push.Payload `json:"payload"` // encoded at send time, so a 413 can shrink it
	TTL        int          `json:"ttl"`     // seconds
	Urgency    push.Urgency `json:"urgency"`
	Topic      string       `json:"topic"`
}

// Notifier is the handler of outbox.TopicNotify: it turns "something happened" into one pending
// delivery and one TopicPush message per device of every recipient, in one transaction, after
// applying each recipient's channels, quiet hours and language.
type Notifier struct {
	db    *store.DB
	prefs *Preferences
	tr    Translator
	log   *slog.Logger
	now   func() time.Time
}

// NewNotifier builds the fan-out. now may be nil (time.Now).
func NewNotifier(db *store.DB, prefs *Preferences, tr Translator, log *slog.Logger, now func() time.Time) *Notifier {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{db: db, prefs: prefs, tr: tr, log: log, now: now}
}

// FanOutStats counts what one event produced, for tests and logs.
type FanOutStats struct {
	Recipients int
	Pushes     int
	Delayed    int // held back by quiet hours
	InApp      int
}

// HandleNotify is the outbox handler of TopicNotify.
func (n *Notifier) HandleNotify(ctx context.Context, m outbox.Message) handlerResult {
	var ev outbox.NotifyEvent
	if err := json.Unmarshal(m.Payload, &ev); err != nil {
		return dead("notify: undecodable event")
	}
	if _, err := n.FanOut(ctx, m.ID, ev); err != nil {
		return retry(0, err.Error())
	}
	return done()
}

// HandleNotifyBatch is the outbox batch handler of TopicNotify: it fans out up to parallel chunks
// of the batch at once, each chunk in one transaction (one commit for many events instead of one
// each). If a chunk fails, its events are fanned out one transaction each, so one bad event
// cannot hold back the others.
func (n *Notifier) HandleNotifyBatch(ctx context.Context, msgs []outbox.Message, parallel int) []handlerResult {
	results := make([]handlerResult, len(msgs))
	events := make([]outbox.NotifyEvent, len(msgs))
	var todo []int
	for i, m := range msgs {
		if err := json.Unmarshal(m.Payload, &events[i]); err != nil {
			results[i] = dead("notify: undecodable event")
			continue
		}
		todo = append(todo, i)
	}
	if ctx.Err() != nil { // the worker is stopping: hand the batch back
		for _, i := range todo {
			results[i] = outbox.NotStarted()
		}
		return results
	}
	ctx = context.WithoutCancel(ctx) // what starts, finishes
	size := max((len(todo)+parallel-1)/max(parallel, 1), 1)
	var wg sync.WaitGroup
	for start := 0; start < len(todo); start += size {
		chunk := todo[start:min(start+size, len(todo))]
		wg.Go(func() {
			now := store.UTC(n.now())
			err := n.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				for _, i := range chunk {
					if _, err := n.fanOut(ctx, tx, msgs[i].ID, events[i], now); err != nil {
						return err
					}
				}
				return nil
			})
			for _, i := range chunk {
				if err == nil {
					results[i] = done()
				} else if _, err := n.FanOut(ctx, msgs[i].ID, events[i]); err != nil {
					results[i] = retry(0, err.Error())
				} else {
					results[i] = done()
				}
			}
		})
	}
	wg.Wait()
	return results
}

// FanOut does the work of one event in its own transaction. msgID (the outbox message id) makes a
// second run of the same message a no-op: each push is enqueued with the dedupe key
// "fanout:<msgID>:<device>".
func (n *Notifier) FanOut(ctx context.Context, msgID int64, ev outbox.NotifyEvent) (FanOutStats, error) {
	var st FanOutStats
	now := store.UTC(n.now())
	err := n.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		st, err = n.fanOut(ctx, tx, msgID, ev, now)
		return err
	})
	return st, err
}

// fanOut does the work of one event in tx.
func (n *Notifier) fanOut(ctx context.Context, tx bun.Tx, msgID int64, ev outbox.NotifyEvent, now time.Time) (FanOutStats, error) {
	var st FanOutStats
	err := func() error {
		a, err := describe(ctx, tx, ev, now)
		if errors.Is(err, errNothingToSay) {
			return nil
		}
		if err != nil {
			return err
		}
		recipients := []string{ev.CitizenID}
		if a.forward {
			reps, err := represent.Access{}.RepresentativesOf(ctx, tx, ev.CitizenID, a.area, now)
			if err != nil {
				return err
			}
			recipients = append(recipients, reps...)
		}
		for i, who := range recipients {
			prefs, err := getPrefs(ctx, tx, who)
			if err != nil {
				return err
			}
			if i > 0 && !prefs.RepresentedNotifications {
				continue
			}
			st.Recipients++
			if err := n.deliver(ctx, tx, msgID, who, i == 0, a, prefs, now, &st); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return st, fmt.Errorf("notify: fan out %s/%s: %w", ev.Kind, ev.Reason, err)
	}
	return st, nil
}

// deliver writes one recipient's deliveries and push messages.
func (n *Notifier) deliver(ctx context.Context, tx bun.Tx, msgID int64, who string, own bool, a about, prefs Prefs, now time.Time, st *FanOutStats) error {
	lang := prefs.Language
	if lang == "" {
		lang = i18n.Source
	}
	agencyName := a.agency
	if agencyName == "" {
		agencyName = "Min side" // a notice from the portal itself
	}
	title := n.tr.Translate(lang, a.titleKey, map[string]any{"Agency": agencyName})
	ch := prefs.Channels[a.category]

	// In-app: the notifications row is the inbox; log it once, for its own citizen only.
	if own && a.notifID != nil && ch.InApp {
		exists, err := tx.NewSelect().Model((*Delivery)(nil)).
			Where("notification_id = ? AND channel = ? AND citizen_id = ?", *a.notifID, "in_app", who).Exists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			d := &Delivery{ID: store.NewID(), CitizenID: who, NotificationID: a.notifID, Channel: "in_app",
				Category: a.category, Title: title, State: StateDelivered, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
				return err
			}
			st.InApp++
		}
	}
	if !ch.Push {
		return nil
	}
	at := now
	if !a.urgent {
		if end, quiet := prefs.QuietHours.QuietUntil(now, n.prefs.Location()); quiet {
			at = end
			st.Delayed++
		}
	}
	urgency := push.UrgencyNormal
	if a.urgent {
		urgency = push.UrgencyHigh
	}
	var devices []Device
	if err := tx.NewSelect().Model(&devices).Column("id").Where("citizen_id = ?", who).Scan(ctx); err != nil {
		return err
	}
	for _, dev := range devices {
		d := &Delivery{ID: pushableID(), CitizenID: who, NotificationID: a.notifID, SubscriptionID: &dev.ID,
			Channel: "push", Category: a.category, Title: title, State: StatePending, CreatedAt: now, UpdatedAt: now}
		job := PushJob{DeliveryID: d.ID, DeviceID: dev.ID, TTL: int(a.ttl / time.Second), Urgency: urgency,
			Topic: push.TopicFor(a.id), // a newer message about the object replaces an undelivered one
			// The payload's id is the delivery's: opaque, and the service worker's notification tag,
			// so an at-least-once duplicate replaces rather than adds a notification.
			Payload: push.Payload{Title: title, Category: a.payloadKind, ID: d.ID, URL: pushableLink(a.link), Urgent: a.urgent}}
		added, err := outbox.Enqueue(ctx, tx, outbox.TopicPush, job, now,
			outbox.Options{DedupeKey: "fanout:" + strconv.FormatInt(msgID, 10) + ":" + dev.ID, At: at})
		if err != nil {
			return err
		}
		if !added {
			continue // this event already fanned out to this device
		}
		if _, err := tx.NewInsert().Model(d).Exec(ctx); err != nil {
			return err
		}
		st.Pushes++
	}
	return nil
}

// push.Payload refuses any run of 11 digits (a national identity number must never reach a lock
// screen), and about 1 % of UUIDs end in such a run. Delivery ids are ours: draw until it is clean.
func pushableID() string {
	for {
		if id := store.NewID(); !pid.HasDigitRun(id) {
			return id
		}
	}
}

// pushableLink is the deep link, or the list it belongs to when the object's id happens to hold
// 11 digits in a row: the citizen lands one tap away instead of the push being refused.
func pushableLink(link string) string {
	if !pid.HasDigitRun(link) {
		return link
	}
	if i := strings.LastIndexByte(link, '/'); i > 0 {
		return link[:i]
	}
	return "/"
}
