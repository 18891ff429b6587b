package notify

import (
	"testing"

	"minside/backend/internal/cases"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// A claimed batch of pushes costs the same few statements whatever its size: the claim, one read
// of the deliveries, one of the devices, one update of the deliveries, one of the devices and one
// of the outbox. It used to be five per push (read, two updates, the worker's claim and record).
func TestPushBatchCostsAFewStatements(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const people = 30
		ag := e.agency("Plan- og bygningsetaten")
		var who []string
		for range people {
			id := e.citizen(adult)
			e.device(id)
			e.enqueue(outbox.NotifyEvent{CitizenID: id, Kind: "case", ObjectID: e.caseFor(id, ag, cases.StatusInProgress), Reason: "status_changed"})
			who = append(who, id)
		}
		fanOut := outbox.NewWorker(db, map[string]outbox.Handler{outbox.TopicNotify: e.notifier.HandleNotify},
			outbox.WorkerOptions{Now: e.clock.Now, Batch: people})
		if n, err := fanOut.RunOnce(e.ctx); err != nil || n != people {
			t.Fatalf("fan-out RunOnce = %d, %v", n, err)
		}
		send := outbox.NewWorker(db, nil, outbox.WorkerOptions{Now: e.clock.Now, Batch: people, Concurrency: 8})
		send.RegisterBatch(outbox.TopicPush, e.pusher.HandlePushBatch)
		statements := db.CountRoundTrips()
		if n, err := send.RunOnce(e.ctx); err != nil || n != people {
			t.Fatalf("send RunOnce = %d, %v", n, err)
		}
		if got := statements.Take(); got > 7 {
			t.Errorf("%d statements to send a batch of %d pushes, want at most 7", got, people)
		}
		e.noRejections()
		for _, id := range who {
			if ds := e.deliveries(id); len(ds) != 1 || ds[0].State != StateDelivered || ds[0].Attempts != 1 {
				t.Fatalf("deliveries = %+v", ds)
			}
		}
		stamped, err := db.NewSelect().Model((*Device)(nil)).Where("last_sent_at IS NOT NULL AND failures = 0").Count(e.ctx)
		if err != nil || stamped != people {
			t.Fatalf("%d of %d devices stamped, %v", stamped, people, err)
		}
	})
}
