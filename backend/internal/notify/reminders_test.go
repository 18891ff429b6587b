package notify

import (
	"testing"
	"time"

	"minside/backend/internal/bookings"
	"minside/backend/internal/keys"
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
