package outbox

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// clock is a settable test clock shared by workers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func enqueue(t *testing.T, db *store.DB, topic string, n int, now time.Time) {
	t.Helper()
	for i := range n {
		if _, err := Enqueue(context.Background(), db, topic, map[string]int{"n": i}, now, Options{}); err != nil {
			t.Fatal(err)
		}
	}
}

// only returns the one message of a topic.
func only(t *testing.T, db *store.DB, topic string) Message {
	t.Helper()
	var m Message
	if err := db.NewSelect().Model(&m).Where("topic = ?", topic).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestWorker(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.DB)
	}{
		{"ResultsAreRecorded", testResultsAreRecorded},
		{"RetriesEndDeadAfterMaxAttempts", testRetriesEndDeadAfterMaxAttempts},
		{"ExpiredLeaseIsTakenOverByAnotherWorker", testExpiredLeaseIsTakenOverByAnotherWorker},
		{"ParallelWorkersHandleEachMessageOnce", testParallelWorkersHandleEachMessageOnce},
		{"StopFinishesTheMessageInHand", testStopFinishesTheMessageInHand},
		{"NotifyWakesAnIdleWorker", testNotifyWakesAnIdleWorker},
		{"MessagesWithoutHandlerWait", testMessagesWithoutHandlerWait},
		{"PanickingHandlerIsRetried", testPanickingHandlerIsRetried},
	}
	// One database per engine for all: each case uses its own topics, and a worker claims only
	// the topics it has handlers for.
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) { tt.fn(t, db) })
		}
	})
}

func testResultsAreRecorded(t *testing.T, db *store.DB) {
	ctx := context.Background()
	clk := newClock()
	tests := []struct {
		name       string
		result     Result
		wantStatus string
		wantDelay  [2]time.Duration // available_at − now, inclusive bounds
		wantError  string
	}{
		{"done", Done(), StatusDone, [2]time.Duration{0, 0}, ""},
		{"retry with backoff", Retry(0, "HTTP 503"), StatusPending, [2]time.Duration{500 * time.Millisecond, time.Second}, "HTTP 503"},
		{"retry after", Retry(90*time.Second, "HTTP 429"), StatusPending, [2]time.Duration{90 * time.Second, 90 * time.Second}, "HTTP 429"},
		{"retry after is capped", Retry(48*time.Hour, "HTTP 429"), StatusPending, [2]time.Duration{time.Hour, time.Hour}, "HTTP 429"},
		{"dead", Dead("HTTP 400"), StatusDead, [2]time.Duration{0, 0}, "HTTP 400"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			topic := "t-" + tt.name
			enqueue(t, db, topic, 1, clk.Now())
			metrics := NewMetrics(prometheus.NewRegistry())
			w := NewWorker(db, map[string]Handler{topic: func(context.Context, Message) Result { return tt.result }},
				WorkerOptions{Now: clk.Now, Metrics: metrics})
			if n, err := w.RunOnce(ctx); err != nil || n != 1 {
				t.Fatalf("RunOnce = %d, %v", n, err)
			}
			var m Message
			if err := db.NewSelect().Model(&m).Where("topic = ?", topic).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			if m.Status != tt.wantStatus || m.Attempts != 1 || m.LockedBy != nil || m.LockedUntil != nil {
				t.Fatalf("message = %+v", m)
			}
			if got := deref(m.LastError); got != tt.wantError {
				t.Fatalf("last_error = %q, want %q", got, tt.wantError)
			}
			if tt.wantStatus == StatusPending {
				delay := m.AvailableAt.Sub(clk.Now())
				if delay < tt.wantDelay[0] || delay > tt.wantDelay[1] {
					t.Fatalf("retry in %s, want %s..%s", delay, tt.wantDelay[0], tt.wantDelay[1])
				}
			}
			if got := metrics.Processed(topic, tt.result.String()); got != 1 {
				t.Fatalf("metric %s/%s = %v", topic, tt.result, got)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func testRetriesEndDeadAfterMaxAttempts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	clk := newClock()
	enqueue(t, db, "flaky", 1, clk.Now())
	calls := 0
	w := NewWorker(db, map[string]Handler{"flaky": func(context.Context, Message) Result {
		calls++
		return Retry(0, "connection refused")
	}}, WorkerOptions{Now: clk.Now, MaxAttempts: 4})
	for range 10 {
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Add(2 * time.Hour) // past any backoff
	}
	m := only(t, db, "flaky")
	if calls != 4 || m.Status != StatusDead || m.Attempts != 4 {
		t.Fatalf("calls=%d message=%+v", calls, m)
	}
	if want := "gave up after 4 attempts: connection refused"; deref(m.LastError) != want {
		t.Fatalf("last_error = %q", deref(m.LastError))
	}
	// The operator requeues it once the receiver is fixed.
	if n, err := RequeueDead(ctx, db, "flaky", clk.Now()); err != nil || n != 1 {
		t.Fatalf("RequeueDead = %d, %v", n, err)
	}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if m := only(t, db, "flaky"); m.Status != StatusPending || m.Attempts != 1 || calls != 5 {
		t.Fatalf("after requeue: calls=%d message=%+v", calls, m)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	w := NewWorker(nil, nil, WorkerOptions{})
	tests := []struct {
		attempts int
		lo, hi   time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{5, 8 * time.Second, 16 * time.Second},
		{13, 30 * time.Minute, time.Hour},
		{40, 30 * time.Minute, time.Hour},
	}
	for _, tt := range tests {
		for range 20 {
			if d := w.backoff(tt.attempts, 0); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %s, want %s..%s", tt.attempts, d, tt.lo, tt.hi)
			}
		}
	}
}

func testExpiredLeaseIsTakenOverByAnotherWorker(t *testing.T, db *store.DB) {
	ctx := context.Background()
	clk := newClock()
	enqueue(t, db, "lease", 1, clk.Now())
	var handledBy []string
	handler := func(name string) Handler {
		return func(context.Context, Message) Result { handledBy = append(handledBy, name); return Done() }
	}
	crashed := NewWorker(db, map[string]Handler{"lease": handler("crashed")}, WorkerOptions{ID: "crashed", Now: clk.Now, Lease: time.Minute, Batch: 1, Concurrency: 1, HandlerTimeout: 10 * time.Second})
	if msgs, err := crashed.claim(ctx); err != nil || len(msgs) != 1 {
		t.Fatalf("claim = %v, %v", msgs, err)
	}
	// The crashed worker never reports back. Within the lease nobody else may take the message.
	other := NewWorker(db, map[string]Handler{"lease": handler("other")}, WorkerOptions{ID: "other", Now: clk.Now, Lease: time.Minute, Batch: 1, Concurrency: 1, HandlerTimeout: 10 * time.Second})
	clk.Add(59 * time.Second)
	if n, err := other.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("message taken within the lease: %d, %v", n, err)
	}
	clk.Add(2 * time.Second)
	if n, err := other.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("message not taken after the lease: %d, %v", n, err)
	}
	m := only(t, db, "lease")
	if m.Status != StatusDone || m.Attempts != 2 || len(handledBy) != 1 || handledBy[0] != "other" {
		t.Fatalf("message=%+v handledBy=%v", m, handledBy)
	}
	// The crashed worker coming back late cannot overwrite the outcome.
	if err := crashed.record(ctx, []Message{m}, []Result{Retry(0, "late")}); err != nil {
		t.Fatal(err)
	}
	if m := only(t, db, "lease"); m.Status != StatusDone {
		t.Fatalf("late result overwrote the outcome: %+v", m)
	}
}

func testParallelWorkersHandleEachMessageOnce(t *testing.T, db *store.DB) {
	const messages, workers = 200, 3
	enqueue(t, db, "parallel", messages, time.Now())
	var mu sync.Mutex
	seen := map[int64]int{}
	var running, overlap atomic.Int32
	handler := func(_ context.Context, m Message) Result {
		if running.Add(1) > 1 {
			overlap.Store(1)
		}
		defer running.Add(-1)
		mu.Lock()
		seen[m.ID]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		return Done()
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range workers {
		w := NewWorker(db, map[string]Handler{"parallel": handler}, WorkerOptions{ID: fmt.Sprint("w", i), Batch: 5, Poll: 10 * time.Millisecond})
		wg.Go(func() { _ = w.Run(ctx) })
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		n, err := db.NewSelect().Model((*Message)(nil)).Where("topic = ? AND status = ?", "parallel", StatusDone).Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == messages {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d messages done", n, messages)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if len(seen) != messages {
		t.Fatalf("%d distinct messages handled, want %d", len(seen), messages)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("message %d handled %d times", id, n)
		}
	}
	if overlap.Load() == 0 {
		t.Log("workers never overlapped in time; the test proved less than it could")
	}
	var lockers []string
	if err := db.NewSelect().Model((*Message)(nil)).Column("locked_by").Where("topic = ? AND locked_by IS NOT NULL", "parallel").Scan(context.Background(), &lockers); err != nil {
		t.Fatal(err)
	}
	if len(lockers) != 0 {
		t.Fatalf("leases left behind: %v", lockers)
	}
}

func testStopFinishesTheMessageInHand(t *testing.T, db *store.DB) {
	enqueue(t, db, "slow", 3, time.Now())
	started, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Int32
	w := NewWorker(db, map[string]Handler{"slow": func(ctx context.Context, _ Message) Result {
		if finished.Load() == 0 {
			close(started)
		}
		<-release
		if ctx.Err() != nil {
			return Retry(0, "cancelled")
		}
		finished.Add(1)
		return Done()
	}}, WorkerOptions{Concurrency: 1, Batch: 3})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a message in hand")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var msgs []Message
	if err := db.NewSelect().Model(&msgs).Where("topic = ?", "slow").Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs[0].Status != StatusDone || finished.Load() != 1 {
		t.Fatalf("the message in hand did not finish: %+v", msgs[0])
	}
	for _, m := range msgs[1:] {
		if m.Status != StatusPending || m.LockedBy != nil || m.Attempts != 0 {
			t.Fatalf("an unstarted message was not released: %+v", m)
		}
	}
}

func testNotifyWakesAnIdleWorker(t *testing.T, db *store.DB) {
	handled := make(chan struct{}, 1)
	w := NewWorker(db, map[string]Handler{"wake": func(context.Context, Message) Result {
		handled <- struct{}{}
		return Done()
	}}, WorkerOptions{Poll: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = w.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // the first, empty poll is over; the next is an hour away
	enqueue(t, db, "wake", 1, time.Now())
	w.Notify()
	select {
	case <-handled:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify did not wake the worker")
	}
}

func testMessagesWithoutHandlerWait(t *testing.T, db *store.DB) {
	ctx := context.Background()
	enqueue(t, db, "late", 1, time.Now())
	w := NewWorker(db, map[string]Handler{"other": func(context.Context, Message) Result { return Done() }}, WorkerOptions{})
	if n, err := w.RunOnce(ctx); err != nil || n != 0 {
		t.Fatalf("a worker without the handler claimed the message: %d, %v", n, err)
	}
	w.Register("late", func(context.Context, Message) Result { return Done() })
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("RunOnce after Register = %d, %v", n, err)
	}
}

func testPanickingHandlerIsRetried(t *testing.T, db *store.DB) {
	enqueue(t, db, "bad", 1, time.Now())
	w := NewWorker(db, map[string]Handler{"bad": func(context.Context, Message) Result { panic("boom") }}, WorkerOptions{})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := only(t, db, "bad"); m.Status != StatusPending || deref(m.LastError) != "handler panicked" {
		t.Fatalf("message = %+v", m)
	}
}
