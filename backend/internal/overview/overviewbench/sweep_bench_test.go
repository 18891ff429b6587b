package overviewbench

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"minside/backend/internal/audit"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
	"minside/backend/internal/texts"
)

// BenchmarkSweep50Rules times the daily suggestion sweep over the synthetic city with 50 rules
// published, on each engine, two workers (the machine's cores; a chunk reads and decides outside a
// transaction, so on SQLite too, and only writing takes turns): the first sweep, which evaluates
// everyone and makes every suggestion (reported as first-s), then b.N daily sweeps twice ("busy":
// the days right after, "quiet": three months on), each a day after the one before, which
// evaluate only who is due (their weekly turn, a date of theirs, a rule's flip) and write what
// time changed. Run it with -benchtime 7x for weeks. The city's people have cases, bookings and
// keys but no children, so the child rules match nobody. The rules and everything they made are
// removed afterwards; the city stays as it was.
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
			if first.People != citizens {
				b.Fatalf("the first sweep evaluated %d people, want all %d", first.People, citizens)
			}
			firstTook := time.Since(start)
			// A week right after the city was made, where everyone's bookings, keys and waiting
			// cases are a few weeks old or due (the synthetic city's dates are all near its making),
			// then a week three months on, when those dates are behind.
			week := func() (slowest time.Duration, total suggest.Outcome) {
				for range b.N {
					now = now.AddDate(0, 0, 1)
					began := time.Now()
					out, err := engine.Sweep(ctx, sweepWorkers)
					if err != nil {
						b.Fatal(err)
					}
					slowest = max(slowest, time.Since(began))
					total.People, total.Made, total.Withdrawn = total.People+out.People, total.Made+out.Made, total.Withdrawn+out.Withdrawn
				}
				return slowest, total
			}
			cpuBefore := storetest.SelfCPU()
			b.ResetTimer()
			busySlowest, busyTotal := week()
			busy := b.Elapsed()
			b.StopTimer()
			cpuBusy := storetest.SelfCPU() - cpuBefore
			now = now.AddDate(0, 3, 0)
			if _, err := engine.Sweep(ctx, sweepWorkers); err != nil { // catching up on three months
				b.Fatal(err)
			}
			if kind == store.Postgres {
				// A day passes before the next sweep, and autovacuum with it: the catch-up rewrote
				// hundreds of thousands of suggestions, whose dead rows would otherwise slow the
				// first quiet day (84.5 s at 700,000 unvacuumed, 35.0 s vacuumed).
				if _, err := db.ExecContext(ctx, "VACUUM (ANALYZE) suggestions, suggest_due, audit_log, changes"); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			quietStarted, cpuQuiet := b.Elapsed(), storetest.SelfCPU()
			quietSlowest, quietTotal := week()
			quiet := b.Elapsed() - quietStarted
			cpuQuiet = storetest.SelfCPU() - cpuQuiet
			days := float64(b.N)
			// After the loops: ResetTimer drops metrics reported before it.
			b.ReportMetric(firstTook.Seconds(), "first-s")
			b.ReportMetric(float64(first.Made), "made")
			for _, m := range []struct {
				name          string
				took, slowest time.Duration
				total         suggest.Outcome
				cpu           time.Duration
			}{{"busy", busy, busySlowest, busyTotal, cpuBusy}, {"quiet", quiet, quietSlowest, quietTotal, cpuQuiet}} {
				perDay := m.took.Seconds() / days
				b.ReportMetric(perDay, m.name+"-s/day")
				b.ReportMetric(m.slowest.Seconds(), m.name+"-slowest-s")
				b.ReportMetric(float64(m.total.People)/days, m.name+"-people/day")
				b.ReportMetric(float64(m.total.Made+m.total.Withdrawn)/days, m.name+"-changed/day")
				// This process's CPU (deciding, decoding, the driver), apart from the database
				// server's: on a shared machine it moves less than the wall clock does.
				b.ReportMetric(m.cpu.Seconds()/days, m.name+"-go-cpu-s/day")
				b.ReportMetric(700_000/float64(citizens)*perDay, m.name+"-s-at-700k")
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
// feed rows and due days the sweeps wrote.
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
		{"DELETE FROM suggest_due", nil}, // the next run's first sweep evaluates everyone again
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			b.Fatal(err)
		}
	}
}

// sweepWorkers is how many chunks run at once: MINSIDE_BENCH_SWEEP_WORKERS, default 2 (the
// outbox runs up to OutboxConcurrency in production).
var sweepWorkers = func() int {
	if n, err := strconv.Atoi(os.Getenv("MINSIDE_BENCH_SWEEP_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 2
}()
