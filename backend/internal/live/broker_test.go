package live_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/changes"
	"minside/backend/internal/live"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

func start(t *testing.T, db *store.DB) (*live.Broker, context.CancelFunc, chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := live.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), 50*time.Millisecond)
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-b.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("broker not ready")
	}
	return b, cancel, done
}

func record(t *testing.T, db bun.IDB, who *string, kind, id string) {
	t.Helper()
	if err := changes.Record(context.Background(), db, who, kind, id, changes.OpUpsert, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func expect(t *testing.T, s *live.Subscription, want ...string) {
	t.Helper()
	deadline := time.After(time.Second)
	for _, id := range want {
		select {
		case ev, ok := <-s.C:
			if !ok {
				t.Fatalf("subscription closed, waiting for %s", id)
			}
			if ev.ID != id {
				t.Fatalf("event %+v, want %s", ev, id)
			}
		case <-deadline:
			t.Fatalf("%s not delivered within a second", id)
		}
	}
}

func quiet(t *testing.T, s *live.Subscription) {
	t.Helper()
	select {
	case ev := <-s.C:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(150 * time.Millisecond):
	}
}

func TestEventsReachTheirPeopleOnEveryReplica(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		replicaA, _, _ := start(t, db)
		replicaB, _, _ := start(t, db)
		kari, per := store.NewID(), store.NewID()
		onA := replicaA.Subscribe([]string{kari})
		onB := replicaB.Subscribe([]string{kari})
		perOnB := replicaB.Subscribe([]string{per})

		caseID, tileID := store.NewID(), store.NewID()
		record(t, db, &kari, "case", caseID)
		record(t, db, nil, "tile", tileID)
		expect(t, onA, caseID, tileID)
		expect(t, onB, caseID, tileID)
		expect(t, perOnB, tileID)
		quiet(t, perOnB)

		replicaB.Cancel(onB)
		if _, open := <-onB.C; open {
			t.Error("cancelled subscription still open")
		}
	})
}

// TestALateCommitIsNotSkipped: a transaction that took a lower seq and commits after a higher one
// was delivered is still delivered.
func TestALateCommitIsNotSkipped(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Kind != store.Postgres {
			return // SQLite has one writer: seq order is commit order
		}
		b, _, _ := start(t, db)
		kari := store.NewID()
		sub := b.Subscribe([]string{kari})
		slow, err := db.BeginTx(context.Background(), &sql.TxOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = slow.Rollback() }()
		early, late := store.NewID(), store.NewID()
		record(t, slow, &kari, "case", early)
		record(t, db, &kari, "case", late)
		expect(t, sub, late)
		if err := slow.Commit(); err != nil {
			t.Fatal(err)
		}
		expect(t, sub, early)
	})
}

func TestStopEndsEveryStream(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b, cancel, done := start(t, db)
	sub := b.Subscribe([]string{store.NewID()})
	cancel()
	<-done
	if _, open := <-sub.C; open {
		t.Error("subscription open after the broker stopped")
	}
	if _, open := <-b.Subscribe(nil).C; open {
		t.Error("a subscription made after stop is open")
	}
}
