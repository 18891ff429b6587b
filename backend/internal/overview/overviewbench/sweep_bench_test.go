package overviewbench

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// BenchmarkSweep50Rules times the daily suggestion sweep over the synthetic city with 50 rules
// published, on each engine, two workers (the machine's cores; a chunk reads and decides outside a
// transaction, so on SQLite too, and only writing takes turns): the first sweep, which makes
// every suggestion (reported as first-s), then the steady daily sweep, which finds them all made.
// The city's people have cases, bookings and keys but no children, so the child rules match nobody.
// The rules and everything they made are removed afterwards; the city stays as it was.
func BenchmarkSweep50Rules(b *testing.B) {
	for _, kind := range []store.Kind{store.SQLite, store.Postgres} {
		b.Run(string(kind), func(b *testing.B) {
			databaseURL, citizens, ok := benchDatabase(b, kind)
			if !ok {
				b.Skip("PostgreSQL not configured (MINSIDE_TEST_POSTGRES_DSN)")
			}
			ctx := context.Background()
			db, err := store.Open(ctx, databaseURL)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			env, err := suggest.NewEnv()
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			publishBenchRules(b, db, now)
			defer unpublishBenchRules(b, db)
			engine := suggest.NewEngine(db, env, func() time.Time { return now }, quiet, false)

			start := time.Now()
			first, err := engine.Sweep(ctx, sweepWorkers)
			if err != nil {
				b.Fatal(err)
			}
			firstTook := time.Since(start)
			var out suggest.Outcome
			cpuBefore := processCPU(b)
			b.ResetTimer()
			for range b.N {
				if out, err = engine.Sweep(ctx, sweepWorkers); err != nil {
					b.Fatal(err)
				}
			}
			// This process's CPU (deciding, decoding, the driver), apart from the database server's: on
			// a shared machine it moves less than the wall clock does.
			b.ReportMetric((processCPU(b)-cpuBefore).Seconds()/float64(b.N), "go-cpu-s/sweep")
			b.ReportMetric(firstTook.Seconds(), "first-s") // after the loop: ResetTimer drops reported metrics
			b.ReportMetric(float64(first.Made), "made")
			perSweep := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(perSweep, "s/sweep")
			b.ReportMetric(float64(citizens)/perSweep, "people/s")
			b.ReportMetric(700_000/(float64(citizens)/perSweep), "s-at-700k")
			if out.Made != 0 || out.People != citizens {
				b.Fatalf("a steady sweep made %d over %d people, want 0 over %d", out.Made, out.People, citizens)
			}
		})
	}
}

// publishBenchRules publishes suggest.BenchRules(50) under the city's first agency.
func publishBenchRules(b *testing.B, db *store.DB, now time.Time) {
	ctx := context.Background()
	unpublishBenchRules(b, db) // a run cut short leaves its rules behind
	var agencyID string
	if err := db.NewSelect().Table("agencies").Column("id").OrderExpr("slug").Limit(1).Scan(ctx, &agencyID); err != nil {
		b.Fatal(err)
	}
	now = store.UTC(now)
	for _, d := range suggest.BenchRules(50) {
		events := d.Events
		if events == nil {
			events = []string{}
		}
		r := &suggest.RuleRow{ID: store.NewID(), AgencyID: agencyID, ExternalID: d.ID, Version: 1, Status: suggest.RulePublished,
			Category: d.Category, Area: d.Area, AppliesTo: d.Subject, Events: events, Condition: d.Condition,
			Action: suggest.Action{Type: "link", Link: "https://www.example.kommune.no/"}, CreatedAt: now, UpdatedAt: now}
		if _, err := db.NewInsert().Model(r).Exec(ctx); err != nil {
			b.Fatal(err)
		}
		if err := texts.Save(ctx, db, "rule", r.ID, texts.Fields{"why": d.Why, "title": {"nb": d.ID}}); err != nil {
			b.Fatal(err)
		}
	}
}

// unpublishBenchRules removes the bench rules, their suggestions (by cascade), and the audit and
// feed rows the sweeps wrote.
func unpublishBenchRules(b *testing.B, db *store.DB) {
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM texts WHERE owner_kind = 'rule' AND owner_id IN (SELECT id FROM rules WHERE external_id LIKE 'bench-%')", nil},
		{"DELETE FROM rules WHERE external_id LIKE 'bench-%'", nil},
		{"DELETE FROM audit_log WHERE action IN (?, ?)", []any{audit.ActionSuggestionMade, audit.ActionSuggestionWithdrawn}},
		{"DELETE FROM changes WHERE kind = 'suggestion'", nil},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatal(err)
		}
	}
}

// processCPU is the user and system CPU time this process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sweepWorkers is how many chunks run at once: MINSIDE_BENCH_SWEEP_WORKERS, default 2 (the
// outbox runs up to OutboxConcurrency in production).
var sweepWorkers = func() int {
	if n, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_SWEEP_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 2
}()
