package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// replica is what one portal process runs of the outbox: its own connection pool, Notifier,
// Pusher and worker, sharing only the database, the VAPID keys and the push service.
type replica struct {
	db     *store.DB
	worker *outbox.Worker
	mu     sync.Mutex
	pushes int // pushes in the messages this replica's worker handled
}

func newReplica(t *testing.T, e *env, databaseURL string, name string) *replica {
	t.Helper()
	db, err := store.Open(e.ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	prefs, err := NewPreferences(db, e.bundle.Has)
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := push.ParseSubject("mailto:drift@kommune.example.no")
	sender, err := push.NewSender(e.keys, subject, e.srv.AllowList(), e.srv.Client(10*time.Second), push.SenderOptions{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	pusher, err := NewPusher(db, sender, PusherOptions{Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := &replica{db: db}
	notifier := NewNotifier(db, prefs, e.bundle, nil, e.clock.Now)
	r.worker = outbox.NewWorker(db, nil, outbox.WorkerOptions{ID: name, Now: e.clock.Now, Batch: 8, Concurrency: 4, Poll: 5 * time.Millisecond})
	r.worker.RegisterBatch(outbox.TopicNotify, notifier.HandleNotifyBatch)
	r.worker.RegisterBatch(outbox.TopicPush, func(ctx context.Context, msgs []outbox.Message, parallel int) []handlerResult {
		n := 0
		for _, m := range msgs {
			jobs, err := decodePushMessage(m.Payload)
			if err != nil {
				t.Error(err)
			}
			n += len(jobs)
		}
		r.mu.Lock()
		r.pushes += n
		r.mu.Unlock()
		return pusher.HandlePushBatch(ctx, msgs, parallel)
	})
	return r
}

// Three replicas, each with its own pool, work one outbox at the same time: every citizen's
// device receives its push exactly once (the fake service decrypts each one and checks its id),
// every outbox message ends done and every delivery delivered. On PostgreSQL the claims take
// disjoint rows with FOR UPDATE SKIP LOCKED; on SQLite the three pools share one file whose single
// writer serializes the claims.
func TestThreeReplicasDeliverEachPushExactlyOnce(t *testing.T) {
	t.Parallel()
	for kind, databaseURL := range storetest.URLs(t) {
		t.Run(string(kind), func(t *testing.T) {
			ctx := context.Background()
			first, err := store.Open(ctx, databaseURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = first.Close() })
			if err := first.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, first)
			const people = 60
			ag := e.agency("Plan- og bygningsetaten")
			subs := map[string]push.Subscription{} // citizen → their browser
			for range people {
				who := e.citizen(adult)
				sub, _ := e.device(who)
				subs[who] = sub
				e.enqueue(outbox.NotifyEvent{CitizenID: who, Kind: "case", ObjectID: e.caseFor(who, ag, cases.StatusInProgress), Reason: "status_changed"})
			}
			replicas := make([]*replica, 3)
			for i := range replicas {
				replicas[i] = newReplica(t, e, databaseURL, fmt.Sprint("replica-", i))
			}
			runCtx, stop := context.WithCancel(ctx)
			var wg sync.WaitGroup
			for _, r := range replicas {
				wg.Go(func() { _ = r.worker.Run(runCtx) })
			}
			deadline := time.Now().Add(60 * time.Second)
			for {
				pending, err := first.NewSelect().Model((*outbox.Message)(nil)).Where("status <> ?", outbox.StatusDone).Count(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if pushes := len(e.pushJobs()); pending == 0 && pushes == people {
					break
				}
				if time.Now().After(deadline) {
					stop()
					wg.Wait()
					t.Fatalf("%d outbox messages not done after 60 s", pending)
				}
				time.Sleep(20 * time.Millisecond)
			}
			stop()
			wg.Wait()

			e.noRejections()
			for who, sub := range subs {
				msgs := e.srv.Messages(sub)
				ds := e.deliveries(who)
				if len(msgs) != 1 || len(ds) != 1 {
					t.Fatalf("citizen got %d pushes and %d deliveries, want exactly 1 of each", len(msgs), len(ds))
				}
				var p push.Payload
				if err := msgs[0].Decode(&p); err != nil {
					t.Fatal(err)
				}
				if p.ID != ds[0].ID || ds[0].State != StateDelivered || ds[0].Attempts != 1 {
					t.Fatalf("push %q for delivery %+v", p.ID, ds[0])
				}
			}
			handled := make([]int, len(replicas))
			for i, r := range replicas {
				handled[i] = r.pushes
			}
			if sum := handled[0] + handled[1] + handled[2]; sum != people {
				t.Fatalf("replicas handled %v pushes, %d in all, want %d", handled, sum, people)
			}
			sort.Ints(handled)
			t.Logf("pushes per replica: %v", handled) // how the claims spread; timing decides
		})
	}
}
