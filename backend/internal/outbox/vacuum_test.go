package outbox

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// The janitor vacuums the outbox on PostgreSQL once finished messages have left VacuumDeadRows
// dead row versions, not before; what an open transaction keeps alive is not vacuumed over and
// over; Run does it on its own ticker. On SQLite there is nothing to vacuum.
func TestJanitorVacuumsTheOutboxWhenDeadRowsPileUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const threshold = 100
		metrics := NewMetrics(prometheus.NewRegistry())
		j := NewJanitor(db, JanitorOptions{VacuumDeadRows: threshold, VacuumEvery: 10 * time.Millisecond, Metrics: metrics})
		vacuums := func() float64 { return counterValue(metrics.vacuums) }

		if db.Kind == store.SQLite {
			finish(t, db, 2*threshold)
			ran, err := j.VacuumOutbox(ctx)
			if err != nil || ran || vacuums() != 0 {
				t.Fatalf("VacuumOutbox on SQLite ran = %v, %v; counted %v", ran, err, vacuums())
			}
			return
		}
		// Only the janitor vacuums here, so what the counts show is its doing.
		if _, err := db.ExecContext(ctx, "ALTER TABLE outbox SET (autovacuum_enabled = false)"); err != nil {
			t.Fatal(err)
		}
		if ran, err := j.VacuumOutbox(ctx); err != nil || ran {
			t.Fatalf("VacuumOutbox on an empty outbox ran = %v, %v", ran, err)
		}

		finish(t, db, 2*threshold)
		waitDeadRows(t, db, threshold)
		waitOlderSnapshots(t, db)
		if ran, err := j.VacuumOutbox(ctx); err != nil || !ran {
			t.Fatalf("VacuumOutbox over %d dead rows ran = %v, %v", deadRows(t, db), ran, err)
		}
		if dead := deadRows(t, db); dead >= threshold || vacuums() != 1 {
			t.Fatalf("after the vacuum: %d dead rows, %v vacuums counted", dead, vacuums())
		}

		// A transaction that began before the next messages finished may still see their old
		// versions: the vacuum must leave them, and the janitor does not try again for them alone.
		old, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = old.Rollback() }()
		if _, err := old.ExecContext(ctx, "SELECT count(*) FROM outbox"); err != nil { // takes the snapshot
			t.Fatal(err)
		}
		finish(t, db, 2*threshold)
		waitDeadRows(t, db, threshold)
		if ran, err := j.VacuumOutbox(ctx); err != nil || !ran {
			t.Fatalf("VacuumOutbox under an old snapshot ran = %v, %v", ran, err)
		}
		left := deadRows(t, db)
		if left < threshold {
			t.Fatalf("the vacuum removed rows an open transaction can see: %d left", left)
		}
		if ran, err := j.VacuumOutbox(ctx); err != nil || ran || vacuums() != 2 {
			t.Fatalf("VacuumOutbox over only what it had to leave ran = %v, %v; %v counted", ran, err, vacuums())
		}
		if err := old.Rollback(); err != nil {
			t.Fatal(err)
		}

		// Run looks on its own ticker; more finished messages push it over the line again.
		finish(t, db, 2*threshold)
		waitDeadRows(t, db, left+threshold)
		waitOlderSnapshots(t, db)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { j.Run(runCtx); close(done) }()
		defer func() { stop(); <-done }()
		deadline := time.Now().Add(30 * time.Second)
		for vacuums() < 3 {
			if time.Now().After(deadline) {
				t.Fatalf("Run did not vacuum within 30 s (%d dead rows)", deadRows(t, db))
			}
			time.Sleep(10 * time.Millisecond)
		}
		if dead := deadRows(t, db); dead >= threshold {
			t.Fatalf("after Run's vacuum: %d dead rows", dead)
		}
	})
}

// finish enqueues n messages and has a worker finish them, as a burst of notifications would.
func finish(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	msgs := make([]Message, n)
	for i := range msgs {
		m, err := NewMessage("vacuum", map[string]int{"n": i}, now, Options{})
		if err != nil {
			t.Fatal(err)
		}
		msgs[i] = m
	}
	if _, err := EnqueueAll(ctx, db, msgs); err != nil {
		t.Fatal(err)
	}
	w := NewWorker(db, map[string]Handler{"vacuum": func(context.Context, Message) Result { return Done() }}, WorkerOptions{Batch: 50})
	for left := n; left > 0; {
		got, err := w.RunOnce(ctx)
		if err != nil || got == 0 {
			t.Fatalf("RunOnce = %d, %v with %d to go", got, err, left)
		}
		left -= got
	}
}

// waitOlderSnapshots waits until no other transaction in the database that began before now holds
// a snapshot or a transaction id. Other packages' tests share the database in CI, and a vacuum must
// leave every row version such a transaction may still see: one with a snapshot (backend_xmin), and
// also one that has written and sits idle between statements, with no snapshot but an id
// (backend_xid) that holds the horizon all the same (CI once vacuumed nothing behind such a one).
func waitOlderSnapshots(t *testing.T, db *store.DB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var since time.Time
	if err := db.QueryRowContext(context.Background(), "SELECT clock_timestamp()").Scan(&since); err != nil {
		t.Fatal(err)
	}
	for {
		var older int
		if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()
AND (backend_xmin IS NOT NULL OR backend_xid IS NOT NULL) AND xact_start < ?`, since).Scan(&older); err != nil {
			t.Fatal(err)
		}
		if older == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions older than %s still run after 30 s", older, since)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func deadRows(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var dead int64
	if err := db.QueryRowContext(context.Background(),
		"SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = to_regclass('outbox')").Scan(&dead); err != nil {
		t.Fatal(err)
	}
	return dead
}

// waitDeadRows waits until pg_stat counts at least want dead outbox rows. A backend adds its counts
// when it goes idle, at most once a second and otherwise up to 10 s later; one that exits adds them
// at once, so the pool's idle connections are closed first.
func waitDeadRows(t *testing.T, db *store.DB, want int64) {
	t.Helper()
	db.SetMaxIdleConns(0)
	db.SetMaxIdleConns(20)
	deadline := time.Now().Add(30 * time.Second)
	for {
		dead := deadRows(t, db)
		if dead >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pg_stat counts %d dead outbox rows after 30 s, want at least %d", dead, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
