package suggest_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"minside/backend/internal/audit"
	"minside/backend/internal/outbox"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// drain runs the outbox with the engine's sweep topics until nothing is due.
func drain(t *testing.T, db *store.DB, e *suggest.Engine, now *time.Time) {
	t.Helper()
	w := outbox.NewWorker(db, map[string]outbox.Handler{suggest.TopicSweep: e.HandleSweep, suggest.TopicSweepChunk: e.HandleChunk},
		outbox.WorkerOptions{Now: func() time.Time { return *now }})
	for range 20 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A rule published (or changed) is evaluated for everyone at once, once per version; withdrawn
// with its suggestions audited and on the changes feed; an expired rule's suggestions go at the
// next day's sweep.
func TestPublishingARuleSweepsAndWithdraws(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 3, 1).Add(9 * time.Hour)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		kari := w.person("Kari", day(1990, 5, 5), "Grorud")
		jonas := w.person("Jonas", day(2025, 8, 14), "Grorud")
		w.guardian(kari, jonas)
		rule := w.rule("barnehage", "child", nil, `child.guardian && child.age < 6`, "fordi {child.name} er {child.age} år")
		inTx := func(f func(tx bun.Tx) error) {
			t.Helper()
			if err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return f(tx) }); err != nil {
				t.Fatal(err)
			}
		}

		for range 2 { // the same version twice: one sweep
			inTx(func(tx bun.Tx) error { return suggest.SweepRule(ctx, tx, rule, 1, now) })
		}
		if n := count(t, db, "SELECT count(*) FROM outbox WHERE topic = ?", suggest.TopicSweep); n != 1 {
			t.Fatalf("sweep messages = %d; want 1", n)
		}
		drain(t, db, e, &now)
		same(t, "published", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "active: fordi Jonas er 0 år"})

		var withdrawn int
		inTx(func(tx bun.Tx) (err error) {
			withdrawn, err = suggest.WithdrawRule(ctx, tx, rule, w.agency, "fordi {child.name} er {child.age} år", now)
			return err
		})
		if withdrawn != 1 {
			t.Fatalf("withdrawn = %d", withdrawn)
		}
		same(t, "unpublished", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "withdrawn: fordi Jonas er 0 år"})
		if n := count(t, db, "SELECT count(*) FROM audit_log WHERE action = ? AND subject_id = ?", audit.ActionSuggestionWithdrawn, kari); n != 1 {
			t.Errorf("withdrawal audit rows = %d", n)
		}
		if n := count(t, db, "SELECT count(*) FROM changes WHERE citizen_id = ? AND kind = 'suggestion' AND op = 'delete'", kari); n != 1 {
			t.Errorf("withdrawal feed rows = %d", n)
		}

		inTx(func(tx bun.Tx) error { return suggest.SweepRule(ctx, tx, rule, 2, now) })
		drain(t, db, e, &now)
		same(t, "published again", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "active: fordi Jonas er 0 år"})

		expiry := now.Add(time.Hour)
		if _, err := db.NewUpdate().Model((*suggest.RuleRow)(nil)).Set("expires_at = ?", expiry).Where("id = ?", rule).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
		if _, err := e.PlanSweep(ctx, now); err != nil {
			t.Fatal(err)
		}
		drain(t, db, e, &now)
		same(t, "expired", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "withdrawn: fordi Jonas er 0 år"})
	})
}
