package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minside/backend/internal/agency"
	"minside/backend/internal/cases"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/push/pushtest"
	"minside/backend/internal/store"
	"minside/locales"
)

// clock is a test clock the handlers and the drain share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)         { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is one database, one fake push service and the notify services wired as the app does.
type env struct {
	t        *testing.T
	ctx      context.Context
	db       *store.DB
	srv      *pushtest.Server
	keys     push.VAPIDKeys
	clock    *clock
	bundle   *i18n.Bundle
	prefs    *Preferences
	devices  *Devices
	notifier *Notifier
	pusher   *Pusher
	registry *prometheus.Registry
	worker   *outbox.Worker
}

// noon on a winter weekday, outside quiet hours in Oslo.
var noon = time.Date(2026, 1, 14, 11, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), db: db, srv: pushtest.NewServer(t), clock: &clock{t: noon}}
	var err error
	if e.bundle, err = i18n.New(locales.FS, i18n.Options{}); err != nil {
		t.Fatal(err)
	}
	if e.prefs, err = NewPreferences(db, e.bundle.Has); err != nil {
		t.Fatal(err)
	}
	e.devices = NewDevices(db, e.srv.AllowList())
	e.notifier = NewNotifier(db, e.prefs, e.bundle, nil, e.clock.Now)
	if e.keys, err = push.GenerateVAPIDKeys(); err != nil {
		t.Fatal(err)
	}
	e.restartPusher()
	return e
}

// restartPusher builds a new Sender and Pusher, as a restarted server would.
func (e *env) restartPusher() {
	e.t.Helper()
	subject, err := push.ParseSubject("mailto:drift@kommune.example.no")
	if err != nil {
		e.t.Fatal(err)
	}
	sender, err := push.NewSender(e.keys, subject, e.srv.AllowList(), e.srv.Client(5*time.Second), push.SenderOptions{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.registry = prometheus.NewRegistry()
	e.pusher, err = NewPusher(e.db, sender, PusherOptions{Registry: e.registry, Now: e.clock.Now,
		Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }})
	if err != nil {
		e.t.Fatal(err)
	}
	e.worker = outbox.NewWorker(e.db, nil, outbox.WorkerOptions{ID: "test-" + randomHex(4), Now: e.clock.Now, Concurrency: 4})
	e.worker.RegisterBatch(outbox.TopicNotify, e.notifier.HandleNotifyBatch)
	e.worker.RegisterBatch(outbox.TopicPush, e.pusher.HandlePushBatch)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (e *env) citizen(birth time.Time) string {
	e.t.Helper()
	now := store.UTC(e.clock.Now())
	c := &citizens.Citizen{ID: store.NewID(), PIDHash: randomHex(16), PIDMasked: "010190*****", BirthDate: birth,
		Name: "Test Person", CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.NewInsert().Model(c).Exec(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

func (e *env) agency(name string) string {
	e.t.Helper()
	now := store.UTC(e.clock.Now())
	a := &agency.Agency{ID: store.NewID(), Slug: "a" + randomHex(4), Name: name, CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.NewInsert().Model(a).Exec(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return a.ID
}

func (e *env) caseFor(citizenID, agencyID, status string) string {
	e.t.Helper()
	now := store.UTC(e.clock.Now())
	c := &cases.Case{ID: store.NewID(), AgencyID: agencyID, ExternalID: randomHex(4), Version: 1, CitizenID: citizenID,
		Area: "building", Status: status, CreatedAt: now, UpdatedAt: now}
	if _, err := e.db.NewInsert().Model(c).Exec(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return c.ID
}

// device subscribes a fake browser for the citizen through Devices.Register.
func (e *env) device(citizenID string) (push.Subscription, Device) {
	e.t.Helper()
	sub := e.srv.NewSubscriber()
	d, err := e.devices.Register(e.ctx, citizenID, "session-"+randomHex(4), pushtest.BrowserJSON(sub), e.clock.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return sub, d
}

// enqueue writes a notify event the way the agency API does, in its own transaction.
func (e *env) enqueue(ev outbox.NotifyEvent) {
	e.t.Helper()
	if _, err := outbox.Enqueue(e.ctx, e.db, outbox.TopicNotify, ev, e.clock.Now(), outbox.Options{}); err != nil {
		e.t.Fatal(err)
	}
}

// drain runs the real outbox worker on the test clock until no message is due; it returns how
// many messages it handled.
func (e *env) drain() int {
	e.t.Helper()
	ran := 0
	for range 100 {
		n, err := e.worker.RunOnce(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return ran
		}
		ran += n
	}
	e.t.Fatal("drain: outbox never emptied")
	return ran
}

// pushMessages lists the pending or finished TopicPush messages.
func (e *env) pushMessages() []outbox.Message {
	e.t.Helper()
	var msgs []outbox.Message
	if err := e.db.NewSelect().Model(&msgs).Where("topic = ?", outbox.TopicPush).Order("id").Scan(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

// pushJobs lists the pushes of every TopicPush message, in the order enqueued.
func (e *env) pushJobs() []PushJob {
	e.t.Helper()
	var jobs []PushJob
	for _, m := range e.pushMessages() {
		js, err := decodePushMessage(m.Payload)
		if err != nil {
			e.t.Fatal(err)
		}
		jobs = append(jobs, js...)
	}
	return jobs
}

func (e *env) deliveries(citizenID string) []Delivery {
	e.t.Helper()
	var ds []Delivery
	if err := e.db.NewSelect().Model(&ds).Where("citizen_id = ?", citizenID).Order("id").Scan(e.ctx); err != nil {
		e.t.Fatal(err)
	}
	return ds
}

func (e *env) setLanguage(citizenID, lang string) {
	e.t.Helper()
	if _, err := e.prefs.Put(e.ctx, citizenID, PrefsInput{Language: &lang}, e.clock.Now()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) noRejections() {
	e.t.Helper()
	if r := e.srv.Rejections(); len(r) > 0 {
		e.t.Fatalf("the fake push service refused malformed requests: %+v", r)
	}
}

var adult = time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC)
