package outbox

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
)

// BenchmarkClaimOverFinished times one claim of a batch (50, the production default) while
// MINSIDE_BENCH_FINISHED (default 50 000) messages older than the pending ones have just finished,
// as during a notification to many devices; each claimed batch is then finished, untimed. On
// PostgreSQL the finished messages' old versions are still in the claim's index until a vacuum:
// "unvacuumed" holds autovacuum off, "vacuumed" runs VACUUM (ANALYZE) first, as the janitor does.
// first-claim-ms is the first claim of a run, which meets every dead index entry; later claims
// find most of them marked dead by it. Every run starts on a fresh database, so use a fixed
// count (-benchtime=200x): the setup is paid per run.
func BenchmarkClaimOverFinished(b *testing.B) {
	finished := 50000
	if v, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_FINISHED")); err == nil && v > 0 {
		finished = v
	}
	b.Run("sqlite", func(b *testing.B) { benchClaims(b, storetest.SQLite(b), finished, false) })
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		return
	}
	b.Run("postgres", func(b *testing.B) {
		b.Run("unvacuumed", func(b *testing.B) { benchClaims(b, storetest.Postgres(b), finished, false) })
		b.Run("vacuumed", func(b *testing.B) { benchClaims(b, storetest.Postgres(b), finished, true) })
	})
}

func benchClaims(b *testing.B, db *store.DB, finished int, vacuum bool) {
	ctx := context.Background()
	const batch = 50
	now := time.Now()
	if db.Kind == store.Postgres {
		if _, err := db.ExecContext(ctx, "ALTER TABLE outbox SET (autovacuum_enabled = false)"); err != nil {
			b.Fatal(err)
		}
	}
	benchEnqueue(b, db, finished, now.Add(-time.Hour))
	if _, err := db.NewUpdate().Model((*Message)(nil)).Set("status = ?", StatusDone).Set("done_at = ?", store.UTC(now)).
		Where("status = ?", StatusPending).Exec(ctx); err != nil {
		b.Fatal(err)
	}
	benchEnqueue(b, db, b.N*batch, now.Add(-time.Minute))
	if vacuum {
		if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) outbox"); err != nil {
			b.Fatal(err)
		}
	}
	w := NewWorker(db, map[string]Handler{"bench": func(context.Context, Message) Result { return Done() }},
		WorkerOptions{Batch: batch, Concurrency: 8})
	done := make([]Result, batch)
	for i := range done {
		done[i] = Done()
	}
	var first time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		msgs, err := w.claim(ctx)
		if i == 0 {
			first = time.Since(start)
		}
		if err != nil || len(msgs) != batch {
			b.Fatalf("claim %d took %d messages, %v", i, len(msgs), err)
		}
		b.StopTimer()
		if err := w.record(ctx, msgs, done); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(first.Microseconds())/1000, "first-claim-ms")
	b.ReportMetric(float64(finished), "finished")
}

// benchEnqueue writes n pending messages due at `at`, a few thousand per statement.
func benchEnqueue(b *testing.B, db *store.DB, n int, at time.Time) {
	ctx := context.Background()
	const chunk = 2000
	for from := 0; from < n; from += chunk {
		msgs := make([]Message, min(chunk, n-from))
		for i := range msgs {
			m, err := NewMessage("bench", map[string]int{"n": from + i}, at, Options{})
			if err != nil {
				b.Fatal(err)
			}
			msgs[i] = m
		}
		if _, err := EnqueueAll(ctx, db, msgs); err != nil {
			b.Fatal(err)
		}
	}
}
