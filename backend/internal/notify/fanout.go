package notify

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
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

// PushJob is one push to one device.
type PushJob struct {
	DeliveryID string       `json:"deliveryId"`
	DeviceID   string       `json:"deviceId"`
	Payload    push.Payload `json:"payload"` // encoded at send time, so a 413 can shrink it
	TTL        int          `json:"ttl"`     // seconds
	Urgency    push.Urgency `json:"urgency"`
	Topic      string       `json:"topic"`
}

// pushMessage is the payload of one outbox.TopicPush message: the pushes of one fan-out chunk that
// are due at the same time, at most maxPushesPerMessage. One message per device cost the outbox
// three writes per push (enqueued, claimed, finished), half of all its rows during a burst.
type pushMessage struct {
	Pushes []PushJob `json:"pushes"`
}

// maxPushesPerMessage bounds a message's pushes, and with the worker's batch size the pushes of
// one claim (by default 200 messages, at most 12,800 pushes, 16 at a time): a send waits at most
// the push client's timeout, and a message with pushes not started when the batch's time is up is
// retried (outbox.Combine) and sends only those.
const maxPushesPerMessage = 64

// decodePushMessage reads a TopicPush payload: the pushes of a chunk, or the single PushJob a
// message held before chunks did (one may still wait in the outbox after an upgrade, held back by
// quiet hours or retried).
func decodePushMessage(payload []byte) ([]PushJob, error) {
	var m struct {
		pushMessage
		PushJob
	}
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, err
	}
	if len(m.Pushes) > 0 {
		return m.Pushes, nil
	}
	if m.DeliveryID != "" {
		return []PushJob{m.PushJob}, nil
	}
	return nil, errors.New("notify: a push message without pushes")
}

// Notifier is the handler of outbox.TopicNotify: it turns "something happened" into one pending
// delivery per device of every recipient and the TopicPush messages that carry them, in one
// transaction, after applying each recipient's channels, quiet hours and language.
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
	if _, err := n.FanOut(ctx, m.ID, m.CreatedAt, ev); err != nil {
		return retry(0, err.Error())
	}
	return done()
}

// HandleNotifyBatch is the outbox batch handler of TopicNotify: it fans out the whole batch in
// one transaction with a few statements for all of it (see fanOutAll). If that fails, the events
// are fanned out one transaction each, so one bad event cannot hold back the others.
//
// The batch is not split to run on several connections at once: the statements are per
// transaction, and on two cores four transactions of 16 events each moved 2,100–2,300 devices/s
// where one of 50 moved 3,000 (notify's BenchmarkNotifyDevices, 20,000 devices, PostgreSQL).
func (n *Notifier) HandleNotifyBatch(ctx context.Context, msgs []outbox.Message, _ int) []handlerResult {
	results := make([]handlerResult, len(msgs))
	var todo []fanEvent
	var at []int // todo[k] is msgs[at[k]]
	for i, m := range msgs {
		var ev outbox.NotifyEvent
		if err := json.Unmarshal(m.Payload, &ev); err != nil {
			results[i] = dead("notify: undecodable event")
			continue
		}
		todo, at = append(todo, fanEvent{msgID: m.ID, enqueued: m.CreatedAt, ev: ev}), append(at, i)
	}
	if len(todo) == 0 {
		return results
	}
	if ctx.Err() != nil { // the worker is stopping: hand the batch back
		for _, i := range at {
			results[i] = outbox.NotStarted()
		}
		return results
	}
	ctx = context.WithoutCancel(ctx) // what starts, finishes
	err := n.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		_, err := n.fanOutAll(ctx, tx, todo, now)
		return err
	})
	for k, e := range todo {
		results[at[k]] = done()
		if err != nil {
			if _, err := n.FanOut(ctx, e.msgID, e.enqueued, e.ev); err != nil {
				results[at[k]] = retry(0, err.Error())
			}
		}
	}
	return results
}

// fanEvent is one TopicNotify message to fan out: its outbox id (the dedupe key of its pushes)
// and its event.
type fanEvent struct {
	msgID    int64
	enqueued time.Time // the message's created_at: the time part of its push deliveries' ids
	ev       outbox.NotifyEvent
}

// FanOut does the work of one event in its own transaction. msgID (the outbox message id) makes a
// second run of the same message a no-op: each push delivery's id is derived from it, the time the
// message was enqueued and the device (pushDeliveryID), and only the deliveries that were new are
// pushed.
func (n *Notifier) FanOut(ctx context.Context, msgID int64, enqueued time.Time, ev outbox.NotifyEvent) (FanOutStats, error) {
	var st []FanOutStats
	err := n.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		var err error
		st, err = n.fanOutAll(ctx, tx, []fanEvent{{msgID: msgID, enqueued: enqueued, ev: ev}}, now)
		return err
	})
	if err != nil {
		return FanOutStats{}, err
	}
	return st[0], nil
}

func (n *Notifier) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx, now time.Time) error) error {
	now := store.UTC(n.now())
	return n.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx, now) })
}

// fanOutPlan is one event's part of a fan-out: what it is about and who may hear of it, the
// citizen first.
type fanOutPlan struct {
	about      about
	recipients []string
}

// fanOutAll does the work of events in tx with one statement per kind of row for all of them: the
// objects (one per kind of event), the representatives, agency names, preferences and devices, the
// deliveries and the push messages.
func (n *Notifier) fanOutAll(ctx context.Context, tx bun.Tx, events []fanEvent, now time.Time) ([]FanOutStats, error) {
	stats := make([]FanOutStats, len(events))
	evs := make([]outbox.NotifyEvent, len(events))
	for i, e := range events {
		evs[i] = e.ev
	}
	objs, err := loadObjects(ctx, tx, evs)
	if err != nil {
		return nil, fmt.Errorf("notify: fan out %d events: %w", len(events), err)
	}
	plans := make([]*fanOutPlan, len(events))
	var abouts []*about
	var forwarded []string
	for i, ev := range evs {
		a, err := describe(ev, objs, now)
		if errors.Is(err, errNothingToSay) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("notify: fan out %s/%s: %w", ev.Kind, ev.Reason, err)
		}
		plans[i] = &fanOutPlan{about: a, recipients: []string{ev.CitizenID}}
		abouts = append(abouts, &plans[i].about)
		if a.forward {
			forwarded = append(forwarded, ev.CitizenID)
		}
	}
	if len(abouts) == 0 {
		return stats, nil
	}
	reps, err := represent.Access{}.RepresentativesOfAll(ctx, tx, forwarded, now)
	if err != nil {
		return nil, fmt.Errorf("notify: fan out %d events: %w", len(events), err)
	}
	var people []string
	for i, plan := range plans {
		if plan == nil {
			continue
		}
		if plan.about.forward {
			plan.recipients = append(plan.recipients, reps.Of(evs[i].CitizenID, plan.about.area)...)
		}
		people = append(people, plan.recipients...)
	}
	if err := n.fanOutWrite(ctx, tx, events, plans, abouts, people, now, stats); err != nil {
		return nil, fmt.Errorf("notify: fan out %d events: %w", len(events), err)
	}
	return stats, nil
}

// fanOutWrite loads what the planned recipients chose and own, and writes their deliveries and
// push messages.
func (n *Notifier) fanOutWrite(ctx context.Context, tx bun.Tx, events []fanEvent, plans []*fanOutPlan, abouts []*about, people []string, now time.Time, stats []FanOutStats) error {
	if err := agencyNames(ctx, tx, abouts); err != nil {
		return err
	}
	prefs, err := prefsOfAll(ctx, tx, people)
	if err != nil {
		return err
	}
	var devices []Device
	if err := tx.NewSelect().Model(&devices).Column("id", "citizen_id").Where("citizen_id IN (?)", bun.In(people)).
		Order("citizen_id", "id").Scan(ctx); err != nil {
		return fmt.Errorf("load devices: %w", err)
	}
	devicesOf := map[string][]string{}
	for _, d := range devices {
		devicesOf[d.CitizenID] = append(devicesOf[d.CitizenID], d.ID)
	}
	inApp, err := inAppLogged(ctx, tx, abouts)
	if err != nil {
		return err
	}
	w := fanOutWriter{n: n, now: now, stats: stats, inApp: inApp, planned: map[string]bool{}}
	for i, plan := range plans {
		if plan == nil {
			continue
		}
		for k, who := range plan.recipients {
			p := prefs[who]
			if k > 0 && !p.RepresentedNotifications {
				continue
			}
			stats[i].Recipients++
			if err := w.deliver(i, events[i], who, k == 0, plan.about, p, devicesOf[who]); err != nil {
				return err
			}
		}
	}
	return w.write(ctx, tx)
}

// inAppLogged is the set of "notification/citizen" pairs that already have their in-app delivery.
func inAppLogged(ctx context.Context, tx bun.Tx, abouts []*about) (map[string]bool, error) {
	var ids []string
	for _, a := range abouts {
		if a.notifID != nil {
			ids = append(ids, *a.notifID)
		}
	}
	logged := map[string]bool{}
	if len(ids) == 0 {
		return logged, nil
	}
	var rows []Delivery
	if err := tx.NewSelect().Model(&rows).Column("notification_id", "citizen_id").
		Where("notification_id IN (?) AND channel = ?", bun.In(ids), "in_app").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load in-app deliveries: %w", err)
	}
	for _, d := range rows {
		logged[*d.NotificationID+"/"+d.CitizenID] = true
	}
	return logged, nil
}

// fanOutWriter gathers the rows of a fan-out to write them in one statement per table.
type fanOutWriter struct {
	n         *Notifier
	now       time.Time
	stats     []FanOutStats   // per event
	inApp     map[string]bool // notification/citizen pairs with an in-app delivery
	inAppRows []Delivery      // new in-app deliveries
	pushes    []plannedPush
	planned   map[string]bool // ids of the push deliveries planned so far
}

// plannedPush is one push to one device, with its delivery, when it is due and its event.
type plannedPush struct {
	delivery Delivery
	job      PushJob
	at       time.Time
	event    int
}

// deliver plans one recipient's in-app delivery and pushes for event i.
func (w *fanOutWriter) deliver(i int, e fanEvent, who string, own bool, a about, prefs Prefs, devices []string) error {
	st := &w.stats[i]
	lang := prefs.Language
	if lang == "" {
		lang = i18n.Source
	}
	agencyName := a.agency
	if agencyName == "" {
		agencyName = "Min side" // a notice from the portal itself
	}
	title := w.n.tr.Translate(lang, a.titleKey, map[string]any{"Agency": agencyName})
	ch := prefs.Channels[a.category]
	now := w.now

	// In-app: the notifications row is the inbox; log it once, for its own citizen only.
	if own && a.notifID != nil && ch.InApp && !w.inApp[*a.notifID+"/"+who] {
		w.inApp[*a.notifID+"/"+who] = true
		w.inAppRows = append(w.inAppRows, Delivery{ID: store.NewID(), CitizenID: who, NotificationID: a.notifID,
			Channel: "in_app", Category: a.category, Title: title, State: StateDelivered, CreatedAt: now, UpdatedAt: now})
		st.InApp++
	}
	if !ch.Push || len(devices) == 0 {
		return nil
	}
	at := now
	if !a.urgent {
		if end, quiet := prefs.QuietHours.QuietUntil(now, w.n.prefs.Location()); quiet {
			at = end
			st.Delayed++
		}
	}
	urgency := push.UrgencyNormal
	if a.urgent {
		urgency = push.UrgencyHigh
	}
	for _, dev := range devices {
		d := Delivery{ID: pushDeliveryID(e.msgID, e.enqueued, dev), CitizenID: who, NotificationID: a.notifID, SubscriptionID: &dev,
			Channel: "push", Category: a.category, Title: title, State: StatePending, CreatedAt: now, UpdatedAt: now}
		if w.planned[d.ID] {
			continue // the same device reached twice by one event (a citizen who represents themselves)
		}
		w.planned[d.ID] = true
		job := PushJob{DeliveryID: d.ID, DeviceID: dev, TTL: int(a.ttl / time.Second), Urgency: urgency,
			Topic: push.TopicFor(a.id), // a newer message about the object replaces an undelivered one
			// The payload's id is the delivery's: opaque, and the service worker's notification tag,
			// so an at-least-once duplicate replaces rather than adds a notification.
			Payload: push.Payload{Title: title, Category: a.payloadKind, ID: d.ID, URL: pushableLink(a.link), Urgent: a.urgent}}
		w.pushes = append(w.pushes, plannedPush{delivery: d, job: job, at: at, event: i})
	}
	return nil
}

// write inserts the deliveries, then enqueues the pushes of the ones that were new (a second run
// of an event adds none: its push deliveries' ids exist already) in messages of the pushes due at
// the same time, and counts the pushes.
func (w *fanOutWriter) write(ctx context.Context, tx bun.Tx) error {
	rows := w.inAppRows
	for _, p := range w.pushes {
		rows = append(rows, p.delivery)
	}
	if len(rows) == 0 {
		return nil
	}
	var added []string
	if _, err := tx.NewInsert().Model(&rows).On("CONFLICT (id) DO NOTHING").Returning("id").Exec(ctx, &added); err != nil {
		return fmt.Errorf("insert deliveries: %w", err)
	}
	isNew := make(map[string]bool, len(added))
	for _, id := range added {
		isNew[id] = true
	}
	type due struct {
		at     time.Time
		pushes []PushJob
	}
	var dues []*due
	open := map[time.Time]*due{} // the message still filling for each due time
	for _, p := range w.pushes {
		if !isNew[p.delivery.ID] {
			continue
		}
		w.stats[p.event].Pushes++
		d := open[p.at]
		if d == nil || len(d.pushes) == maxPushesPerMessage {
			d = &due{at: p.at}
			open[p.at], dues = d, append(dues, d)
		}
		d.pushes = append(d.pushes, p.job)
	}
	msgs := make([]outbox.Message, 0, len(dues))
	for _, d := range dues {
		m, err := outbox.NewMessage(outbox.TopicPush, pushMessage{Pushes: d.pushes}, w.now, outbox.Options{At: d.at})
		if err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	_, err := outbox.EnqueueAll(ctx, tx, msgs)
	return err
}

// pushDeliveryID is the id of the push delivery of outbox message msgID to device: the same on
// every run of the message, so that a second run finds its deliveries written (outbox ids are never
// reused: an identity column, SQLite's AUTOINCREMENT). It is laid out as a UUIDv7, the time the
// message was enqueued and then a hash of the two, so that the deliveries of one burst sit together
// in the index as every other id's do (with the hash alone, recording a batch of 10,000 outcomes
// read and wrote all over the index). It never holds a run of 11 digits: push.Payload refuses
// those (a national identity number must never reach a lock screen), and the payload's id is the
// delivery's.
func pushDeliveryID(msgID int64, enqueued time.Time, device string) string {
	ms := uint64(enqueued.UnixMilli())
	for k := 0; ; k++ {
		sum := sha256.Sum256(fmt.Appendf(nil, "push-delivery/%d/%s/%d", msgID, device, k))
		var u uuid.UUID
		copy(u[:], sum[:16])
		for b := range 6 {
			u[b] = byte(ms >> (40 - 8*b))
		}
		u[6] = 0x70 | u[6]&0x0f // version 7
		u[8] = 0x80 | u[8]&0x3f // the RFC 9562 variant
		if id := u.String(); !pid.HasDigitRun(id) {
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
