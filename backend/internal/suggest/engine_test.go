package suggest_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

func newEngine(t *testing.T, db *store.DB, now *time.Time) *suggest.Engine {
	env, err := suggest.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	return suggest.NewEngine(db, env, func() time.Time { return *now }, nil, false)
}

func same(t *testing.T, step string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s:\n got  %v\n want %v", step, got, want)
	}
}

// A state rule holds while its condition does: made when it starts to, withdrawn when it stops,
// active again when it holds again; one row per (rule, person, occurrence) throughout.
func TestStateRuleIsMadeWithdrawnAndMadeAgain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 3, 1)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		kari := w.person("Kari", day(1990, 5, 5), "Grorud")
		jonas := w.person("Jonas", day(2025, 8, 14), "Grorud")
		w.guardian(kari, jonas)
		w.rule("barnehage", "child", nil,
			`child.guardian && child.age < 6 && !cases.exists(c, c.kind == "kindergarten" && c.status in ["received", "in_progress", "decided"])`,
			"fordi {child.name} er {child.age} år og ikke har barnehageplass")

		if _, err := e.Evaluate(ctx, kari, suggest.Event{Kind: "relation.created"}); err != nil {
			t.Fatal(err)
		}
		same(t, "no place yet", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "active: fordi Jonas er 0 år og ikke har barnehageplass"})

		application := w.caseOf(kari, "kindergarten", "received")
		out, err := e.Evaluate(ctx, kari, suggest.Event{Kind: "case.created", ObjectID: application})
		if err != nil || out.Withdrawn != 1 {
			t.Fatalf("evaluate after the application = %+v, %v", out, err)
		}
		same(t, "applied", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "withdrawn: fordi Jonas er 0 år og ikke har barnehageplass"})

		w.setCase(application, "closed")
		if _, err := e.Evaluate(ctx, kari, suggest.Event{Kind: "case.updated", ObjectID: application}); err != nil {
			t.Fatal(err)
		}
		same(t, "application withdrawn", w.suggestions(kari), map[string]string{"barnehage/" + jonas: "active: fordi Jonas er 0 år og ikke har barnehageplass"})

		// The same evaluation again changes nothing.
		if out, err := e.Evaluate(ctx, kari, suggest.Event{Kind: "sweep"}); err != nil || out.Made != 0 || out.Withdrawn != 0 {
			t.Fatalf("a repeated evaluation = %+v, %v", out, err)
		}
	})
}

// An event rule fires on its event only, for the event's object, and stays while its condition
// holds on that event; the daily sweep finds birthdays and keeps each year's apart.
func TestEventRulesAndTheSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 3, 1)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		ola := w.person("Ola", day(1970, 1, 1), "Alna")
		permit := w.caseOf(ola, "building_permit", "in_progress")
		w.rule("etter-byggesak", "case", []string{"case.decided"}, `case.kind == "building_permit" && case.decided`,
			"fordi byggesaken din ble avgjort {case.decidedAt}")

		if _, err := e.Evaluate(ctx, ola, suggest.Event{Kind: "case.updated", ObjectID: permit}); err != nil {
			t.Fatal(err)
		}
		same(t, "not decided", w.suggestions(ola), map[string]string{})
		w.setCase(permit, "decided")
		if _, err := e.Evaluate(ctx, ola, suggest.Event{Kind: "case.decided", ObjectID: permit}); err != nil {
			t.Fatal(err)
		}
		same(t, "decided", w.suggestions(ola), map[string]string{"etter-byggesak/" + permit: "active: fordi byggesaken din ble avgjort 2026-03-01"})
		// Another event leaves it; reopening the case withdraws it.
		if _, err := e.Evaluate(ctx, ola, suggest.Event{Kind: "booking.created"}); err != nil {
			t.Fatal(err)
		}
		same(t, "other event", w.suggestions(ola), map[string]string{"etter-byggesak/" + permit: "active: fordi byggesaken din ble avgjort 2026-03-01"})
		w.setCase(permit, "in_progress")
		if _, err := e.Evaluate(ctx, ola, suggest.Event{Kind: "case.updated", ObjectID: permit}); err != nil {
			t.Fatal(err)
		}
		same(t, "reopened", w.suggestions(ola), map[string]string{"etter-byggesak/" + permit: "withdrawn: fordi byggesaken din ble avgjort 2026-03-01"})

		// Birthdays come from the sweep, one suggestion per year.
		lea := w.person("Lea", day(2021, 3, 2), "Alna")
		w.guardian(ola, lea)
		if _, err := e.Evaluate(ctx, ola, suggest.Event{Kind: "relation.created", ObjectID: lea}); err != nil {
			t.Fatal(err) // as the relation's write through the agency API asks
		}
		w.rule("bursdag", "child", []string{"child.birthday"}, `child.age >= 5`, "fordi {child.name} fyller {child.age}")
		for _, at := range []time.Time{day(2026, 3, 2), day(2026, 3, 3), day(2027, 3, 2)} {
			now = at
			if _, err := e.Sweep(ctx, 2); err != nil {
				t.Fatal(err)
			}
		}
		same(t, "two birthdays", w.suggestions(ola), map[string]string{
			"etter-byggesak/" + permit: "withdrawn: fordi byggesaken din ble avgjort 2026-03-01",
			"bursdag/" + lea + "@5":    "active: fordi Lea fyller 5",
			"bursdag/" + lea + "@6":    "active: fordi Lea fyller 6",
		})
	})
}
