package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
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

// Pusher is the handler of outbox.TopicPush: it sends each push of a message to its device with
// the shared Sender and records the outcome on the delivery and the device.
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

// HandlePush is the outbox handler of TopicPush for one message; the worker uses HandlePushBatch.
func (p *Pusher) HandlePush(ctx context.Context, m outbox.Message) handlerResult {
	return p.HandlePushBatch(ctx, []outbox.Message{m}, 1)[0]
}

// pushTarget is one push of a batch with what the database says about it.
type pushTarget struct {
	msg     int // its message in the batch
	job     PushJob
	pending bool    // the delivery exists and has no outcome yet
	dev     *Device // nil: forgotten meanwhile
}

// HandlePushBatch is the outbox batch handler of TopicPush: it loads the deliveries and devices
// of every push of the batch in two queries, sends up to parallel pushes at once, and records
// every outcome in a few statements for the batch (see pushBook). A push whose delivery is no
// longer pending (a second run after a crash or a retry) is done without sending again; a message
// is done when all its pushes are (outbox.Combine).
func (p *Pusher) HandlePushBatch(ctx context.Context, msgs []outbox.Message, parallel int) []handlerResult {
	results := make([]handlerResult, len(msgs))
	var targets []*pushTarget
	for i, m := range msgs {
		jobs, err := decodePushMessage(m.Payload)
		if err != nil {
			results[i] = dead("push: undecodable job")
			continue
		}
		for _, job := range jobs {
			targets = append(targets, &pushTarget{msg: i, job: job})
		}
	}
	answers := make([]handlerResult, len(targets)) // per push
	if ctx.Err() != nil {                          // the worker is stopping: hand the whole batch back
		for k := range answers {
			answers[k] = outbox.NotStarted()
		}
		return combine(results, targets, answers)
	}
	// Once started, reads, sends and writes finish even if the worker is asked to stop; each send
	// is bounded by the push client's timeout.
	started := ctx
	ctx = context.WithoutCancel(ctx)
	if err := p.load(ctx, targets); err != nil {
		for k := range answers {
			answers[k] = retry(0, "push: load deliveries: "+err.Error())
		}
		return combine(results, targets, answers)
	}
	book := newPushBook()
	var mu sync.Mutex
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for k, t := range targets {
		if !t.pending {
			answers[k] = done() // the citizen was deleted, or this delivery already has its outcome
			continue
		}
		if t.dev == nil {
			book.final(k, t.job.DeliveryID, StateDropped, nil, false, done()) // forgotten meanwhile
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-started.Done():
		}
		if started.Err() != nil {
			answers[k] = outbox.NotStarted()
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			out := p.sendOne(ctx, t, msgs[t.msg].Attempts)
			mu.Lock()
			defer mu.Unlock()
			book.add(k, t, out)
		})
	}
	wg.Wait()
	book.write(ctx, p.db, store.UTC(p.opts.Now()), answers)
	return combine(results, targets, answers)
}

// combine puts each decodable message's result into results, from the answers of its pushes.
func combine(results []handlerResult, targets []*pushTarget, answers []handlerResult) []handlerResult {
	parts := make([][]handlerResult, len(results))
	for k, t := range targets {
		parts[t.msg] = append(parts[t.msg], answers[k])
	}
	for i, ps := range parts {
		if len(ps) > 0 {
			results[i] = outbox.Combine(ps)
		}
	}
	return results
}

// load fills in, for every push, whether its delivery is pending and its device: one query for
// the deliveries and one for the devices of the whole batch.
func (p *Pusher) load(ctx context.Context, targets []*pushTarget) error {
	if len(targets) == 0 {
		return nil
	}
	var deliveryIDs, deviceIDs []string
	for _, t := range targets {
		deliveryIDs = append(deliveryIDs, t.job.DeliveryID)
		deviceIDs = append(deviceIDs, t.job.DeviceID)
	}
	var pending []string
	if err := p.db.NewSelect().Model((*Delivery)(nil)).Column("id").
		Where("id IN (?)", bun.In(deliveryIDs)).Where("state = ?", StatePending).Scan(ctx, &pending); err != nil {
		return err
	}
	var devices []Device
	if err := p.db.NewSelect().Model(&devices).Column("id", "endpoint", "p256dh", "auth").
		Where("id IN (?)", bun.In(deviceIDs)).Scan(ctx); err != nil {
		return err
	}
	isPending := make(map[string]bool, len(pending))
	for _, id := range pending {
		isPending[id] = true
	}
	byID := make(map[string]*Device, len(devices))
	for i := range devices {
		byID[devices[i].ID] = &devices[i]
	}
	for _, t := range targets {
		t.pending, t.dev = isPending[t.job.DeliveryID], byID[t.job.DeviceID]
	}
	return nil
}

// pushOutcome is what became of one send: the delivery's final state (or "" while it is retried)
// and the handler's answer to the worker.
type pushOutcome struct {
	state  string
	stamp  bool // the device answered: stamp last_sent_at (or delete it when forget)
	forget bool
	res    handlerResult
}

// sendOne sends one push (shrunk once after a 413) and decides its outcome.
func (p *Pusher) sendOne(ctx context.Context, t *pushTarget, attempts int) pushOutcome {
	dev, job := t.dev, t.job
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
		return pushOutcome{state: StateDelivered, stamp: true, res: done()}
	case push.Gone:
		return pushOutcome{state: StateGone, stamp: true, forget: true, res: done()}
	case push.TooLarge:
		p.opts.Log.Warn("push: dropped a message too large even when shortened", "host", host, "delivery", job.DeliveryID)
		return pushOutcome{state: StateDropped, res: done()}
	case push.Retry:
		after := res.RetryAfter
		if after <= 0 {
			after = p.opts.Backoff(max(attempts, 1))
		}
		return pushOutcome{res: retry(after, "push service answered "+statusText(res.Status))}
	case push.Alert:
		status := strconv.Itoa(res.Status)
		p.alerts.WithLabelValues(status).Inc()
		p.opts.Log.Error("push: the push service refused our request; check the VAPID keys and subject",
			"status", res.Status, "reason", res.Reason, "host", host, "delivery", job.DeliveryID)
		return pushOutcome{state: StateFailed, res: dead("push service refused us: " + status)}
	default: // push.Invalid
		forget := errors.Is(res.Err, push.ErrAddressNotAllowed)
		p.opts.Log.Warn("push: not sent: stored subscription or message unusable", "host", host, "delivery", job.DeliveryID, "forget_device", forget)
		if forget {
			return pushOutcome{state: StateDropped, stamp: true, forget: true, res: done()}
		}
		return pushOutcome{state: StateDropped, res: dead("push: message or subscription invalid")}
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
