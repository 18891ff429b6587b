// Package live tells open PWAs that something of theirs changed, within a second, on every replica.
//
// It follows the changes table instead of asking writers to notify: every write to something a
// citizen sees already appends a changes row in its transaction (the delta feed), so polling that
// table by seq (an index range scan of the primary key, a few times a second per replica, whatever
// the number of open streams) sees every write from every code path and every replica — agency
// API, citizen actions, seeding, another process on the same SQLite file — with nothing more for
// those writers to remember, and a crashed listener connection cannot lose events. Events are only
// hints ("case X changed"); the client fetches the content from the changes feed.
package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"minside/backend/internal/store"
)

// Event names one changed object. CitizenID is empty for changes everyone sees (tiles).
type Event struct {
	CitizenID string `json:"-"`
	Kind      string `json:"kind"`
	ID        string `json:"id"`
}

// Subscription receives the events of some people (and everyone's). C is closed when the broker
// stops (server shutdown) or the subscription is cancelled.
type Subscription struct {
	C      <-chan Event
	ch     chan Event
	people map[string]bool
}

// Broker polls the changes table and fans events out to subscriptions in this process.
type Broker struct {
	db       *store.DB
	log      *slog.Logger
	interval time.Duration
	gapWait  time.Duration

	mu      sync.Mutex
	subs    map[*Subscription]struct{}
	stopped bool
	ready   chan struct{} // closed once the first position is known
}

// DefaultInterval keeps delivery well under a second while costing one indexed query per replica.
const DefaultInterval = 250 * time.Millisecond

// subscriptionBuffer events may wait for a slow stream; beyond that they are dropped, which is
// harmless: the waiting ones already make the client fetch the feed, which has everything.
const subscriptionBuffer = 64

// New builds a broker; Run starts it.
func New(db *store.DB, log *slog.Logger, interval time.Duration) *Broker {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Broker{db: db, log: log, interval: interval, gapWait: 5 * time.Second,
		subs: map[*Subscription]struct{}{}, ready: make(chan struct{})}
}

// Subscribe starts delivering the events of the given people and everyone's. After Stop it returns
// a subscription that is already closed.
func (b *Broker) Subscribe(people []string) *Subscription {
	ch := make(chan Event, subscriptionBuffer)
	s := &Subscription{C: ch, ch: ch, people: make(map[string]bool, len(people))}
	for _, p := range people {
		s.people[p] = true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		close(ch)
		return s
	}
	b.subs[s] = struct{}{}
	return s
}

// Cancel stops a subscription and closes its channel; cancelling twice is harmless.
func (b *Broker) Cancel(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.ch)
	}
}

// Ready is closed once the broker knows where the changes table stands: events committed after
// that are delivered.
func (b *Broker) Ready() <-chan struct{} { return b.ready }

// Open counts the open subscriptions.
func (b *Broker) Open() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// KindMessages is the event that tells every open PWA its UI messages changed (a translator
// published): it does not come from the changes table but from the replica that reloaded them.
const KindMessages = "messages"

// Broadcast delivers an event to every subscription in this process, whoever it belongs to.
func (b *Broker) Broadcast(ev Event) {
	ev.CitizenID = ""
	b.publish(ev)
}

func (b *Broker) publish(ev Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if ev.CitizenID != "" && !s.people[ev.CitizenID] {
			continue
		}
		select {
		case s.ch <- ev:
		default: // full: the client has events waiting already
		}
	}
}

// stop closes every subscription, so open streams end and the server can shut down.
func (b *Broker) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	for s := range b.subs {
		close(s.ch)
		delete(b.subs, s)
	}
}

// Run polls until ctx ends, at once when PostgreSQL notifies a commit of changes (listen.go) and
// every interval regardless, then closes every subscription. Give it the server's context, so
// streams end as soon as shutdown begins. A database outage is logged and retried.
func (b *Broker) Run(ctx context.Context) {
	defer b.stop()
	f := &follower{db: b.db, gapWait: b.gapWait}
	t := time.NewTicker(b.interval)
	defer t.Stop()
	wake := make(chan struct{}, 1)
	var listening sync.WaitGroup
	listening.Go(func() { b.listen(ctx, wake) })
	defer listening.Wait()
	started := false
	var polled time.Time // when the last poll ended
	for {
		if !started {
			if err := f.start(ctx); err != nil {
				if ctx.Err() == nil {
					b.log.Warn("live: start", "err", err)
				}
			} else {
				started = true
				close(b.ready)
			}
		} else {
			for {
				events, full, err := f.poll(ctx, time.Now())
				if err != nil {
					if ctx.Err() == nil {
						b.log.Warn("live: poll", "err", err)
					}
					break
				}
				for _, ev := range events {
					b.publish(ev)
				}
				if !full {
					break
				}
			}
		}
		polled = time.Now()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
			if gap := minPollGap - time.Since(polled); gap > 0 {
				time.Sleep(gap)
			}
		}
	}
}
