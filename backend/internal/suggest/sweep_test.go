package suggest_test

import (
	"context"
	"testing"

	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/suggest"
)

// The sweep decides outside a transaction and writes only for the people something changed for:
// parallel chunks make every suggestion once (on SQLite too, where they take turns to write), a
// day on which nothing changed evaluates only who is due and writes not one suggestion, and a
// change is written for its person alone.
func TestSweepWritesOnlyWhatChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 6, 1)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		people := 2*suggest.SweepChunk + 100 // three chunks
		var first string
		for i := range people {
			district := "Grorud"
			if i%2 == 1 {
				district = "Alna"
			}
			id := w.person("P", day(1950+i%40, 1, 1), district)
			if first == "" && district == "Grorud" {
				first = id
			}
		}
		w.rule("i-grorud", "person", nil, `person.district == "Grorud"`, "fordi du bor i {person.district}")

		count := func(table string) int {
			t.Helper()
			n, err := db.NewSelect().Table(table).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		out, err := e.Sweep(ctx, 4)
		if err != nil {
			t.Fatal(err)
		}
		if out.People != people || out.Made != people/2 || out.Withdrawn != 0 {
			t.Fatalf("first sweep = %+v, want %d people and %d made", out, people, people/2)
		}
		if n := count("suggestions"); n != people/2 {
			t.Fatalf("%d suggestions after the first sweep, want %d", n, people/2)
		}

		audits, feed := count("audit_log"), count("changes")
		var lastWrite string
		latest := func() string {
			t.Helper()
			var at string
			if err := db.NewRaw("SELECT CAST(MAX(updated_at) AS TEXT) FROM suggestions").Scan(ctx, &at); err != nil {
				t.Fatal(err)
			}
			return at
		}
		lastWrite = latest()
		// The next day only who is due is evaluated: their weekly turn or a date of theirs.
		now = now.AddDate(0, 0, 1)
		if out, err = e.Sweep(ctx, 4); err != nil || out.Made != 0 || out.Withdrawn != 0 || out.People == 0 || out.People > people/3 {
			t.Fatalf("a day without change = %+v, %v; want a few of %d people evaluated, nothing written", out, err, people)
		}
		if a, f, l := count("audit_log"), count("changes"), latest(); a != audits || f != feed || l != lastWrite {
			t.Fatalf("a day without change wrote: audit %d→%d, changes %d→%d, last update %s→%s", audits, a, feed, f, lastWrite, l)
		}

		// A move written behind the engine's back (no change event) is found on the person's
		// weekly turn, within seven days, and only their suggestion is withdrawn.
		if _, err := db.NewUpdate().Table("citizens").Set("district = 'Alna'").Where("id = ?", first).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		withdrawn, evaluated := 0, 0
		for range 7 {
			now = now.AddDate(0, 0, 1)
			out, err := e.Sweep(ctx, 4)
			if err != nil || out.Made != 0 {
				t.Fatalf("a week's sweep = %+v, %v", out, err)
			}
			withdrawn, evaluated = withdrawn+out.Withdrawn, evaluated+out.People
		}
		if withdrawn != 1 || evaluated < people || evaluated > 2*people {
			t.Fatalf("a week of sweeps withdrew %d and evaluated %d of %d people; want 1 withdrawn, everyone once or so", withdrawn, evaluated, people)
		}
		if a := count("audit_log"); a != audits+1 {
			t.Fatalf("one withdrawal wrote %d audit rows, want 1", a-audits)
		}
	})
}

// A person who turned suggestions off is not evaluated and waits for their weekly turn; turned
// back on (MarkDue, as the preferences do), they are evaluated at the next sweep.
func TestSuggestionsTurnedOffWaitAndOnAreDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := day(2026, 6, 1)
		w := newWorld(t, db, now)
		e := newEngine(t, db, &now)
		kari := w.person("Kari", day(1990, 1, 1), "Grorud")
		w.rule("i-grorud", "person", nil, `person.district == "Grorud"`, "fordi du bor i {person.district}")
		setOff := func(off bool) {
			t.Helper()
			row := map[string]any{"citizen_id": kari, "suggestions_off": off, "updated_at": now}
			if _, err := db.NewInsert().Table("preferences").Model(&row).
				On("CONFLICT (citizen_id) DO UPDATE").Set("suggestions_off = EXCLUDED.suggestions_off").Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		setOff(true)
		if out, err := e.Sweep(ctx, 1); err != nil || out.People != 0 || out.Made != 0 {
			t.Fatalf("sweep with suggestions off = %+v, %v; want nobody evaluated", out, err)
		}
		var dueDay int64
		if err := db.NewSelect().Table("suggest_due").Column("due_day").Where("citizen_id = ?", kari).Scan(ctx, &dueDay); err != nil {
			t.Fatal(err)
		}
		if today := now.Unix() / 86400; dueDay <= today || dueDay > today+7 {
			t.Fatalf("due day %d, today %d: want their turn within the week", dueDay, today)
		}
		setOff(false)
		if err := suggest.MarkDue(ctx, db, kari); err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(0, 0, 1)
		if out, err := e.Sweep(ctx, 1); err != nil || out.People != 1 || out.Made != 1 {
			t.Fatalf("sweep after turning suggestions on = %+v, %v; want Kari evaluated and suggested", out, err)
		}
	})
}
