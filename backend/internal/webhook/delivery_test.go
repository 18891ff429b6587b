package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// receiver is an agency's endpoint as docs/webhooks.md tells agencies to write it: verify the
// signature, dedupe on webhook-id, answer 2xx. It also loses some answers (processes the event,
// then answers 500) to force redeliveries the dedupe must absorb.
type receiver struct {
	t      *testing.T
	secret string

	mu         sync.Mutex
	accepted   map[string]int // event id → times processed
	duplicates int
	requests   int
	unavailFor int // answer 503 to this many first requests
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if err := Verify(r.secret, req.Header, body, DefaultTolerance); err != nil {
		r.t.Errorf("receiver: %v", err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get(HeaderID) {
		r.t.Errorf("receiver: body %s does not match webhook-id %s", body, req.Header.Get(HeaderID))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.requests <= r.unavailFor {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if r.accepted[ev.ID] > 0 {
		r.duplicates++
		w.WriteHeader(http.StatusOK) // already processed: acknowledge, do nothing
		return
	}
	r.accepted[ev.ID]++
	if len(r.accepted)%4 == 0 {
		w.WriteHeader(http.StatusInternalServerError) // processed, but the answer is "lost"
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestEventsSurviveADownReceiverAndARestart: the receiver refuses connections, the worker gives
// up and stops (a process exit), a new worker starts on the same database, the receiver comes
// up answering 503 at first: every event still arrives, correctly signed, once per event id.
func TestEventsSurviveADownReceiverAndARestart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Reserve a port and free it: connecting to it is refused until the receiver starts.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		a, secret := newAgency(t, db, "http://"+addr+"/minside/hooks")

		const events = 24
		var ids []string
		err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for range events {
				id, err := EnqueueEvent(ctx, tx, a.ID, EventKeyUsed, KeyUsed{Key: "K-1", Facility: "F-1", AccessPoint: "D-1", Result: "opened", At: time.Now().UTC(), By: ActorCitizen}, time.Now())
				if err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		newWorker := func() *outbox.Worker {
			s := NewSender(db, SenderOptions{Client: NewClient(true, 2*time.Second)})
			return outbox.NewWorker(db, map[string]outbox.Handler{outbox.TopicWebhook: s.Handle}, outbox.WorkerOptions{
				Poll: 10 * time.Millisecond, BackoffMin: 5 * time.Millisecond, BackoffMax: 40 * time.Millisecond, Concurrency: 4,
				// Production's 20 attempts span hours of backoff; at these millisecond backoffs a
				// loaded machine could spend them in the outage itself and mark events dead.
				MaxAttempts: 10000,
			})
		}
		// First process: only refused connections; then it stops.
		runCtx, stop := context.WithCancel(ctx)
		first := newWorker()
		done := make(chan error, 1)
		go func() { done <- first.Run(runCtx) }()
		waitFor(t, 5*time.Second, "failed attempts while the receiver is down", func() bool {
			n, err := db.NewSelect().Model((*outbox.Message)(nil)).Where("attempts >= 2 AND status = ?", outbox.StatusPending).Count(ctx)
			return err == nil && n == events
		})
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		// The receiver comes up, overloaded at first.
		rcv := &receiver{t: t, secret: secret, accepted: map[string]int{}, unavailFor: 5}
		srv := httptest.NewUnstartedServer(rcv)
		if srv.Listener, err = net.Listen("tcp", addr); err != nil {
			t.Fatalf("reopen %s: %v", addr, err)
		}
		srv.Start()
		defer srv.Close()

		// A new process: a new worker and sender on the same database.
		runCtx, stop = context.WithCancel(ctx)
		defer stop()
		second := newWorker()
		go func() { done <- second.Run(runCtx) }()
		waitFor(t, 10*time.Second, "every event delivered", func() bool {
			n, err := db.NewSelect().Model((*outbox.Message)(nil)).Where("status = ?", outbox.StatusDone).Count(ctx)
			return err == nil && n == events
		})
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}

		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		for _, id := range ids {
			if rcv.accepted[id] != 1 {
				t.Errorf("event %s processed %d times, want 1", id, rcv.accepted[id])
			}
		}
		if len(rcv.accepted) != events {
			t.Errorf("receiver processed %d distinct events, want %d", len(rcv.accepted), events)
		}
		if rcv.duplicates == 0 {
			t.Error("no redelivery reached the receiver: the dedupe was not exercised")
		}
	})
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
