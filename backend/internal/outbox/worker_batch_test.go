package outbox

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// The outcomes of a claimed batch are written in one statement per kind of outcome, not one per
// message: a batch of 40 with done, retried and dead messages costs the claim and three updates.
func TestOutcomesAreRecordedPerBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		const n = 40
		enqueue(t, db, "mixed", n, clk.Now())
		expect := func(m Message) Result {
			switch {
			case m.ID%10 == 0:
				return Dead("refused")
			case m.ID%2 == 1:
				return Retry(time.Minute, "busy") // a Retry-After: no jitter, one shared time
			default:
				return Done()
			}
		}
		w := NewWorker(db, map[string]Handler{"mixed": func(_ context.Context, m Message) Result { return expect(m) }},
			WorkerOptions{Now: clk.Now, Batch: n, Concurrency: 8})
		statements := db.CountRoundTrips()
		if got, err := w.RunOnce(ctx); err != nil || got != n {
			t.Fatalf("RunOnce = %d, %v", got, err)
		}
		// To claim: 2 on SQLite (is anything due; take it), 1 on PostgreSQL; then 1 per outcome kind.
		if got := statements.Take(); got > 5 {
			t.Errorf("%d statements for a batch of %d, want at most 5", got, n)
		}
		var msgs []Message
		if err := db.NewSelect().Model(&msgs).Where("topic = ?", "mixed").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			want := expect(m)
			status := map[outcome]string{outcomeDone: StatusDone, outcomeRetry: StatusPending, outcomeDead: StatusDead}[want.outcome]
			if m.Status != status || deref(m.LastError) != want.reason || m.LockedBy != nil {
				t.Fatalf("message %d = %+v, want %s", m.ID, m, want)
			}
			if want.outcome == outcomeRetry && !m.AvailableAt.Equal(clk.Now().Add(time.Minute)) {
				t.Fatalf("message %d retries at %s", m.ID, m.AvailableAt)
			}
		}
	})
}

// A batch handler gets its topic's share of a claimed batch in claim order, with the worker's
// concurrency; the other topics of the batch still go to their per-message handlers. A batch
// handler that panics or answers for the wrong number of messages has its whole share retried.
func TestBatchHandler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		enqueue(t, db, "b-ok", 5, clk.Now())
		enqueue(t, db, "b-one", 2, clk.Now())
		var got []int64
		var parallel int
		w := NewWorker(db, map[string]Handler{"b-one": func(context.Context, Message) Result { return Done() }},
			WorkerOptions{Now: clk.Now, Batch: 10, Concurrency: 3})
		w.RegisterBatch("b-ok", func(_ context.Context, msgs []Message, p int) []Result {
			parallel = p
			out := make([]Result, len(msgs))
			for i, m := range msgs {
				got = append(got, m.ID)
				out[i] = Done()
				if i == 1 {
					out[i] = Dead("no")
				}
			}
			return out
		})
		if n, err := w.RunOnce(ctx); err != nil || n != 7 {
			t.Fatalf("RunOnce = %d, %v", n, err)
		}
		if len(got) != 5 || !slices.IsSorted(got) || parallel != 3 {
			t.Fatalf("batch handler got %v with parallel %d", got, parallel)
		}
		count := func(topic, status string) int {
			n, err := db.NewSelect().Model((*Message)(nil)).Where("topic = ? AND status = ?", topic, status).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		if count("b-ok", StatusDone) != 4 || count("b-ok", StatusDead) != 1 || count("b-one", StatusDone) != 2 {
			t.Fatalf("outcomes not recorded: ok done %d dead %d, one done %d", count("b-ok", StatusDone), count("b-ok", StatusDead), count("b-one", StatusDone))
		}

		for name, h := range map[string]BatchHandler{
			"b-panic": func(context.Context, []Message, int) []Result { panic("boom") },
			"b-short": func(context.Context, []Message, int) []Result { return []Result{Done()} },
		} {
			enqueue(t, db, name, 3, clk.Now())
			w := NewWorker(db, nil, WorkerOptions{Now: clk.Now})
			w.RegisterBatch(name, h)
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(name, StatusPending); n != 3 {
				t.Fatalf("%s: %d of 3 pending after a failed batch", name, n)
			}
			var errs []string
			if err := db.NewSelect().Model((*Message)(nil)).Column("last_error").Where("topic = ?", name).Scan(ctx, &errs); err != nil {
				t.Fatal(err)
			}
			for _, e := range errs {
				if e == "" {
					t.Fatalf("%s: retried without a reason: %q", name, fmt.Sprint(errs))
				}
			}
		}
	})
}

// A stop while a batch handler works lets it finish what it started; the messages it answers
// NotStarted for are handed back at once, not held until their lease runs out.
func TestStopHandsBackWhatABatchHandlerDidNotStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		enqueue(t, db, "b-stop", 4, time.Now())
		started, release := make(chan struct{}), make(chan struct{})
		w := NewWorker(db, nil, WorkerOptions{Batch: 4, Concurrency: 1, InFlight: 1}) // the four in one batch
		w.RegisterBatch("b-stop", func(ctx context.Context, msgs []Message, _ int) []Result {
			out := make([]Result, len(msgs))
			for i := range msgs {
				if i == 0 {
					close(started)
					<-release // the first is in hand when the stop comes
					out[i] = Done()
					continue
				}
				if ctx.Err() != nil {
					out[i] = NotStarted()
					continue
				}
				out[i] = Done()
			}
			return out
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		<-started
		cancel()
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var msgs []Message
		if err := db.NewSelect().Model(&msgs).Where("topic = ?", "b-stop").Order("id").Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if msgs[0].Status != StatusDone {
			t.Fatalf("the message in hand did not finish: %+v", msgs[0])
		}
		for _, m := range msgs[1:] {
			if m.Status != StatusPending || m.LockedBy != nil || m.Attempts != 0 {
				t.Fatalf("an unstarted message was not handed back: %+v", m)
			}
		}
	})
}

// Run works on InFlight claimed batches at once: while one batch waits (on a database or a push
// service), the next is claimed and handled.
func TestRunWorksOnSeveralBatchesAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		enqueue(t, db, "b-inflight", 2, time.Now())
		entered := make(chan struct{}, 2)
		bothIn := make(chan struct{})
		w := NewWorker(db, nil, WorkerOptions{Batch: 1, InFlight: 2, Poll: 10 * time.Millisecond})
		w.RegisterBatch("b-inflight", func(ctx context.Context, msgs []Message, _ int) []Result {
			entered <- struct{}{}
			select {
			case <-bothIn: // the other batch is in hand too
			case <-time.After(10 * time.Second):
			}
			return []Result{Done()}
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		for i := range 2 {
			select {
			case <-entered:
			case <-time.After(5 * time.Second):
				cancel()
				t.Fatalf("only %d of two single-message batches in hand at once", i)
			}
		}
		close(bothIn)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
