package outbox

import (
	"cmp"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/store"
)

// WorkerOptions tune a Worker. Zero values take the defaults named on each field.
type WorkerOptions struct {
	// ID names this worker in outbox.locked_by (default: host name and a random suffix).
	ID string
	// Batch is how many messages one claim takes (default 10).
	Batch int
	// Concurrency is how many messages of a batch run at once (default 4).
	Concurrency int
	// InFlight is how many claimed batches Run works on at once (default 2): while one waits on
	// the database or a push service, the next is claimed and handled. Each batch has its own
	// Concurrency.
	InFlight int
	// Poll is how long an idle worker waits before looking again (default 250 ms); Notify wakes it sooner.
	Poll time.Duration
	// Lease is how long claimed messages stay invisible to other workers without word from this
	// one (default 2 min): a worker that crashes holds its messages this long. While it handles
	// them the worker renews the lease every third of it, for as long as the batch may take
	// (ceil(Batch/Concurrency) handler timeouts) and one lease more.
	Lease time.Duration
	// HandlerTimeout bounds one handler call (default 30 s).
	HandlerTimeout time.Duration
	// MaxAttempts: a message still failing after this many tries is marked dead (default 20).
	MaxAttempts int
	// BackoffMin and BackoffMax bound the exponential retry delay (defaults 1 s and 1 h).
	BackoffMin, BackoffMax time.Duration
	// Metrics is registered with minside_outbox_processed_total; nil keeps no metrics.
	Metrics *Metrics
	Log     *slog.Logger
	// Now is the clock (default time.Now); tests move it.
	Now func() time.Time
}

func (o *WorkerOptions) defaults() {
	if o.ID == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = crand.Read(b)
		o.ID = host + "-" + hex.EncodeToString(b)
	}
	setDefault(&o.Batch, 10)
	setDefault(&o.Concurrency, 4)
	setDefault(&o.InFlight, 2)
	setDefault(&o.MaxAttempts, 20)
	setDefault(&o.Poll, 250*time.Millisecond)
	setDefault(&o.Lease, 2*time.Minute)
	setDefault(&o.HandlerTimeout, 30*time.Second)
	setDefault(&o.BackoffMin, time.Second)
	setDefault(&o.BackoffMax, time.Hour)
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func setDefault[T int | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Worker sends the outbox: it claims due messages under a lease, runs the topic's handler outside
// any transaction, and records done, retry or dead. Any number of workers may run on any replica;
// a message is handled by one of them at a time, at least once overall.
type Worker struct {
	db   *store.DB
	opts WorkerOptions
	wake chan struct{}

	mu       sync.RWMutex
	handlers map[string]topicHandler

	claimAt claimStart // where the next claim on PostgreSQL starts (claimstart.go)
}

// topicHandler is what a topic was registered with: one message at a time, or whole batches.
type topicHandler struct {
	one   Handler
	batch BatchHandler
}

// NewWorker builds a worker for the given topic handlers; more may be added with Register before Run.
func NewWorker(db *store.DB, handlers map[string]Handler, opts WorkerOptions) *Worker {
	opts.defaults()
	w := &Worker{db: db, opts: opts, wake: make(chan struct{}, 1), handlers: map[string]topicHandler{}}
	for topic, h := range handlers {
		w.handlers[topic] = topicHandler{one: h}
	}
	return w
}

// Register sets the handler of a topic. Messages of a topic without a handler wait (they are
// left pending, never lost) until a worker that has one picks them up.
func (w *Worker) Register(topic string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handlers[topic] = topicHandler{one: h}
}

// RegisterBatch sets the handler of a topic to one that takes the topic's share of each claimed
// batch at once, so its own reads and writes cost a few statements per batch, not per message.
func (w *Worker) RegisterBatch(topic string, h BatchHandler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handlers[topic] = topicHandler{batch: h}
}

// ID is the name this worker writes into outbox.locked_by.
func (w *Worker) ID() string { return w.opts.ID }

// Notify wakes the worker at once, e.g. right after a transaction that enqueued a message commits.
// It never blocks; wakes from other replicas come by polling.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run processes messages, InFlight batches at a time, until ctx ends, then returns once the
// messages in hand are finished; claimed messages not yet started are released for other workers.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range w.opts.InFlight {
		wg.Go(func() { w.loop(ctx) })
	}
	wg.Wait()
	return nil
}

// loop claims and handles one batch after another until ctx ends.
func (w *Worker) loop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.wake:
		}
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.opts.Log.Error("outbox: claim", "err", err)
		}
		delay := w.opts.Poll
		switch {
		case err != nil:
			delay = max(delay, 5*time.Second) // the database is unwell: do not flood the log
		case n == w.opts.Batch:
			delay = 0 // a full batch: there may be more due right now
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(delay)
	}
}

// RunOnce claims one batch of due messages, processes it and records the outcomes in a few
// statements for the whole batch; it reports how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	// A claim cut off by a stop can still commit on the server after the client gave up on it
	// (PostgreSQL), leaving its messages leased to nobody until the lease runs out (minutes).
	// So a claim that started finishes; what it took is released below if the worker is stopping.
	msgs, err := w.claim(context.WithoutCancel(ctx))
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	stopRenewing := w.keepLeased(msgs)
	results := make([]Result, len(msgs))
	started := make([]bool, len(msgs))
	// The topics of a batch run side by side: a fan-out's database writes and the pushes' sends
	// wait on different things, and in turn each left the other's share of the machine idle.
	var wg sync.WaitGroup
	for _, idx := range byTopic(msgs) {
		wg.Go(func() { w.handleTopic(ctx, msgs, idx, results, started) })
	}
	wg.Wait()
	var unstarted []int64
	var handled []Message
	var outcomes []Result
	for i, m := range msgs {
		if !started[i] {
			unstarted = append(unstarted, m.ID)
			continue
		}
		res := results[i]
		if res.outcome == outcomeRetry && m.Attempts >= w.opts.MaxAttempts {
			res = Dead(fmt.Sprintf("gave up after %d attempts: %s", m.Attempts, res.reason))
		}
		handled = append(handled, m)
		outcomes = append(outcomes, res)
	}
	stopRenewing()
	w.recordAll(context.WithoutCancel(ctx), handled, outcomes)
	if len(unstarted) > 0 {
		w.release(unstarted)
	}
	return len(msgs), nil
}

// byTopic groups the indexes of msgs by topic, topics in the order they first appear (oldest first).
func byTopic(msgs []Message) [][]int {
	var groups [][]int
	at := map[string]int{}
	for i, m := range msgs {
		g, ok := at[m.Topic]
		if !ok {
			g = len(groups)
			at[m.Topic] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// handleTopic runs the handler of one topic over its messages of the batch (indexes idx), filling
// results and marking what it started. When ctx ends, a per-message handler is given no new
// messages and a batch handler answers NotStarted for the ones it had not begun.
func (w *Worker) handleTopic(ctx context.Context, msgs []Message, idx []int, results []Result, started []bool) {
	var live []int
	for _, i := range idx {
		if msgs[i].Attempts > w.opts.MaxAttempts {
			results[i], started[i] = Dead("lease expired too often: a worker stopped while handling it"), true
			continue
		}
		live = append(live, i)
	}
	if len(live) == 0 {
		return
	}
	h := w.handler(msgs[live[0]].Topic)
	if h.batch != nil {
		share := make([]Message, len(live))
		for k, i := range live {
			share[k] = msgs[i]
		}
		for k, res := range w.callBatch(ctx, h.batch, share) {
			results[live[k]], started[live[k]] = res, res.outcome != outcomeUnstarted
		}
		return
	}
	sem := make(chan struct{}, w.opts.Concurrency)
	var wg sync.WaitGroup
	for _, i := range live {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		started[i] = true
		wg.Go(func() {
			defer func() { <-sem }()
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.opts.HandlerTimeout)
			defer cancel()
			results[i] = w.call(hctx, h.one, msgs[i])
		})
	}
	wg.Wait()
}

// claimOnPostgres claims up to batch due messages from position from on with the function of migrations 0900 and 1310, whose plan cannot fall back to a bitmap
// scan of every unvacuumed row.
func (w *Worker) claimOnPostgres(ctx context.Context, now time.Time, topics []string, from position, batch int) ([]Message, error) {
	if from.isHead() {
		from.at = time.Unix(0, 0).UTC()
	}
	var msgs []Message
	err := w.db.NewRaw("SELECT * FROM outbox_claim(?, ?, ARRAY[?]::text[], ?, ?, ?, ?)",
		w.opts.ID, now.Add(w.opts.Lease), bun.In(topics), now, batch, from.at, from.id).Scan(ctx, &msgs)
	if errors.Is(err, sql.ErrNoRows) { // an empty RETURNING, on some drivers
		err = nil
	}
	return msgs, err
}

// claim takes a lease on up to Batch due messages in one statement. On PostgreSQL the subquery
// locks rows with SKIP LOCKED so concurrent workers take disjoint sets; SQLite has one writer at
// a time, which gives the same guarantee. attempts counts claims, so a message that crashes every
// worker that takes it still dies after MaxAttempts.
func (w *Worker) claim(ctx context.Context) ([]Message, error) {
	now := store.UTC(w.opts.Now())
	topics := w.topics()
	if len(topics) == 0 {
		return nil, nil
	}
	// An idle poll is a read: on SQLite an UPDATE would take the one write lock four times a second.
	// PostgreSQL's UPDATE that finds nothing locks nothing, so there the claim goes straight ahead
	// and saves a round trip per batch.
	if w.db.Kind == store.SQLite {
		due, err := w.db.NewSelect().Model((*Message)(nil)).
			Where("status = ? AND topic IN (?) AND available_at <= ?", StatusPending, bun.In(topics), now).
			Where("(locked_until IS NULL OR locked_until < ?)", now).Exists(ctx)
		if err != nil {
			return nil, fmt.Errorf("outbox: look for due messages: %w", err)
		}
		if !due {
			return nil, nil
		}
	}
	var msgs []Message
	var err error
	var fromHead bool
	if w.db.Kind == store.Postgres {
		var from position
		from, fromHead = w.claimAt.next(now)
		msgs, err = w.claimOnPostgres(ctx, now, topics, from, w.opts.Batch)
		if err == nil && !fromHead && len(msgs) < w.opts.Batch {
			// What is left may lie behind the start: look from the head for the rest of the batch.
			var more []Message
			more, err = w.claimOnPostgres(ctx, now, topics, position{}, w.opts.Batch-len(msgs))
			msgs, fromHead = append(msgs, more...), true
		}
	} else {
		err = w.db.NewRaw(`UPDATE outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM outbox
  WHERE status = ? AND topic IN (?) AND available_at <= ? AND (locked_until IS NULL OR locked_until < ?)
  ORDER BY available_at, id LIMIT ?)
RETURNING *`,
			w.opts.ID, now.Add(w.opts.Lease), StatusPending, bun.In(topics), now, now, w.opts.Batch,
		).Scan(ctx, &msgs)
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) { // an empty RETURNING, on some drivers
		return nil, fmt.Errorf("outbox: claim: %w", err)
	}
	// RETURNING follows no ORDER BY: restore the oldest-first order of the subquery.
	slices.SortFunc(msgs, func(a, b Message) int {
		if c := a.AvailableAt.Compare(b.AvailableAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if w.db.Kind == store.Postgres {
		w.claimAt.took(msgs, w.opts.Batch, fromHead, now)
	}
	return msgs, nil
}

func (w *Worker) topics() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]string, 0, len(w.handlers))
	for t := range w.handlers {
		out = append(out, t)
	}
	return out
}

func (w *Worker) handler(topic string) topicHandler {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.handlers[topic]
}

// call runs a per-message handler, turning a panic into a retry so one bad message cannot stop
// the worker.
func (w *Worker) call(ctx context.Context, h Handler, m Message) (res Result) {
	if h == nil {
		return Retry(0, "no handler for topic "+m.Topic)
	}
	defer func() {
		if p := recover(); p != nil {
			w.opts.Log.Error("outbox: handler panicked", "id", m.ID, "topic", m.Topic, "panic", p)
			res = Retry(0, "handler panicked")
		}
	}()
	return h(ctx, m)
}

// batchTime is the most n messages of a batch may take: one handler timeout for every Concurrency
// of them, as that many run at a time.
func (w *Worker) batchTime(n int) time.Duration {
	rounds := (n + w.opts.Concurrency - 1) / w.opts.Concurrency
	return time.Duration(rounds) * w.opts.HandlerTimeout
}

// callBatch runs a batch handler within the time the batch may take (one handler timeout per
// Concurrency messages); a panic, or an answer of the wrong length, retries the whole share.
func (w *Worker) callBatch(ctx context.Context, h BatchHandler, msgs []Message) (res []Result) {
	ctx, cancel := context.WithTimeout(ctx, w.batchTime(len(msgs)))
	defer cancel()
	retryAll := func(reason string) []Result {
		out := make([]Result, len(msgs))
		for i := range out {
			out[i] = Retry(0, reason)
		}
		return out
	}
	defer func() {
		if p := recover(); p != nil {
			w.opts.Log.Error("outbox: batch handler panicked", "topic", msgs[0].Topic, "messages", len(msgs), "panic", p)
			res = retryAll("handler panicked")
		}
	}()
	res = h(ctx, msgs, w.opts.Concurrency)
	if len(res) != len(msgs) {
		w.opts.Log.Error("outbox: batch handler answered for the wrong number of messages", "topic", msgs[0].Topic, "messages", len(msgs), "results", len(res))
		return retryAll("handler answered for the wrong number of messages")
	}
	return res
}

// release hands back claimed messages that were never started (the worker is stopping).
func (w *Worker) release(ids []int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := w.db.NewUpdate().Model((*Message)(nil)).
		Set("locked_by = NULL").Set("locked_until = NULL").Set("attempts = attempts - 1").
		Where("id IN (?)", bun.In(ids)).Where("locked_by = ?", w.opts.ID).Exec(ctx)
	if err != nil {
		w.opts.Log.Error("outbox: release unstarted messages (their lease will expire)", "err", err)
	}
}

// backoff is the delay before attempt n+1: BackoffMin·2^(n−1), capped at BackoffMax, with jitter
// in [d/2, d] so retries of many messages spread out. A handler's own delay (Retry-After) wins but
// is capped too.
func (w *Worker) backoff(attempts int, asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, w.opts.BackoffMax)
	}
	d := w.opts.BackoffMin
	for i := 1; i < attempts && d < w.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.opts.BackoffMax)
	half := d / 2
	return half + rand.N(half+1)
}
