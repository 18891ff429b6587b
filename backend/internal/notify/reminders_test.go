package notify

import (
	"sync"
	"testing"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/keys"
	"minside/backend/internal/push"
	"minside/backend/internal/store"
	"minside/backend/internal/store/storetest"
	"minside/backend/internal/tasks"
)

// Every replica plans reminders every minute, and at city scale thousands are due at any time (a
// 700,000-citizen city had about 3,000 keys expiring within the window), nearly all planned
// already. Planning them takes a fixed handful of statements however many are due, not one or two
// per reminder: the planning run is one transaction that holds a connection while it lasts.
func TestRemindersArePlannedInAFewStatements(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := store.UTC(e.clock.Now())
		who := e.citizen(adult)
		ag := e.agency("Deichman")
		fac := &keys.Facility{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(4), Name: "Filial", CreatedAt: now, UpdatedAt: now}
		rows := []any{fac}
		const each = 40
		for i := range each {
			rows = append(rows,
				&bookings.Booking{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(6), Version: 1, CitizenID: who,
					StartsAt: now.Add(time.Duration(i+3) * 15 * time.Minute), EndsAt: now.Add(time.Duration(i+7) * 15 * time.Minute),
					Status: bookings.StatusConfirmed, CreatedAt: now, UpdatedAt: now},
				&keys.Key{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(6), Version: 1, CitizenID: who, FacilityID: fac.ID,
					Status: keys.StatusActive, ValidFrom: now.Add(-time.Hour), ValidUntil: now.Add(time.Duration(i+1) * 15 * time.Minute), CreatedAt: now, UpdatedAt: now},
				&tasks.Task{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(6), Kind: tasks.KindTask, Version: 1, CitizenID: who,
					Area: "library", Status: tasks.StatusOpen, Link: "https://example.org/t", CreatedAt: now.Add(-30 * 24 * time.Hour), UpdatedAt: now})
		}
		for _, m := range rows {
			if _, err := db.NewInsert().Model(m).Exec(e.ctx); err != nil {
				t.Fatal(err)
			}
		}

		r := NewReminders(db, nil, e.clock.Now)
		statements := db.CountRoundTrips()
		n, err := r.RunOnce(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Every booking starts within a day; every key ends within the expiry window; every task is unseen.
		if n != 3*each {
			t.Fatalf("planned %d reminders, want %d", n, 3*each)
		}
		if got := statements.Take(); got > 8 {
			t.Errorf("planning %d reminders took %d statements, want at most 8", n, got)
		}

		e.clock.Advance(time.Minute)
		if n, err := r.RunOnce(e.ctx); err != nil || n != 0 {
			t.Fatalf("a minute later planned %d again, %v", n, err)
		}
		if got := statements.Take(); got > 8 {
			t.Errorf("planning nothing new took %d statements, want at most 8", got)
		}
	})
}

// Two schedulers (two replicas) planning at the same minute enqueue each reminder once, and the
// reminder goes out once with the reminder's TTL.
func TestRemindersPlannedOnceByTwoSchedulers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		now := store.UTC(e.clock.Now())
		who := e.citizen(adult)
		ag := e.agency("Deichman")
		sub, _ := e.device(who)
		booking := func(startsIn time.Duration, status string) string {
			b := &bookings.Booking{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(4), Version: 1, CitizenID: who,
				StartsAt: now.Add(startsIn), EndsAt: now.Add(startsIn + time.Hour), Status: status, CreatedAt: now, UpdatedAt: now}
			if _, err := db.NewInsert().Model(b).Exec(e.ctx); err != nil {
				t.Fatal(err)
			}
			return b.ID
		}
		tomorrow := booking(20*time.Hour, bookings.StatusConfirmed)
		soon := booking(90*time.Minute, bookings.StatusConfirmed)
		booking(20*time.Hour, bookings.StatusCancelled)
		booking(30*time.Hour, bookings.StatusConfirmed)
		fac := &keys.Facility{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(4), Name: "Filial", CreatedAt: now, UpdatedAt: now}
		key := &keys.Key{ID: store.NewID(), AgencyID: ag, ExternalID: randomHex(4), Version: 1, CitizenID: who, FacilityID: fac.ID,
			Status: keys.StatusActive, ValidFrom: now.Add(30 * time.Minute), ValidUntil: now.Add(10 * time.Hour), CreatedAt: now, UpdatedAt: now}
		for _, m := range []any{fac, key} {
			if _, err := db.NewInsert().Model(m).Exec(e.ctx); err != nil {
				t.Fatal(err)
			}
		}

		a, b := NewReminders(db, nil, e.clock.Now), NewReminders(db, nil, e.clock.Now)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, r := range []*Reminders{a, b} {
			wg.Go(func() {
				for range 3 {
					n, err := r.RunOnce(e.ctx)
					if err != nil {
						t.Error(err)
					}
					counts[i] += n
				}
			})
		}
		wg.Wait()
		// tomorrow: 24h; soon: 2h; key: valid_soon and expires_soon.
		if counts[0]+counts[1] != 4 {
			t.Fatalf("planned %v reminders, want 4 in all", counts)
		}
		e.drain()
		titles := map[string]int{}
		for _, m := range e.srv.Messages(sub) {
			var p push.Payload
			_ = m.Decode(&p)
			titles[p.Title+" "+p.URL]++
			if p.Category == "booking" && m.TTL > int(TTLReminder/time.Second) {
				t.Errorf("reminder TTL %d", m.TTL)
			}
		}
		want := map[string]int{
			"Påminnelse: du har en booking hos Deichman innen et døgn " + pushableLink("/bookings/"+tomorrow):     1,
			"Påminnelse: bookingen din hos Deichman starter om under to timer " + pushableLink("/bookings/"+soon): 1,
			"Nøkkelen din fra Deichman blir gyldig snart " + pushableLink("/keys/"+key.ID):                        1,
			"Nøkkelen din fra Deichman går ut snart " + pushableLink("/keys/"+key.ID):                             1,
		}
		for k, n := range want {
			if titles[k] != n {
				t.Errorf("%q sent %d times, want %d (all: %v)", k, titles[k], n, titles)
			}
		}
		// A minute later nothing new is planned.
		e.clock.Advance(time.Minute)
		if n, err := a.RunOnce(e.ctx); err != nil || n != 0 {
			t.Fatalf("replanned %d, %v", n, err)
		}
	})
}
