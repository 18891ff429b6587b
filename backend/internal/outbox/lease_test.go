package outbox

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

const testLease = 300 * time.Millisecond

// A message handled for longer than one lease stays with its worker: the lease is renewed while
// the handler runs, so no other worker takes it, and it is handled once.
func TestMessagesInHandStayLeased(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		enqueue(t, db, "slow", 1, clk.Now())
		release := make(chan struct{})
		var handled atomic.Int32
		slow := func(context.Context, Message) Result { handled.Add(1); <-release; return Done() }
		opts := WorkerOptions{Now: clk.Now, Lease: testLease, Batch: 1, Concurrency: 1, HandlerTimeout: time.Minute}
		a, b := opts, opts
		a.ID, b.ID = "a", "b"
		aDone := make(chan error, 1)
		go func() {
			_, err := NewWorker(db, map[string]Handler{"slow": slow}, a).RunOnce(ctx)
			aDone <- err
		}()
		waitFor(t, func() bool { return handled.Load() == 1 })
		clk.Add(10 * testLease) // the lease of the claim has long run out on the clock
		waitFor(t, func() bool { m := only(t, db, "slow"); return m.LockedUntil != nil && m.LockedUntil.After(clk.Now()) })
		if n, err := NewWorker(db, map[string]Handler{"slow": slow}, b).RunOnce(ctx); err != nil || n != 0 {
			t.Fatalf("another worker took %d messages still in hand (%v)", n, err)
		}
		close(release)
		if err := <-aDone; err != nil {
			t.Fatal(err)
		}
		if m := only(t, db, "slow"); m.Status != StatusDone || m.Attempts != 1 || handled.Load() != 1 {
			t.Fatalf("message %+v handled %d times, want done once", m, handled.Load())
		}
	})
}

// A handler that never returns does not keep its message for ever: renewal stops once the batch
// has had its handlers' time and one lease more, and another worker then takes the message.
func TestAHandlerThatOverstaysLosesItsMessage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		enqueue(t, db, "stuck", 1, clk.Now())
		release := make(chan struct{})
		var stuck atomic.Int32
		ignoresItsTime := func(context.Context, Message) Result { stuck.Add(1); <-release; return Done() }
		opts := WorkerOptions{Now: clk.Now, Lease: testLease, Batch: 1, Concurrency: 1, HandlerTimeout: 100 * time.Millisecond}
		a, b := opts, opts
		a.ID, b.ID = "a", "b"
		aDone := make(chan error, 1)
		go func() {
			_, err := NewWorker(db, map[string]Handler{"stuck": ignoresItsTime}, a).RunOnce(ctx)
			aDone <- err
		}()
		waitFor(t, func() bool { return stuck.Load() == 1 })
		// The batch's time (one handler timeout) and one lease pass; then the lease stays as it is.
		time.Sleep(100*time.Millisecond + testLease + 300*time.Millisecond)
		before := only(t, db, "stuck").LockedUntil
		clk.Add(testLease)
		time.Sleep(testLease) // three renewals' worth
		if after := only(t, db, "stuck").LockedUntil; before == nil || after == nil || !after.Equal(*before) {
			t.Fatalf("the lease moved from %v to %v after the batch's time was up", before, after)
		}
		clk.Add(10 * testLease)
		other := NewWorker(db, map[string]Handler{"stuck": func(context.Context, Message) Result { return Done() }}, b)
		if n, err := other.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("the other worker took %d messages (%v), want the stuck one", n, err)
		}
		close(release)
		if err := <-aDone; err != nil {
			t.Fatal(err)
		}
		if m := only(t, db, "stuck"); m.Status != StatusDone || m.Attempts != 2 || deref(m.LockedBy) != "" {
			t.Fatalf("message %+v, want done by the other worker on the second attempt", m)
		}
	})
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
	}
}
